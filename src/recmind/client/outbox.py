"""Client methods for the outbox (``marketing`` scope) and a person's on-site messages
(``read`` scope)."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from recmind.api.schemas_outbox import (
    OnsiteMessageList,
    OutboxMessageOut,
    OutboxPage,
    OutboxStatsOut,
    ReadOut,
    RetriedOut,
)
from recmind.client.base import BaseClient


def _id(value: str) -> str:
    return quote(str(value), safe="")


def _params(**values: Any) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v is not None}


class OutboxRoutes(BaseClient):
    """The outbox: messages and their state, counts, retries; on-site messages."""

    def list_outbox(
        self,
        *,
        status: str | None = None,
        user_id: str | None = None,
        source: str | None = None,
        channel: str | None = None,
        offset: int = 0,
        limit: int = 50,
    ) -> OutboxPage:
        """Messages, newest first (``source``: ``campaign:ID``, ``journey:ID`` or an id)."""
        params = _params(
            status=status,
            user_id=user_id,
            source=source,
            channel=channel,
            offset=offset,
            limit=limit,
        )
        return OutboxPage.model_validate(self._request("GET", "/v1/outbox", params=params))

    def outbox_message(self, message: str) -> OutboxMessageOut:
        """One message by id or idempotency key, with its content."""
        return OutboxMessageOut.model_validate(self._request("GET", f"/v1/outbox/{_id(message)}"))

    def outbox_stats(self, *, source: str | None = None) -> OutboxStatsOut:
        params = _params(source=source)
        return OutboxStatsOut.model_validate(
            self._request("GET", "/v1/outbox/stats", params=params)
        )

    def retry_message(self, message: str) -> OutboxMessageOut:
        """Make a dead (or pending) message due now; a sent or skipped one is a 409."""
        return OutboxMessageOut.model_validate(
            self._request("POST", f"/v1/outbox/{_id(message)}/retry")
        )

    def retry_dead(self, *, source: str | None = None) -> int:
        """Make every dead message (of ``source``) due again; returns how many."""
        found = self._request("POST", "/v1/outbox/retry-dead", params=_params(source=source))
        return RetriedOut.model_validate(found).retried

    def user_messages(
        self, user_id: str, *, unread: bool = False, limit: int = 20
    ) -> OnsiteMessageList:
        """A person's delivered on-site messages, newest first (``read`` scope)."""
        params = {"unread": str(unread).lower(), "limit": limit}
        return OnsiteMessageList.model_validate(
            self._request("GET", f"/v1/users/{_id(user_id)}/messages", params=params)
        )

    def mark_message_read(self, user_id: str, message_id: str) -> ReadOut:
        path = f"/v1/users/{_id(user_id)}/messages/{_id(message_id)}/read"
        return ReadOut.model_validate(self._request("POST", path))
