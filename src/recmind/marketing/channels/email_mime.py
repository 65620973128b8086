"""The bytes of a marketing email: multipart/alternative (text and HTML), the RFC 8058
one-click unsubscribe headers, the recmind idempotency key, and an optional DKIM signature.

Built by hand rather than with :mod:`email.message`: the standard library's generator took
about a millisecond a message, most of a core at the delivery rate the outbox aims for; here
only the parts that need encoding are encoded (non-ASCII headers as RFC 2047 words, bodies
as quoted-printable when they are not plain short-lined ASCII). Every line ends in CRLF, no
line is longer than 998 octets, and ``tests/marketing/channels/test_email_mime.py`` parses
the result back with :mod:`email` and verifies the DKIM signature with dkimpy.

Headers:

- ``Message-ID: <message_id@sender-domain>``: the outbox's message id, so a message can be
  traced from any mailbox back to its row;
- ``List-Unsubscribe: <https://.../u/TOKEN>, <mailto:...>`` and
  ``List-Unsubscribe-Post: List-Unsubscribe=One-Click`` (RFC 8058: mailbox providers show an
  unsubscribe button that POSTs to the URL, which the API honours at once, without login);
  with DKIM on, both are covered by the signature, as RFC 8058 requires;
- ``X-Recmind-Idempotency-Key``: the key the outbox row was written under (the exactly-once
  tests count deliveries by it).
"""

from __future__ import annotations

import binascii
import re
from collections.abc import Mapping
from dataclasses import dataclass
from email.header import Header
from email.utils import formataddr, formatdate
from pathlib import Path
from typing import Any

import dkim

from recmind.config import Settings
from recmind.marketing.tracking.links import unsubscribe_mailto, unsubscribe_url

CRLF = b"\r\n"
KEY_HEADER = "X-Recmind-Idempotency-Key"
SIGNED_HEADERS = (
    b"from",
    b"to",
    b"subject",
    b"date",
    b"message-id",
    b"mime-version",
    b"content-type",
    b"list-unsubscribe",
    b"list-unsubscribe-post",
)
"""Headers the DKIM signature covers (RFC 8058 section 4: both List-Unsubscribe headers)."""
_ADDRESS = re.compile(r"^[^\s<>@,;:\"()\[\]\\]+@[^\s<>@,;:\"()\[\]\\]+\.[^\s<>@,;:\"()\[\]\\]+$")
_FOLD_AT = 78


class AddressError(ValueError):
    """A recipient that cannot be put on an envelope (missing, malformed or not ASCII)."""


def check_address(address: str | None) -> str:
    """``address`` if it is a plain ASCII ``local@domain`` (anything else could inject SMTP
    commands or headers, or needs SMTPUTF8, which the channel does not speak)."""
    if not address:
        raise AddressError("no email address")
    if not address.isascii() or _ADDRESS.match(address) is None:
        raise AddressError(f"not a deliverable email address: {address!r}")
    return address


def _header(name: str, value: str) -> bytes:
    """One header, RFC 2047-encoded when it is not ASCII, folded when it is long."""
    if value.isascii() and "\r" not in value and "\n" not in value:
        line = f"{name}: {value}"
        if len(line) <= _FOLD_AT:
            return line.encode() + CRLF
        return _fold(name, value).encode() + CRLF
    clean = " ".join(value.split())
    encoded = Header(clean, "utf-8", header_name=name).encode(linesep="\r\n")
    return f"{name}: {encoded}".encode() + CRLF


def _fold(name: str, value: str) -> str:
    """Fold at spaces so lines stay near 78 characters (a long URL stays whole)."""
    lines: list[str] = []
    current = f"{name}:"
    for word in value.split(" "):
        if len(current) + 1 + len(word) > _FOLD_AT and current.strip() != f"{name}:":
            lines.append(current)
            current = ""
        current += " " + word
    lines.append(current)
    return "\r\n".join(lines)


