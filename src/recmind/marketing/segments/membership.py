"""Materialised membership: who is in each segment, with when they entered and left.

A refresh evaluates the segment's rule at a moment (default now) and diffs it against
the open stays in ``segment_members`` in SQL, in one transaction: people no longer
selected get ``exited_at``; people newly selected get a new row (``entered_at`` = the
moment; a person who left earlier and comes back starts a new stay). Nothing is loaded
into Python but counts. Moments only move forward: a refresh at a moment before the
segment's last one is refused, so stays never overlap.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, and_, func, insert, literal, select, update

from recmind.data.schema import segment_members, segments
from recmind.data.store import Store
from recmind.data.write_lock import write_lock
from recmind.marketing.segments.compiler import compile_rule
from recmind.marketing.segments.repository import (
    SegmentConflictError,
    get_segment,
    stored_rules,
)
from recmind.marketing.segments.rules import Rule, segment_refs
from recmind.marketing.segments.session import tune


@dataclass(frozen=True)
class RefreshResult:
    """One segment's refresh: members after it, how many entered and exited."""

    segment_id: str
    as_of: float
    members: int
    entered: int
    exited: int
    seconds: float

    def to_dict(self) -> dict[str, Any]:
        return {
            "segment_id": self.segment_id,
            "as_of": self.as_of,
            "members": self.members,
            "entered": self.entered,
            "exited": self.exited,
            "seconds": round(self.seconds, 4),
        }


def _open(segment_id: str) -> Any:
    return and_(segment_members.c.segment_id == segment_id, segment_members.c.exited_at.is_(None))


def current_members_query(segment_id: str) -> Any:
    """``SELECT user_id, entered_at`` of the people in the segment now."""
    return select(segment_members.c.user_id, segment_members.c.entered_at).where(_open(segment_id))


def _count_open(connection: Connection, segment_id: str) -> int:
    found = connection.execute(
        select(func.count()).select_from(segment_members).where(_open(segment_id))
    ).scalar_one()
    return int(found)


def _apply(
    connection: Connection, segment_id: str, selected: Any, moment: float
) -> tuple[int, int, int]:
    """Close stays of people not selected, open stays for people newly selected; returns
    (members, entered, exited)."""
    before = _count_open(connection, segment_id)
    connection.execute(
        update(segment_members)
        .where(_open(segment_id), segment_members.c.user_id.not_in(selected))
        .values(exited_at=moment)
    )
    kept = _count_open(connection, segment_id)
    same_moment = connection.execute(
        select(literal(1)).where(
            segment_members.c.segment_id == segment_id, segment_members.c.entered_at == moment
        )
    ).first()
    if same_moment is not None:  # refreshed twice at one moment: reopen, never duplicate
        connection.execute(
            update(segment_members)
            .where(
                segment_members.c.segment_id == segment_id,
                segment_members.c.entered_at == moment,
                segment_members.c.exited_at.is_not(None),
                segment_members.c.user_id.in_(selected),
            )
            .values(exited_at=None)
        )
    still_in = select(segment_members.c.user_id).where(_open(segment_id))
    chosen = selected.subquery("selected")
    fresh = select(literal(segment_id), chosen.c.user_id, literal(moment)).where(
        chosen.c.user_id.not_in(still_in)
    )
    connection.execute(
        insert(segment_members).from_select(["segment_id", "user_id", "entered_at"], fresh)
    )
    after = _count_open(connection, segment_id)
    return after, after - kept, before - kept


def refresh_segment(
    store: Store,
    segment_id: str,
    *,
    as_of: float | None = None,
    rules: dict[str, Rule] | None = None,
) -> RefreshResult:
    """Materialise the segment's membership at ``as_of`` (default now)."""
    started = time.perf_counter()
    segment = get_segment(store, segment_id)
    moment = time.time() if as_of is None else float(as_of)
    if segment.refreshed_at is not None and moment < segment.refreshed_at:
        raise SegmentConflictError(
            f"segment {segment_id!r} was refreshed as of {segment.refreshed_at}: "
            f"membership cannot be rewritten as of an earlier moment ({moment})"
        )
    known = stored_rules(store) if rules is None else rules
    selected = compile_rule(segment.parsed, as_of=moment, dialect=store.dialect, rules_of=known.get)
    with write_lock(store), store.engine.begin() as connection:
        tune(connection)
        members, entered, exited = _apply(connection, segment_id, selected, moment)
        connection.execute(
            update(segments).where(segments.c.segment_id == segment_id).values(refreshed_at=moment)
        )
    return RefreshResult(
        segment_id, moment, members, entered, exited, time.perf_counter() - started
    )


def dependency_order(rules: dict[str, Rule]) -> list[str]:
    """Segment ids with every segment after the segments its rule names."""
    order: list[str] = []
    placed: set[str] = set()

    def place(segment_id: str, trail: tuple[str, ...]) -> None:
        if segment_id in placed or segment_id not in rules or segment_id in trail:
            return
        for ref in segment_refs(rules[segment_id]):
            place(ref, (*trail, segment_id))
        placed.add(segment_id)
        order.append(segment_id)

    for segment_id in sorted(rules):
        place(segment_id, ())
    return order


def refresh_all(
    store: Store,
    *,
    as_of: float | None = None,
    progress: Callable[[RefreshResult], None] | None = None,
) -> list[RefreshResult]:
    """Refresh every segment at one moment, segments others refer to first."""
    moment = time.time() if as_of is None else float(as_of)
    rules = stored_rules(store)
    results = []
    for segment_id in dependency_order(rules):
        result = refresh_segment(store, segment_id, as_of=moment, rules=rules)
        results.append(result)
        if progress is not None:
            progress(result)
    return results


def memberships(store: Store, user_id: str) -> list[dict[str, Any]]:
    """The segments a person is in now: ``{"segment_id", "name", "entered_at"}``."""
    with store.engine.connect() as connection:
        rows = connection.execute(
            select(segments.c.segment_id, segments.c.name, segment_members.c.entered_at)
            .join(segment_members, segment_members.c.segment_id == segments.c.segment_id)
            .where(segment_members.c.user_id == user_id, segment_members.c.exited_at.is_(None))
            .order_by(segments.c.segment_id)
        ).all()
    return [dict(row._mapping) for row in rows]


def members_page(
    store: Store, segment_id: str, *, offset: int = 0, limit: int = 100
) -> tuple[int, list[dict[str, Any]]]:
    """Total current members and one page of them (``user_id``, ``entered_at``), by id."""
    get_segment(store, segment_id)
    with store.engine.connect() as connection:
        total = connection.execute(
            select(func.count()).select_from(segment_members).where(_open(segment_id))
        ).scalar_one()
        rows = connection.execute(
            current_members_query(segment_id)
            .order_by(segment_members.c.user_id)
            .offset(offset)
            .limit(limit)
        ).all()
    return int(total), [dict(row._mapping) for row in rows]
