"""What the send-time rules need to know about a batch of people, read with a few set-based
queries (one per table and chunk of ids) instead of several queries per message."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Connection, select

from recmind.data.schema import tombstones, users
from recmind.data.tombstones import subject_of
from recmind.marketing.policy.caps import Cap, CapCounter
from recmind.marketing.policy.consent import consent_rows
from recmind.marketing.policy.sql import chunks
from recmind.marketing.policy.suppression import Suppression, suppressed_many


@dataclass(frozen=True)
class Profile:
    """The profile fields the rules read."""

    consent_email: bool | None
    timezone: str | None


@dataclass
class PeopleFacts:
    """Profiles, erasures, consents, suppressions and cap counts of a batch of people."""

    profiles: dict[str, Profile]
    erased: dict[str, float]
    consents: dict[tuple[str, str], bool]
    suppressions: dict[tuple[str, str], Suppression]
    caps: CapCounter

    @classmethod
    def load(
        cls,
        connection: Connection,
        user_ids: Sequence[str],
        *,
        secret: str,
        caps: Sequence[Cap],
        now: float,
        deciding: Sequence[str] = (),
    ) -> PeopleFacts:
        """``deciding``: the message ids of the batch (not counted as in flight)."""
        people = sorted(set(user_ids))
        return cls(
            profiles=_profiles(connection, people),
            erased=_erased(connection, people, secret),
            consents=consent_rows(connection, people),
            suppressions=suppressed_many(connection, people),
            caps=CapCounter.load(connection, caps, people, now=now, deciding=deciding),
        )

    def suppression(self, user_id: str, channel: str) -> Suppression | None:
        return self.suppressions.get((user_id, channel)) or self.suppressions.get((user_id, "*"))


def _profiles(connection: Connection, user_ids: Sequence[str]) -> dict[str, Profile]:
    out: dict[str, Profile] = {}
    for part in chunks(user_ids):
        query = select(users.c.user_id, users.c.consent_email, users.c.timezone).where(
            users.c.user_id.in_(part)
        )
        for user_id, consent_email, timezone in connection.execute(query):
            out[user_id] = Profile(None if consent_email is None else bool(consent_email), timezone)
    return out


def _erased(connection: Connection, user_ids: Sequence[str], secret: str) -> dict[str, float]:
    """``user_id -> erased_at`` of the ids with a tombstone (one keyed hash per id)."""
    by_subject = {subject_of(u, secret): u for u in user_ids}
    out: dict[str, float] = {}
    subjects = list(by_subject)
    for part in chunks(subjects):
        query = select(tombstones.c.subject, tombstones.c.erased_at).where(
            tombstones.c.subject.in_(part)
        )
        for subject, erased_at in connection.execute(query):
            out[by_subject[subject]] = float(erased_at)
    return out
