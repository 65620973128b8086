"""Signed links in messages: one-click unsubscribe, tracked clicks and the open pixel.

A token is ``<payload>.<signature>``: the payload is URL-safe base64 of a small JSON object
(the message id, the link's purpose, and for a click its target URL); the signature is
HMAC-SHA256 of the payload under a key derived from ``settings.api.secret``, truncated to
128 bits. The service trusts nothing in a token it cannot verify: a changed character, a
token made for another purpose (an open pixel's token used to unsubscribe), or a click
whose target was swapped are all refused, so the redirect can only go where the message
said (no open redirect), and only the recipient of a message can unsubscribe through it.

Links point below ``settings.marketing.public_url``: ``/u/<token>`` (unsubscribe page and
RFC 8058 one-click POST), ``/c/<token>`` (click, then redirect), ``/o/<token>`` (open pixel).
Rotating the server secret invalidates every link already sent (as it invalidates API
keys), so rotate it between campaigns rather than during one.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal
from urllib.parse import quote, urlsplit

import orjson

from recmind.config import Settings

Purpose = Literal["unsubscribe", "click", "open"]
_CODES: dict[str, Purpose] = {"u": "unsubscribe", "c": "click", "o": "open"}
_LETTERS = {purpose: code for code, purpose in _CODES.items()}
_KEY_LABEL = b"recmind-tracking-links-v1"
SIGNATURE_BYTES = 16
MAX_TOKEN_CHARS = 4096


class InvalidTokenError(ValueError):
    """The token is malformed, tampered with, or made for another purpose."""


@dataclass(frozen=True)
class LinkToken:
    """What a verified token says."""

    message_id: str
    purpose: Purpose
    target: str | None = None


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@lru_cache(maxsize=8)
def _key(secret: str) -> bytes:
    return hmac.new(secret.encode(), _KEY_LABEL, hashlib.sha256).digest()


def _signature(secret: str, payload: str) -> str:
    digest = hmac.new(_key(secret), payload.encode("ascii"), hashlib.sha256).digest()
    return _b64(digest[:SIGNATURE_BYTES])


def check_target(url: str) -> str:
    """A click target must be an absolute http(s) URL (never ``javascript:`` and the like)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"a tracked link must be an absolute http(s) URL, not {url!r}")
    return url


def make_token(
    settings: Settings, message_id: str, purpose: Purpose, target: str | None = None
) -> str:
    body: dict[str, str] = {"m": message_id, "p": _LETTERS[purpose]}
    if target is not None:
        body["t"] = check_target(target)
    payload = _b64(orjson.dumps(body))
    return f"{payload}.{_signature(settings.api.secret, payload)}"


def verify_token(settings: Settings, token: str, purpose: Purpose) -> LinkToken:
    """What ``token`` says, if it was signed by this service for ``purpose``."""
    if len(token) > MAX_TOKEN_CHARS or token.count(".") != 1 or not token.isascii():
        raise InvalidTokenError("this link is not valid")
    payload, signature = token.split(".")
    expected = _signature(settings.api.secret, payload)
    if not hmac.compare_digest(expected.encode("ascii"), signature.encode("ascii", "replace")):
        raise InvalidTokenError("this link is not valid (it was changed or not made here)")
    try:
        body = orjson.loads(_unb64(payload))
    except (ValueError, orjson.JSONDecodeError) as exc:  # pragma: no cover: signed by us
        raise InvalidTokenError("this link is not valid") from exc
    found = _CODES.get(str(body.get("p")))
    if found != purpose:
        raise InvalidTokenError(f"this link is for {found or 'nothing'}, not {purpose}")
    target = body.get("t")
    return LinkToken(str(body["m"]), found, None if target is None else str(target))


def _base(settings: Settings) -> str:
    return settings.marketing.public_url.rstrip("/")


def unsubscribe_url(settings: Settings, message_id: str) -> str:
    """The one-click unsubscribe URL of a message (GET: a page; POST: RFC 8058)."""
    return f"{_base(settings)}/u/{make_token(settings, message_id, 'unsubscribe')}"


def unsubscribe_mailto(settings: Settings, message_id: str) -> str | None:
    """A ``mailto:`` unsubscribe (``marketing.unsubscribe_mailbox``, subject carrying the
    signed token for whatever reads that mailbox), or None when no mailbox is set."""
    mailbox = settings.marketing.unsubscribe_mailbox.strip()
    if not mailbox:
        return None
    token = make_token(settings, message_id, "unsubscribe")
    return f"mailto:{quote(mailbox, safe='@')}?subject={quote('unsubscribe ' + token)}"


def click_url(settings: Settings, message_id: str, target_url: str) -> str:
    """A tracked link: records the click, then redirects to ``target_url``."""
    return f"{_base(settings)}/c/{make_token(settings, message_id, 'click', target_url)}"


def open_url(settings: Settings, message_id: str) -> str:
    """The open pixel's URL (opens are unreliable: proxies fetch images by themselves)."""
    return f"{_base(settings)}/o/{make_token(settings, message_id, 'open')}"
