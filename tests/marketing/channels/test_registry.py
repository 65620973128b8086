"""Channels are plugins found by name; a deployment may replace one."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, ClassVar

import pytest
from tests.marketing.outbox.helpers import NOW, add_people, message, open_settings, row

from recmind.config import Settings
from recmind.data.store import Store
from recmind.marketing.channels import (
    BUILT_IN,
    Handoff,
    Outcome,
    UnknownChannelError,
    channel_names,
    open_channel,
    register_channel,
)
from recmind.marketing.channels.base import ChannelFactory
from recmind.marketing.channels.onsite import open_onsite
from recmind.marketing.outbox.delivery import deliver_due
from recmind.marketing.outbox.store import enqueue


def test_the_built_in_channels() -> None:
    assert set(BUILT_IN) == {"email", "webhook", "onsite"} <= set(channel_names())
    with pytest.raises(UnknownChannelError, match="no channel 'sms'"):
        open_channel("sms", Settings())


class Recording:
    """A replacement on-site channel that records what it was given."""

    seen: ClassVar[list[str]] = []

    def deliver(
        self, rows: Sequence[Mapping[str, Any]], handoff: Handoff, *, now: float
    ) -> Iterator[Outcome]:
        for r in rows:
            self.seen.append(str(r["user_id"]))
            yield Outcome(str(r["message_id"]), "dead", "refused by the test channel")

    def close(self) -> None:
        return None


@pytest.fixture
def replaced_onsite() -> Iterator[None]:
    factory: ChannelFactory = lambda settings: Recording()  # noqa: E731
    register_channel("onsite")(factory)
    yield
    register_channel("onsite")(open_onsite)


def test_a_registered_channel_replaces_the_built_in(
    sqlite_store: Store, tmp_path: Path, replaced_onsite: None
) -> None:
    add_people(sqlite_store, ["u1"])
    one = message("u1", channel="onsite", recipient="u1")
    enqueue(sqlite_store, [one], now=NOW)
    deliver_due(sqlite_store, open_settings(tmp_path), worker_id="w", now=NOW, limit=10)
    assert Recording.seen == ["u1"]
    assert row(sqlite_store, one.message_id)["last_error"] == "refused by the test channel"