def _body(text: str) -> tuple[bytes, str]:
    """``(encoded body with CRLF lines, Content-Transfer-Encoding)``."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if text.isascii() and all(len(line) <= 998 for line in lines):
        return "\r\n".join(lines).encode("ascii"), "7bit"
    raw = "\n".join(lines).encode("utf-8")
    encoded = binascii.b2a_qp(raw, quotetabs=False, istext=True, header=False)
    return encoded.replace(b"\n", CRLF), "quoted-printable"


def _part(content_type: str, text: str) -> bytes:
    body, encoding = _body(text)
    return (
        f'Content-Type: {content_type}; charset="utf-8"\r\n'
        f"Content-Transfer-Encoding: {encoding}\r\n\r\n".encode()
        + body
        + CRLF
    )


@dataclass(frozen=True)
class DkimKey:
    """A DKIM signing identity: ``selector._domainkey.domain`` publishes the public key."""

    domain: str
    selector: str
    private_key: bytes

    @classmethod
    def from_settings(cls, settings: Settings) -> DkimKey | None:
        """The key of ``settings.marketing.smtp.dkim_*`` (None when DKIM is off); a half
        configuration is an error, not a silent unsigned send."""
        smtp = settings.marketing.smtp
        if not smtp.dkim_domain:
            return None
        if not smtp.dkim_selector or smtp.dkim_key_path is None:
            raise ValueError(
                "DKIM needs marketing.smtp.dkim_domain, dkim_selector and dkim_key_path together"
            )
        key = Path(smtp.dkim_key_path).expanduser().read_bytes()
        return cls(smtp.dkim_domain, smtp.dkim_selector, key)

    def sign(self, message: bytes) -> bytes:
        """``message`` with its ``DKIM-Signature`` header in front (relaxed/simple)."""
        signature = dkim.sign(
            message,
            self.selector.encode(),
            self.domain.encode(),
            self.private_key,
            canonicalize=(b"relaxed", b"simple"),
            include_headers=list(SIGNED_HEADERS),
        )
        return bytes(signature) + message


def sender_domain(settings: Settings) -> str:
    return settings.marketing.smtp.sender.rpartition("@")[2] or "localhost"


def build_email(
    row: Mapping[str, Any], settings: Settings, *, now: float, dkim_key: DkimKey | None = None
) -> bytes:
    """The message of outbox ``row`` (its subject, text and HTML bodies, recipient and
    keys), ready for DATA (not yet dot-stuffed)."""
    marketing = settings.marketing
    smtp = marketing.smtp
    message_id = str(row["message_id"])
    recipient = check_address(row.get("recipient"))
    unsubscribe = [f"<{unsubscribe_url(settings, message_id)}>"]
    mailto = unsubscribe_mailto(settings, message_id)
    if mailto:
        unsubscribe.append(f"<{mailto}>")
    boundary = f"=_recmind_{message_id}"
    text = str(row.get("body_text") or "")
    html = str(row.get("body_html") or "")
    if boundary in text or boundary in html:
        raise ValueError(f"message {message_id}: its body contains the MIME boundary")
    head = b"".join(
        [
            _header("From", formataddr((smtp.sender_name or marketing.shop_name, smtp.sender))),
            _header("To", recipient),
            _header("Subject", str(row.get("subject") or "")),
            _header("Date", formatdate(now, usegmt=True)),
            _header("Message-ID", f"<{message_id}@{sender_domain(settings)}>"),
            _header("List-Unsubscribe", ", ".join(unsubscribe)),
            _header("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"),
            _header(KEY_HEADER, str(row["idempotency_key"])),
            b"MIME-Version: 1.0\r\n",
            f'Content-Type: multipart/alternative; boundary="{boundary}"\r\n'.encode(),
        ]
    )
    marker = f"--{boundary}\r\n".encode()
    body = (
        marker
        + _part("text/plain", text)
        + marker
        + _part("text/html", html)
        + f"--{boundary}--\r\n".encode()
    )
    message = head + CRLF + body
    return dkim_key.sign(message) if dkim_key is not None else message


_LEADING_DOT = re.compile(rb"(?m)^\.")


def dot_stuffed(message: bytes) -> bytes:
    """``message`` as DATA carries it (RFC 5321 4.5.2: a line starting with a dot gets a
    second one), ending in CRLF, without the final ``.`` line."""
    stuffed = _LEADING_DOT.sub(b"..", message)
    return stuffed if stuffed.endswith(CRLF) else stuffed + CRLF
