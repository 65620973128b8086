"""Per-channel consent: who said yes to which channel.

The rule, per channel:

- a ``consents`` row (the latest word, from the API, the CLI or an import) wins;
- otherwise, for **email**, the profile's ``users.consent_email``: True is consent, False and
  unknown (None, or no profile) are not: email without a recorded yes is never sent;
- otherwise, for **webhook** (push, SMS through a provider): no consent;
- otherwise, for **on-site** messages: consent, since they are shown only to a person who is
  on the site; a ``consents`` row with ``granted`` false withdraws it.

Setting email consent also writes ``users.consent_email`` when the person has a profile, so
segments over the profile field agree with what the send-time check sees.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import Connection, select, update

from recmind.data.online_checks import text_problem
from recmind.data.schema import consents, users
from recmind.data.store import Store
from recmind.data.write_lock import write_lock
from recmind.marketing.messages import CHANNELS
from recmind.marketing.policy.sql import chunks, dialect_insert

ConsentSource = Literal["consents", "profile", "default"]


class ConsentError(ValueError):
    """A consent request the store cannot hold (an unknown channel)."""


@dataclass(frozen=True)
class Consent:
    """The consent in force for one person and channel, and where it comes from."""

    user_id: str
    channel: str
    granted: bool
    source: ConsentSource
    updated_at: float | None = None
    note: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "user_id": self.user_id,
            "channel": self.channel,
            "granted": self.granted,
            "source": self.source,
            "updated_at": self.updated_at,
            "note": self.note,
        }


def check_channel(channel: str) -> str:
    if channel not in CHANNELS:
        raise ConsentError(f"unknown channel {channel!r}; known: {', '.join(CHANNELS)}")
    return channel


def default_consent(channel: str, consent_email: bool | None) -> bool:
    """Consent without a ``consents`` row (see the module docstring)."""
    if channel == "email":
        return consent_email is True
    return channel == "onsite"


def set_consent(
    store: Store,
    user_id: str,
    channel: str,
    granted: bool,
    *,
    now: float,
    source: str | None = None,
) -> Consent:
    """Record ``granted`` for ``user_id`` on ``channel`` (replacing any earlier word)."""
    check_channel(channel)
    if not user_id or text_problem(user_id) or (source is not None and text_problem(source)):
        raise ConsentError(f"not storable text: user id {user_id!r}, source {source!r}")
    with write_lock(store), store.engine.begin() as connection:
        statement = dialect_insert(connection, consents).values(
            user_id=user_id, channel=channel, granted=granted, updated_at=now, source=source
        )
        connection.execute(
            statement.on_conflict_do_update(
                index_elements=[consents.c.user_id, consents.c.channel],
                set_={
                    "granted": statement.excluded.granted,
                    "updated_at": statement.excluded.updated_at,
                    "source": statement.excluded.source,
                },
            )
        )
        if channel == "email":
            connection.execute(
                update(users).where(users.c.user_id == user_id).values(consent_email=granted)
            )
    return Consent(user_id, channel, granted, "consents", now, source)


def get_consents(store: Store, user_id: str) -> list[Consent]:
    """The consent in force on every channel for ``user_id``."""
    with store.engine.connect() as connection:
        rows = {
            row.channel: row
            for row in connection.execute(
                select(consents).where(consents.c.user_id == user_id)
            ).all()
        }
        profile = connection.execute(
            select(users.c.consent_email).where(users.c.user_id == user_id)
        ).first()
    consent_email = None if profile is None else profile[0]
    out = []
    for channel in CHANNELS:
        row = rows.get(channel)
        if row is not None:
            out.append(
                Consent(user_id, channel, bool(row.granted), "consents", row.updated_at, row.source)
            )
        elif channel == "email" and consent_email is not None:
            out.append(Consent(user_id, channel, bool(consent_email), "profile"))
        else:
            out.append(Consent(user_id, channel, default_consent(channel, None), "default"))
    return out


def has_consent(store: Store, user_id: str, channel: str) -> bool:
    """Whether ``user_id`` may get messages on ``channel`` as far as consent goes."""
    check_channel(channel)
    return next(c.granted for c in get_consents(store, user_id) if c.channel == channel)


def consent_rows(connection: Connection, user_ids: Sequence[str]) -> dict[tuple[str, str], bool]:
    """``(user_id, channel) -> granted`` of every ``consents`` row of ``user_ids``."""
    out: dict[tuple[str, str], bool] = {}
    for part in chunks(user_ids):
        query = select(consents.c.user_id, consents.c.channel, consents.c.granted).where(
            consents.c.user_id.in_(part)
        )
        for user_id, channel, granted in connection.execute(query):
            out[(user_id, channel)] = bool(granted)
    return out
