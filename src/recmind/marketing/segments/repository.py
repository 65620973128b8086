"""Stored segments: create, update (every rule change is a new version), delete, list, get.

A segment's id is a slug of its name (``"High spenders"`` -> ``high-spenders``) unless
one is given. Rules are validated against the store's catalogue before they are stored,
including references to other segments (unknown ones and cycles are refused); a segment
that others refer to cannot be deleted until they no longer do.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from typing import Any

import orjson
from sqlalchemy import Connection, delete, insert, select, update

from recmind.data.schema import segment_members, segment_versions, segments
from recmind.data.store import Store
from recmind.marketing.segments.catalogue import load_catalogue
from recmind.marketing.segments.rules import Rule, parse_rule, rule_to_json, segment_refs
from recmind.marketing.segments.validate import RulesOf, validate_rule

SEGMENT_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
MAX_NAME = 200


class SegmentNotFoundError(KeyError):
    """No segment has this id."""

    def __init__(self, segment_id: str) -> None:
        super().__init__(segment_id)
        self.segment_id = segment_id

    def __str__(self) -> str:
        return f"no segment {self.segment_id!r}"


class SegmentConflictError(ValueError):
    """The change would break something: a name or id taken, a segment still referred to."""


@dataclass(frozen=True)
class Segment:
    """A stored segment (``rule`` in its JSON form)."""

    segment_id: str
    name: str
    description: str | None
    rule: dict[str, Any]
    version: int
    builtin: bool
    created_at: float
    updated_at: float
    refreshed_at: float | None

    @property
    def parsed(self) -> Rule:
        return parse_rule(self.rule)

    def to_dict(self) -> dict[str, Any]:
        return {
            "segment_id": self.segment_id,
            "name": self.name,
            "description": self.description,
            "rule": self.rule,
            "version": self.version,
            "builtin": self.builtin,
            "created_at": self.created_at,
            "updated_at": self.updated_at,
            "refreshed_at": self.refreshed_at,
        }


def _segment(row: Any) -> Segment:
    return Segment(
        segment_id=row.segment_id,
        name=row.name,
        description=row.description,
        rule=orjson.loads(row.rule),
        version=int(row.version),
        builtin=bool(row.builtin),
        created_at=float(row.created_at),
        updated_at=float(row.updated_at),
        refreshed_at=None if row.refreshed_at is None else float(row.refreshed_at),
    )


def slugify(name: str) -> str:
    """A segment id from a name: lower-case ASCII letters, digits and dashes (``segment``
    when nothing of the name is left, e.g. a name in Chinese)."""
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:56].strip("-")
    return slug or "segment"


def _dump(rule: Rule) -> str:
    return orjson.dumps(rule_to_json(rule), option=orjson.OPT_SORT_KEYS).decode()


def list_segments(store: Store) -> list[Segment]:
    """Every stored segment, by id."""
    with store.engine.connect() as connection:
        rows = connection.execute(select(segments).order_by(segments.c.segment_id)).all()
    return [_segment(row) for row in rows]


def get_segment(store: Store, segment_id: str, connection: Connection | None = None) -> Segment:
    """The segment, or :class:`SegmentNotFoundError`."""
    query = select(segments).where(segments.c.segment_id == segment_id)
    if connection is None:
        with store.engine.connect() as own:
            row = own.execute(query).first()
    else:
        row = connection.execute(query).first()
    if row is None:
        raise SegmentNotFoundError(segment_id)
    return _segment(row)


def stored_rules(store: Store) -> dict[str, Rule]:
    """Every stored segment's rule by id (what ``{"segment": ID}`` refers to)."""
    with store.engine.connect() as connection:
        rows = connection.execute(select(segments.c.segment_id, segments.c.rule)).all()
    return {row.segment_id: parse_rule(row.rule) for row in rows}


def rules_lookup(store: Store) -> RulesOf:
    """A lookup of stored rules by segment id, read once."""
    found = stored_rules(store)
    return found.get


def versions(store: Store, segment_id: str) -> list[dict[str, Any]]:
    """The segment's versions, oldest first: ``{"version", "rule", "created_at"}``."""
    get_segment(store, segment_id)
    with store.engine.connect() as connection:
        rows = connection.execute(
            select(segment_versions)
            .where(segment_versions.c.segment_id == segment_id)
            .order_by(segment_versions.c.version)
        ).all()
    return [
        {"version": int(r.version), "rule": orjson.loads(r.rule), "created_at": r.created_at}
        for r in rows
    ]


