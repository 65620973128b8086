"""Frequency caps: at most COUNT messages per person on a channel within a sliding window.

A cap is written ``CHANNEL:COUNT/WINDOW``: ``email:2/1d`` (two emails a day), ``*:8/7d``
(eight messages a week on all channels together). The settings refuse a malformed cap when
they load (:data:`recmind.config.marketing.CAP_PATTERN`); :func:`parse_cap` turns one into a
:class:`Cap`.

What counts: the person's outbox rows with status ``sent`` or ``handoff`` (handed to the
channel: counted as sent even if the worker died before recording it), other than test sends,
whose moment (``sent_at``, else ``created_at``) lies in ``[now - window, now]``. Messages let
through earlier in the same batch count too (:class:`CapCounter`), so a batch holding several
messages for one person cannot go over the cap; and so do messages other workers are
delivering at this moment (claimed, status ``sending``) and that were written before it: a
message that would break a cap only with them is held back briefly (decided again once
their outcome is known) instead of skipped or sent, so two workers cannot together go over
a cap, and the older message always goes first.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import Connection, and_, case, func, select

from recmind.config.marketing import CAP_PATTERN
from recmind.data.schema import outbox
from recmind.marketing.policy.sql import chunks

COUNTED_STATUSES = ("sent", "handoff")
UNIT_SECONDS = {"h": 3600.0, "d": 86400.0}


class CapError(ValueError):
    """A cap that is not ``CHANNEL:COUNT/WINDOW``."""


@dataclass(frozen=True)
class Cap:
    """At most ``count`` messages on ``channel`` (``*``: any) within ``window_seconds``."""

    channel: str
    count: int
    window_seconds: float
    text: str

    def applies_to(self, channel: str) -> bool:
        return self.channel in ("*", channel)


def parse_cap(text: str) -> Cap:
    """``"email:2/1d"`` -> ``Cap("email", 2, 86400.0, "email:2/1d")``."""
    found = CAP_PATTERN.match(text.strip())
    if found is None:
        raise CapError(
            f"cap {text!r} is not CHANNEL:COUNT/WINDOW (e.g. email:2/1d, *:8/7d; window in h or d)"
        )
    window = int(found["amount"]) * UNIT_SECONDS[found["unit"]]
    if window <= 0:
        raise CapError(f"cap {text!r}: the window must be longer than zero")
    return Cap(found["channel"], int(found["count"]), window, text.strip())


def parse_caps(texts: Iterable[str]) -> list[Cap]:
    return [parse_cap(t) for t in texts]


@dataclass(frozen=True)
class CapCheck:
    """A cap another message would break: ``settled`` when delivered messages alone reach
    it (skip), False when it is reached only counting messages other workers are delivering
    right now (wait for their outcome)."""

    cap: Cap
    settled: bool


class CapCounter:
    """Each person's counted messages per cap, read once for a batch, then kept current as
    the batch's messages are let through. Besides delivered messages it counts those other
    workers hold claimed (status ``sending``) at this moment: they may be delivered any
    second, so a message that would go over a cap with them waits rather than races them."""

    def __init__(
        self,
        caps: Sequence[Cap],
        counts: dict[str, list[int]],
        in_flight: dict[str, list[tuple[tuple[float, str], str]]] | None = None,
    ) -> None:
        self.caps = list(caps)
        self._counts: defaultdict[str, list[int]] = defaultdict(
            lambda: [0] * len(self.caps), counts
        )
        self._in_flight = in_flight or {}

    @classmethod
    def load(
        cls,
        connection: Connection,
        caps: Sequence[Cap],
        user_ids: Sequence[str],
        *,
        now: float,
        deciding: Sequence[str] = (),
    ) -> CapCounter:
        """Count the outbox for ``user_ids``: delivered messages with one grouped query per
        chunk of people (every cap a conditional sum over its window), and the few messages
        claimed by others now. ``deciding``: the message ids being decided (claimed by the
        caller: not in flight)."""
        if not caps or not user_ids:
            return cls(caps, {})
        moment = func.coalesce(outbox.c.sent_at, outbox.c.created_at)
        sums = [
            func.sum(
                case(
                    (
                        and_(
                            moment >= now - cap.window_seconds,
                            *([] if cap.channel == "*" else [outbox.c.channel == cap.channel]),
                        ),
                        1,
                    ),
                    else_=0,
                )
            )
            for cap in caps
        ]
        widest = max(cap.window_seconds for cap in caps)
        counts: dict[str, list[int]] = {}
        in_flight: dict[str, list[tuple[tuple[float, str], str]]] = {}
        own = set(deciding)
        for part in chunks(user_ids):
            delivered = (
                select(outbox.c.user_id, *sums)
                .where(
                    outbox.c.user_id.in_(part),
                    outbox.c.status.in_(COUNTED_STATUSES),
                    outbox.c.source_kind != "test",
                    moment >= now - widest,
                    moment <= now,
                )
                .group_by(outbox.c.user_id)
            )
            for row in connection.execute(delivered):
                counts[row[0]] = [int(v or 0) for v in row[1:]]
            claimed = select(
                outbox.c.message_id, outbox.c.user_id, outbox.c.channel, outbox.c.created_at
            ).where(
                outbox.c.user_id.in_(part),
                outbox.c.status == "sending",
                outbox.c.claimed_until >= now,
                outbox.c.source_kind != "test",
            )
            for message_id, user_id, channel, created_at in connection.execute(claimed):
                if message_id not in own:
                    order = (float(created_at), str(message_id))
                    in_flight.setdefault(user_id, []).append((order, str(channel)))
        return cls(caps, counts, in_flight)

    def check(
        self, user_id: str, channel: str, order: tuple[float, str] | None = None
    ) -> CapCheck | None:
        """The first cap another message on ``channel`` would break, or None. ``order``:
        the message's ``(created_at, message_id)``; it waits only for in-flight messages
        before it, so of two workers' messages the older goes first and neither waits for
        the other forever (without ``order``, every in-flight message counts)."""
        counts = self._counts.get(user_id) or [0] * len(self.caps)
        for cap, count in zip(self.caps, counts, strict=True):
            if cap.applies_to(channel) and count >= cap.count:
                return CapCheck(cap, settled=True)
        earlier = [c for o, c in self._in_flight.get(user_id, ()) if order is None or o < order]
        if earlier:
            for cap, count in zip(self.caps, counts, strict=True):
                more = sum(cap.applies_to(c) for c in earlier)
                if cap.applies_to(channel) and count + more >= cap.count:
                    return CapCheck(cap, settled=False)
        return None

    def reached(self, user_id: str, channel: str) -> Cap | None:
        """The first cap another message would break, counting in-flight messages too."""
        found = self.check(user_id, channel)
        return None if found is None else found.cap

    def record(self, user_id: str, channel: str) -> None:
        """Count a message let through now (later messages of the batch see it)."""
        counts = self._counts[user_id]
        for index, cap in enumerate(self.caps):
            if cap.applies_to(channel):
                counts[index] += 1
