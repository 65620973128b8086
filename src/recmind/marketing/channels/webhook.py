"""The webhook channel: each message is POSTed as JSON to ``marketing.webhook.url`` (a push or
SMS provider's relay, or the shop's own service), signed so the receiver can trust it.

Headers:

- ``X-Recmind-Timestamp``: epoch seconds of the attempt;
- ``X-Recmind-Signature: sha256=<hex>``: HMAC-SHA256 under ``marketing.webhook.secret`` of
  ``<timestamp>.<body>`` (the timestamp is signed too, so a receiver that refuses old
  timestamps also refuses a replayed request; :func:`signature` is the reference);
- ``Idempotency-Key``: the outbox key; the same message always carries the same key.

Outcomes: 2xx sent; 408, 425, 429 and 5xx, timeouts and connection errors retry with
back-off; any other 4xx is dead (the receiver refuses this request for good).

Exactly once: an HTTP request has no step that can be withheld until the outbox has
recorded the hand-off (SMTP's final dot), so this channel does not hand off. A worker that
dies after the receiver answered but before the outcome is committed leaves the row
``sending``; it is delivered again, with the same ``Idempotency-Key``, and the receiver
drops the repeat. A receiver must therefore keep the keys it has seen (for as long as
``max_attempts`` of back-off can last).
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import httpx
import orjson

from recmind.config import Settings
from recmind.marketing.channels.base import Handoff, Outcome, register_channel

NAME = "webhook"
RETRY_STATUSES = frozenset({408, 425, 429})
SIGNATURE_HEADER = "X-Recmind-Signature"
TIMESTAMP_HEADER = "X-Recmind-Timestamp"


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """The ``X-Recmind-Signature`` value of ``body`` sent at ``timestamp``."""
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + digest.hexdigest()


def _json(value: Any) -> Any:
    if isinstance(value, str) and value[:1] in ("{", "["):
        return orjson.loads(value)
    return value


def request_body(row: Mapping[str, Any], *, now: float) -> bytes:
    """The JSON a message is POSTed as."""
    return orjson.dumps(
        {
            "message_id": row["message_id"],
            "idempotency_key": row["idempotency_key"],
            "user_id": row["user_id"],
            "recipient": row.get("recipient"),
            "source": {"kind": row.get("source_kind"), "id": row.get("source_id")},
            "subject": row.get("subject"),
            "text": row.get("body_text"),
            "payload": _json(row.get("payload")) or {},
            "items": _json(row.get("items")) or [],
            "created_at": row.get("created_at"),
            "sent_at": now,
        },
        option=orjson.OPT_SORT_KEYS,
    )


class WebhookSession:
    """One keep-alive HTTP client for the batch."""

    def __init__(self, settings: Settings) -> None:
        self.config = settings.marketing.webhook
        self.client = httpx.Client(timeout=self.config.timeout_seconds)

    def deliver(
        self, rows: Sequence[Mapping[str, Any]], handoff: Handoff, *, now: float
    ) -> Iterator[Outcome]:
        for row in rows:
            yield self._post(row, now)

    def _post(self, row: Mapping[str, Any], now: float) -> Outcome:
        message_id = str(row["message_id"])
        if not self.config.url:
            return Outcome(message_id, "retry", "the webhook channel has no URL (webhook.url)")
        body = request_body(row, now=now)
        timestamp = str(int(now))
        headers = {
            "Content-Type": "application/json",
            "Idempotency-Key": str(row["idempotency_key"]),
            TIMESTAMP_HEADER: timestamp,
        }
        if self.config.secret:
            headers[SIGNATURE_HEADER] = signature(self.config.secret, timestamp, body)
        try:
            response = self.client.post(self.config.url, content=body, headers=headers)
        except httpx.HTTPError as exc:
            return Outcome(message_id, "retry", f"{type(exc).__name__}: {exc}")
        status = response.status_code
        if 200 <= status < 300:
            return Outcome(message_id, "sent")
        detail = f"HTTP {status}: {response.text[:200]}".strip()
        if status in RETRY_STATUSES or status >= 500:
            return Outcome(message_id, "retry", detail)
        return Outcome(message_id, "dead", detail)

    def close(self) -> None:
        self.client.close()


@register_channel(NAME)
def open_webhook(settings: Settings) -> WebhookSession:
    return WebhookSession(settings)