def check_for(store: Store, data: Any, segment_id: str | None = None) -> Rule:
    """Parse and validate a rule for storing as ``segment_id`` (or for a preview)."""
    rule = parse_rule(data)
    validate_rule(rule, load_catalogue(store), rules_of=rules_lookup(store), segment_id=segment_id)
    return rule


def _check_name(name: str) -> str:
    name = name.strip()
    if not name or len(name) > MAX_NAME:
        raise SegmentConflictError(f"a segment name has 1 to {MAX_NAME} characters")
    return name


def _free_id(connection: Connection, base: str) -> str:
    taken = set(connection.execute(select(segments.c.segment_id)).scalars())
    candidate, n = base, 2
    while candidate in taken:
        candidate = f"{base[:58]}-{n}"
        n += 1
    return candidate


def _name_taken(connection: Connection, name: str, other_than: str | None = None) -> bool:
    query = select(segments.c.segment_id).where(segments.c.name == name)
    found = connection.execute(query).scalar()
    return found is not None and found != other_than


def create_segment(
    store: Store,
    name: str,
    rule: Any,
    *,
    description: str | None = None,
    segment_id: str | None = None,
    builtin: bool = False,
    now: float | None = None,
) -> Segment:
    """Store a new segment (version 1). ``rule`` is its JSON form or a parsed rule.

    Raises :class:`RuleError` for a bad rule and :class:`SegmentConflictError` when the
    name or id is taken or the id is malformed."""
    name = _check_name(name)
    if segment_id is not None and not SEGMENT_ID.match(segment_id):
        raise SegmentConflictError(
            f"a segment id is 1-64 lower-case letters, digits, '-' or '_' (got {segment_id!r})"
        )
    parsed = check_for(store, rule, segment_id)
    moment = time.time() if now is None else now
    with store.engine.begin() as connection:
        if _name_taken(connection, name):
            raise SegmentConflictError(f"a segment is already named {name!r}")
        if segment_id is None:
            segment_id = _free_id(connection, slugify(name))
        elif connection.execute(
            select(segments.c.segment_id).where(segments.c.segment_id == segment_id)
        ).first():
            raise SegmentConflictError(f"segment {segment_id!r} exists")
        text = _dump(parsed)
        connection.execute(
            insert(segments).values(
                segment_id=segment_id,
                name=name,
                description=description,
                rule=text,
                version=1,
                builtin=builtin,
                created_at=moment,
                updated_at=moment,
                refreshed_at=None,
            )
        )
        connection.execute(
            insert(segment_versions).values(
                segment_id=segment_id, version=1, rule=text, created_at=moment
            )
        )
        return get_segment(store, segment_id, connection)


def update_segment(
    store: Store,
    segment_id: str,
    *,
    rule: Any = None,
    name: str | None = None,
    description: str | None = None,
    now: float | None = None,
) -> Segment:
    """Change a segment's rule (a new version when it differs), name or description."""
    current = get_segment(store, segment_id)
    changes: dict[str, Any] = {}
    if name is not None and name.strip() != current.name:
        changes["name"] = _check_name(name)
    if description is not None:
        changes["description"] = description
    text = None
    if rule is not None:
        parsed = check_for(store, rule, segment_id)
        text = _dump(parsed)
        if orjson.loads(text) == current.rule:
            text = None
    moment = time.time() if now is None else now
    with store.engine.begin() as connection:
        if "name" in changes and _name_taken(connection, changes["name"], segment_id):
            raise SegmentConflictError(f"a segment is already named {changes['name']!r}")
        if text is not None:
            version = current.version + 1
            changes.update(rule=text, version=version)
            connection.execute(
                insert(segment_versions).values(
                    segment_id=segment_id, version=version, rule=text, created_at=moment
                )
            )
        if changes:
            changes["updated_at"] = moment
            connection.execute(
                update(segments).where(segments.c.segment_id == segment_id).values(**changes)
            )
        return get_segment(store, segment_id, connection)


def referring(store: Store, segment_id: str) -> list[str]:
    """The ids of segments whose rules name ``segment_id``."""
    return sorted(
        other
        for other, rule in stored_rules(store).items()
        if other != segment_id and segment_id in segment_refs(rule)
    )


def delete_segment(store: Store, segment_id: str) -> None:
    """Delete a segment with its versions and membership history."""
    get_segment(store, segment_id)
    users_of = referring(store, segment_id)
    if users_of:
        raise SegmentConflictError(
            f"segment {segment_id!r} is used by {', '.join(users_of)}: change those first"
        )
    with store.engine.begin() as connection:
        for table in (segment_members, segment_versions, segments):
            connection.execute(delete(table).where(table.c.segment_id == segment_id))
