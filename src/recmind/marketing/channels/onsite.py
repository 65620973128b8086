"""The on-site channel: a message is delivered when it becomes visible to the person.

There is nothing to transmit: the shop's pages fetch a person's messages through the API
(``GET /v1/users/{user_id}/messages``, with the shop's key) and mark them read. Delivering
an on-site message therefore only records it as ``sent``, which is what makes it listed
(:func:`recmind.marketing.outbox.queries.onsite_messages`); until then it is invisible, so
a skipped or deferred on-site message is never shown.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from recmind.config import Settings
from recmind.marketing.channels.base import Handoff, Outcome, register_channel

NAME = "onsite"


class OnsiteSession:
    """Delivery is the ``sent`` mark itself."""

    def deliver(
        self, rows: Sequence[Mapping[str, Any]], handoff: Handoff, *, now: float
    ) -> Iterator[Outcome]:
        for row in rows:
            yield Outcome(str(row["message_id"]), "sent")

    def close(self) -> None:
        return None


@register_channel(NAME)
def open_onsite(settings: Settings) -> OnsiteSession:
    return OnsiteSession()
