"""Reading the outbox and acting on it by hand: listing and counting messages, retrying dead
ones, and the on-site messages a person sees (and marks read).

A retry is only for ``dead`` messages (given up after errors) and ``pending`` ones (sent at
once instead of at their next attempt). A ``sent`` message is never sent again, and a
``skipped`` one stays skipped: a rule (consent, suppression, caps, holdout) said no, and a
person who said no is not asked twice.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, and_, case, func, or_, select, update

from recmind.data.schema import outbox
from recmind.data.store import Store
from recmind.data.write_lock import write_lock
from recmind.marketing.outbox.store import DEAD, PENDING, SENDING, SENT, SOURCE_KINDS, STATUSES

SUMMARY_COLUMNS = tuple(
    c for c in outbox.columns if c.name not in ("body_text", "body_html", "payload")
)


class OutboxNotFoundError(KeyError):
    """No message has that id or idempotency key."""


class OutboxStateError(ValueError):
    """The message is in a state that forbids the action (e.g. retrying a sent message)."""


class OutboxQueryError(ValueError):
    """A filter that cannot match anything (unknown status, malformed source)."""


def _source_condition(source: str) -> Any:
    """``campaign:spring``, ``journey:welcome`` or a bare source id."""
    kind, _, source_id = source.partition(":")
    if source_id:
        if kind not in SOURCE_KINDS:
            known = ", ".join(SOURCE_KINDS)
            raise OutboxQueryError(f"source {source!r}: kind must be one of {known}")
        return and_(outbox.c.source_kind == kind, outbox.c.source_id == source_id)
    return outbox.c.source_id == source


def _filtered(
    query: Select[Any],
    *,
    status: str | None,
    user_id: str | None,
    source: str | None,
    channel: str | None,
) -> Select[Any]:
    if status is not None:
        if status not in STATUSES:
            raise OutboxQueryError(f"unknown status {status!r}; known: {', '.join(STATUSES)}")
        query = query.where(outbox.c.status == status)
    if user_id is not None:
        query = query.where(outbox.c.user_id == user_id)
    if source is not None:
        query = query.where(_source_condition(source))
    if channel is not None:
        query = query.where(outbox.c.channel == channel)
    return query


def list_messages(
    store: Store,
    *,
    status: str | None = None,
    user_id: str | None = None,
    source: str | None = None,
    channel: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[int, list[dict[str, Any]]]:
    """``(total, page)`` of matching messages, newest first, without their bodies."""
    filters = {"status": status, "user_id": user_id, "source": source, "channel": channel}
    count = _filtered(select(func.count()).select_from(outbox), **filters)
    page = _filtered(select(*SUMMARY_COLUMNS), **filters).order_by(
        outbox.c.created_at.desc(), outbox.c.message_id
    )
    with store.engine.connect() as connection:
        total = int(connection.execute(count).scalar_one())
        rows = connection.execute(page.limit(limit).offset(offset)).all()
    return total, [dict(r._mapping) for r in rows]


def get_message(store: Store, message_id_or_key: str) -> dict[str, Any]:
    """One message, every column, by its id or its idempotency key."""
    query = select(outbox).where(
        or_(outbox.c.message_id == message_id_or_key, outbox.c.idempotency_key == message_id_or_key)
    )
    with store.engine.connect() as connection:
        found = connection.execute(query).first()
    if found is None:
        raise OutboxNotFoundError(f"no outbox message {message_id_or_key!r}")
    return dict(found._mapping)


def outbox_stats(store: Store, *, now: float, source: str | None = None) -> dict[str, Any]:
    """Counts by status and by channel, what is due, claims in flight, and the commonest
    skip and dead reasons."""
    where = [] if source is None else [_source_condition(source)]
    due = and_(outbox.c.status == PENDING, outbox.c.next_attempt_at <= now)
    with store.engine.connect() as connection:
        by_channel: dict[str, dict[str, int]] = {}
        for channel, status, n in connection.execute(
            select(outbox.c.channel, outbox.c.status, func.count())
            .where(*where)
            .group_by(outbox.c.channel, outbox.c.status)
        ):
            by_channel.setdefault(channel, {})[status] = int(n)
        due_now, oldest = connection.execute(
            select(
                func.sum(case((due, 1), else_=0)),
                func.min(case((due, outbox.c.next_attempt_at), else_=None)),
            ).where(*where)
        ).one()
        reasons = {}
        for column, status in ((outbox.c.skip_reason, "skipped"), (outbox.c.last_error, DEAD)):
            reasons[status] = {
                str(reason): int(n)
                for reason, n in connection.execute(
                    select(column, func.count())
                    .where(outbox.c.status == status, *where)
                    .group_by(column)
                    .order_by(func.count().desc(), column)
                    .limit(10)
                )
            }
    by_status = dict.fromkeys(STATUSES, 0)
    for counts in by_channel.values():
        for status, n in counts.items():
            by_status[status] = by_status.get(status, 0) + n
    return {
        "total": sum(by_status.values()),
        "by_status": by_status,
        "by_channel": by_channel,
        "due_now": int(due_now or 0),
        "oldest_due_seconds": None if oldest is None else max(0.0, now - float(oldest)),
        "skip_reasons": reasons["skipped"],
        "dead_reasons": reasons[DEAD],
    }


def retry_message(store: Store, message_id_or_key: str, *, now: float) -> dict[str, Any]:
    """Make a ``dead`` message (attempts reset) or a ``pending`` one due now; returns the
    row. :class:`OutboxStateError` for any other state."""
    found = get_message(store, message_id_or_key)
    if found["status"] not in (DEAD, PENDING):
        raise OutboxStateError(
            f"message {found['message_id']} is {found['status']}: only dead or pending "
            "messages can be retried (a sent message is never sent twice; a skipped one was "
            "refused by a rule)"
        )
    values: dict[str, Any] = {"status": PENDING, "next_attempt_at": now}
    if found["status"] == DEAD:
        values |= {"attempts": 0, "last_error": f"retried by hand; was: {found['last_error']}"}
    statement = (
        update(outbox)
        .where(outbox.c.message_id == found["message_id"], outbox.c.status == found["status"])
        .values(**values)
    )
    with write_lock(store), store.engine.begin() as connection:
        if connection.execute(statement).rowcount != 1:
            raise OutboxStateError(f"message {found['message_id']} changed meanwhile: try again")
    return get_message(store, str(found["message_id"]))


def retry_dead(store: Store, *, now: float, source: str | None = None) -> int:
    """Make every ``dead`` message (of ``source``) pending and due now; returns how many."""
    statement = (
        update(outbox)
        .where(outbox.c.status == DEAD, *([] if source is None else [_source_condition(source)]))
        .values(status=PENDING, next_attempt_at=now, attempts=0)
    )
    with write_lock(store), store.engine.begin() as connection:
        return int(connection.execute(statement).rowcount)


def in_flight(store: Store, *, now: float) -> int:
    """Messages claimed by a worker whose claim has not expired (being sent now)."""
    query = select(func.count()).where(
        outbox.c.status.in_((SENDING, "handoff")), outbox.c.claimed_until >= now
    )
    with store.engine.connect() as connection:
        return int(connection.execute(query).scalar_one())


# --- on-site messages --------------------------------------------------------------------


def onsite_messages(
    store: Store, user_id: str, *, unread_only: bool = False, limit: int = 50
) -> list[dict[str, Any]]:
    """The on-site messages ``user_id`` may see (delivered: status ``sent``), newest first."""
    query = select(
        outbox.c.message_id,
        outbox.c.subject,
        outbox.c.body_text,
        outbox.c.body_html,
        outbox.c.payload,
        outbox.c["items"],
        outbox.c.source_kind,
        outbox.c.source_id,
        outbox.c.sent_at,
        outbox.c.read_at,
    ).where(outbox.c.user_id == user_id, outbox.c.channel == "onsite", outbox.c.status == SENT)
    if unread_only:
        query = query.where(outbox.c.read_at.is_(None))
    query = query.order_by(outbox.c.sent_at.desc(), outbox.c.message_id).limit(limit)
    with store.engine.connect() as connection:
        return [dict(r._mapping) for r in connection.execute(query)]


def mark_read(store: Store, user_id: str, message_id: str, *, now: float) -> float:
    """Mark ``user_id``'s on-site message read (the first time counts); returns ``read_at``.
    :class:`OutboxNotFoundError` if the person has no such delivered message."""
    mine = and_(
        outbox.c.message_id == message_id,
        outbox.c.user_id == user_id,
        outbox.c.channel == "onsite",
        outbox.c.status == SENT,
    )
    with write_lock(store), store.engine.begin() as connection:
        connection.execute(
            update(outbox).where(mine, outbox.c.read_at.is_(None)).values(read_at=now)
        )
        read_at = connection.execute(select(outbox.c.read_at).where(mine)).scalar()
    if read_at is None:
        raise OutboxNotFoundError(f"user {user_id!r} has no on-site message {message_id!r}")
    return float(read_at)
