"""The bytes of a marketing email, parsed back with the standard library and verified with
dkimpy: multipart/alternative, RFC 8058 headers, encodings, line limits, DKIM."""

from __future__ import annotations

import email
import email.policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import dkim
import pytest
from tests.marketing.channels.keys import dkim_keys
from tests.marketing.outbox.helpers import NOW, open_settings

from recmind.marketing.channels.email_mime import (
    AddressError,
    DkimKey,
    build_email,
    check_address,
    dot_stuffed,
)
from recmind.marketing.messages import message_id_for

KEY = "campaign:spring:u1"


def _row(**changes: Any) -> dict[str, Any]:
    return {
        "message_id": message_id_for(KEY),
        "idempotency_key": KEY,
        "recipient": "ann@example.org",
        "subject": "Your spring picks",
        "body_text": "Hello Ann,\n.\nA blue teapot: $12.50\n",
        "body_html": "<p>Hello Ann</p><p>A blue teapot: $12.50</p>",
    } | changes


def _parse(data: bytes) -> EmailMessage:
    parsed = email.message_from_bytes(data, policy=email.policy.default)
    assert isinstance(parsed, EmailMessage)
    return parsed


def test_headers_and_both_parts(tmp_path: Path) -> None:
    settings = open_settings(
        tmp_path, smtp={"sender": "news@shop.example", "sender_name": "The Shop"}
    )
    data = build_email(_row(), settings, now=NOW)
    parsed = _parse(data)
    assert parsed["From"] == "The Shop <news@shop.example>"
    assert parsed["To"] == "ann@example.org"
    assert parsed["Subject"] == "Your spring picks"
    assert parsed["Message-ID"] == f"<{message_id_for(KEY)}@shop.example>"
    assert parsed["X-Recmind-Idempotency-Key"] == KEY
    assert parsed["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    unsubscribe = str(parsed["List-Unsubscribe"])
    assert unsubscribe.startswith("<https://shop.example/u/") and unsubscribe.endswith(">")
    assert "mailto:" not in unsubscribe
    assert parsed.get_content_type() == "multipart/alternative"
    text, html = parsed.get_body(("plain",)), parsed.get_body(("html",))
    assert text is not None and html is not None
    assert text.get_content().replace("\r\n", "\n") == "Hello Ann,\n.\nA blue teapot: $12.50\n"
    assert "<p>A blue teapot: $12.50</p>" in html.get_content()
    assert parsed.defects == [] and all(not p.defects for p in parsed.walk())


def test_a_mailto_unsubscribe_when_a_mailbox_is_set(tmp_path: Path) -> None:
    settings = open_settings(tmp_path, unsubscribe_mailbox="leave@shop.example")
    parsed = _parse(build_email(_row(), settings, now=NOW))
    first, second = str(parsed["List-Unsubscribe"]).split(", ")
    assert first.startswith("<https://") and second.startswith("<mailto:leave@shop.example")


def test_non_ascii_and_long_lines_are_encoded_and_read_back(tmp_path: Path) -> None:
    subject = "Ça vous plaît ? 春の新作 " + "très " * 20
    text = "Bonjour Zoë,\n" + "long " * 400 + "\n"
    html = "<p>" + "春" * 600 + "</p>"
    data = build_email(
        _row(subject=subject, body_text=text, body_html=html), open_settings(tmp_path), now=NOW
    )
    assert data.isascii()
    lines = data.split(b"\r\n")
    assert all(len(line) <= 998 for line in lines)
    assert b"\n" not in data.replace(b"\r\n", b"")
    parsed = _parse(data)
    assert " ".join(str(parsed["Subject"]).split()) == " ".join(subject.split())
    assert parsed.get_body(("plain",)).get_content().replace("\r\n", "\n") == text  # type: ignore[union-attr]
    assert parsed.get_body(("html",)).get_content().strip() == html  # type: ignore[union-attr]


def test_header_injection_is_impossible(tmp_path: Path) -> None:
    data = build_email(
        _row(subject="Hi\r\nBcc: victim@example.org"), open_settings(tmp_path), now=NOW
    )
    parsed = _parse(data)
    assert parsed["Bcc"] is None and parsed["Subject"] == "Hi Bcc: victim@example.org"


@pytest.mark.parametrize(
    "address",
    [
        "",
        None,
        "no-at-sign",
        "a@b",
        "x@y.org>\r\nRCPT TO:<z@evil.example",
        "zoë@example.org",
        "a b@example.org",
    ],
)
def test_undeliverable_addresses_are_refused(address: str | None) -> None:
    with pytest.raises(AddressError):
        check_address(address)
    assert check_address("first.last+tag@mail.example.co.uk") == "first.last+tag@mail.example.co.uk"


def test_dot_stuffing() -> None:
    assert dot_stuffed(b"a\r\n.\r\n.b\r\nc") == b"a\r\n..\r\n..b\r\nc\r\n"
    assert dot_stuffed(b".first\r\n") == b"..first\r\n"


def test_dkim_signature_verifies_and_covers_the_unsubscribe_headers(tmp_path: Path) -> None:
    private, record = dkim_keys(tmp_path)
    settings = open_settings(
        tmp_path,
        smtp={
            "sender": "news@shop.example",
            "dkim_domain": "shop.example",
            "dkim_selector": "mail2026",
            "dkim_key_path": str(private),
        },
    )
    key = DkimKey.from_settings(settings)
    assert key is not None
    signed = build_email(_row(), settings, now=NOW, dkim_key=key)
    assert signed.startswith(b"DKIM-Signature: ")

    def dns(name: bytes, timeout: float = 5) -> bytes:
        assert name == b"mail2026._domainkey.shop.example."
        return record.encode()

    assert dkim.verify(signed, dnsfunc=dns)
    header = _parse(signed)["DKIM-Signature"]
    signed_headers = str(header).split("h=")[1].split(";")[0].replace(" ", "").lower()
    assert {"list-unsubscribe", "list-unsubscribe-post", "from", "subject"} <= set(
        signed_headers.split(":")
    )
    forged = signed.replace(
        b"List-Unsubscribe-Post: List-Unsubscribe=One-Click",
        b"List-Unsubscribe-Post: List-Unsubscribe=Two-Click",
    )
    assert forged != signed and not dkim.verify(forged, dnsfunc=dns)


def test_half_a_dkim_configuration_is_an_error(tmp_path: Path) -> None:
    settings = open_settings(tmp_path, smtp={"dkim_domain": "shop.example"})
    with pytest.raises(ValueError, match="dkim_selector and dkim_key_path"):
        DkimKey.from_settings(settings)
    assert DkimKey.from_settings(open_settings(tmp_path)) is None
