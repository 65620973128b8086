"""What a channel plugin is, and the registry that finds one by name.

A channel is a factory ``(settings) -> ChannelSession`` registered under the name the outbox
stores in ``outbox.channel`` (``email``, ``webhook``, ``onsite``). A session delivers a batch
of claimed outbox rows and reports one :class:`Outcome` per row; it may keep connections open
across the batch (SMTP does) and is closed when the batch is done.

``handoff(ids)`` is how a channel tells the outbox that messages are about to become
irrevocable: it opens a :class:`Handover` whose ``owned`` are the ids still claimed by this
worker; the channel drops the others unfinished, calls ``commit()``, sends the last step of
the owned ones at once, then calls ``confirm()`` (or ``abort()`` instead of ``commit()`` if
it cannot go on). A channel whose last step can
be withheld (SMTP's final dot) does this just before that step; a channel with no such step
(a webhook POST, whose receiver de-duplicates by ``Idempotency-Key``) does not call it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, Protocol

from recmind.config import Settings

OutcomeKind = Literal["sent", "retry", "dead", "bounced", "abandoned"]


class Handover(Protocol):
    """An open hand-off of some messages (:mod:`recmind.marketing.outbox.handoff`)."""

    owned: set[str]

    def commit(self) -> None: ...

    def confirm(self) -> None: ...

    def abort(self) -> None: ...


Handoff = Callable[[Sequence[str]], Handover]


@dataclass(frozen=True)
class Outcome:
    """What became of one message.

    ``sent`` (``detail``: a remark, e.g. that the reply to a handed-over message was lost),
    ``retry`` (a temporary failure: ``detail`` is the error), ``dead`` (a permanent one),
    ``bounced`` (the address does not take mail: dead, and the person is suppressed on the
    channel), ``abandoned`` (the claim was taken over by another worker before the hand-off:
    this worker neither sent nor records anything)."""

    message_id: str
    kind: OutcomeKind
    detail: str | None = None


class ChannelSession(Protocol):
    """One worker's open channel for a batch of messages."""

    def deliver(
        self, rows: Sequence[Mapping[str, Any]], handoff: Handoff, *, now: float
    ) -> Iterator[Outcome]:
        """One outcome per row, in any order (``now``: the moment of this pass)."""
        ...

    def close(self) -> None: ...


ChannelFactory = Callable[[Settings], ChannelSession]

_FACTORIES: dict[str, ChannelFactory] = {}


class UnknownChannelError(KeyError):
    """No channel is registered under that name."""


def register_channel(name: str) -> Callable[[ChannelFactory], ChannelFactory]:
    """Register the decorated factory as channel ``name`` (a second one under the same name
    replaces the first: a deployment may swap the built-in SMTP channel for its own)."""

    def register(factory: ChannelFactory) -> ChannelFactory:
        _FACTORIES[name] = factory
        return factory

    return register


def channel_names() -> list[str]:
    """The registered channels, sorted."""
    return sorted(_FACTORIES)


def open_channel(name: str, settings: Settings) -> ChannelSession:
    """A session of channel ``name`` (:class:`UnknownChannelError` if none is registered)."""
    factory = _FACTORIES.get(name)
    if factory is None:
        known = ", ".join(channel_names()) or "none"
        raise UnknownChannelError(f"no channel {name!r} is registered (known: {known})")
    return factory(settings)
