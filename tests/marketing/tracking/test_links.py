"""Signed links: every URL verifies for its own purpose only; a changed character, another
secret or another purpose is refused; click targets are http(s) only."""

from __future__ import annotations

from urllib.parse import unquote, urlsplit

import pytest
from tests.marketing.policy.people import policy_settings

from recmind.marketing.tracking.links import (
    InvalidTokenError,
    click_url,
    make_token,
    open_url,
    unsubscribe_mailto,
    unsubscribe_url,
    verify_token,
)

MESSAGE = "0123456789abcdef0123456789abcdef"


def _token(url: str) -> str:
    return urlsplit(url).path.rsplit("/", 1)[1]


def test_urls_live_under_the_public_address_and_verify() -> None:
    settings = policy_settings(public_url="https://shop.example.com/recmind/")
    unsub = unsubscribe_url(settings, MESSAGE)
    assert unsub.startswith("https://shop.example.com/recmind/u/")
    assert verify_token(settings, _token(unsub), "unsubscribe").message_id == MESSAGE
    click = click_url(settings, MESSAGE, "https://shop.example.com/items/42?x=1&y=2")
    assert click.startswith("https://shop.example.com/recmind/c/")
    link = verify_token(settings, _token(click), "click")
    assert (link.message_id, link.target) == (MESSAGE, "https://shop.example.com/items/42?x=1&y=2")
    pixel = open_url(settings, MESSAGE)
    assert verify_token(settings, _token(pixel), "open").purpose == "open"
    assert all(c.isalnum() or c in "-_." for c in _token(click))


def test_tampering_another_purpose_or_another_secret_is_refused() -> None:
    settings = policy_settings()
    token = make_token(settings, MESSAGE, "click", "https://shop.example.com/a")
    payload, signature = token.split(".")
    for bad in (
        payload[:-1] + ("A" if payload[-1] != "A" else "B") + "." + signature,
        payload + "." + signature[:-1] + ("A" if signature[-1] != "A" else "B"),
        make_token(settings, MESSAGE, "click", "https://evil.example.com/").split(".")[0]
        + "."
        + signature,
        token + "x",
        "nonsense",
        "",
        "a.b.c",
    ):
        with pytest.raises(InvalidTokenError):
            verify_token(settings, bad, "click")
    with pytest.raises(InvalidTokenError, match="for click, not unsubscribe"):
        verify_token(settings, token, "unsubscribe")
    other = policy_settings()
    other.api.secret = "another-secret"
    with pytest.raises(InvalidTokenError):
        verify_token(other, token, "click")


@pytest.mark.parametrize("target", ["javascript:alert(1)", "/relative", "ftp://x.example/a", ""])
def test_click_targets_must_be_absolute_http(target: str) -> None:
    with pytest.raises(ValueError, match="absolute http"):
        click_url(policy_settings(), MESSAGE, target)


def test_mailto_only_with_a_mailbox() -> None:
    assert unsubscribe_mailto(policy_settings(), MESSAGE) is None
    settings = policy_settings(unsubscribe_mailbox="unsubscribe@shop.example.com")
    mailto = unsubscribe_mailto(settings, MESSAGE)
    assert mailto is not None and mailto.startswith("mailto:unsubscribe@shop.example.com?subject=")
    subject = unquote(mailto.split("subject=", 1)[1])
    word, token = subject.split()
    assert word == "unsubscribe"
    assert verify_token(settings, token, "unsubscribe").message_id == MESSAGE


@pytest.mark.parametrize("token", ["\U00047d94.abc", "é.ü", "abc.\u00e9"])
def test_a_token_with_characters_no_link_holds_is_refused_not_a_crash(token: str) -> None:
    """Schemathesis sent one: the signature check must refuse it, never raise anything else."""
    with pytest.raises(InvalidTokenError):
        verify_token(policy_settings(), token, "unsubscribe")
