"""Planted input: good rows, duplicates and bad rows of every kind, written in any format.

Each planted row carries what the import must do with it: ``ok`` (stored), ``dup``
(a duplicate of an earlier good row, skipped), or ``(field, reason)`` (quarantined).
Rows the parser itself rejects (a CSV record with too many fields, a JSON line that does
not parse) are appended by the writers after the planted rows.
"""

from __future__ import annotations

import gzip
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

FUTURE = "2999-01-01T00:00:00Z"
TOO_OLD = "1985-05-05T00:00:00Z"
Expect = str | tuple[str | None, str]


@dataclass(frozen=True)
class Row:
    values: dict[str, Any]
    expect: Expect = "ok"


def _r(expect: Expect = "ok", **values: Any) -> Row:
    return Row(values, expect)


ITEMS = [
    _r(
        item_id="i1",
        title="Red shirt",
        price=19.99,
        stock=5,
        category="Tops",
        language="en",
        attributes={"size": "M"},
        color="red",
    ),
    _r(item_id="i2", title="Blue jeans", price=49.5, stock=0, category="Bottoms"),
    _r(item_id="i3", title="Green hat"),
    _r(item_id="i4", title="Yellow sock", price=0, stock=10, description="Warm"),
    _r("dup", item_id="i2", title="Blue jeans", price=49.5, stock=0, category="Bottoms"),
    _r(("title", "missing_required"), item_id="i5", title=""),
    _r(("item_id", "missing_required"), item_id="", title="No id"),
    _r(("price", "wrong_type"), item_id="i6", title="Bad price", price="abc"),
    _r(("stock", "wrong_type"), item_id="i7", title="Half stock", stock=2.5),
    _r(("price", "negative_value"), item_id="i8", title="Negative price", price=-1),
    _r(("stock", "negative_value"), item_id="i9", title="Negative stock", stock=-3),
    _r(("attributes", "malformed_json"), item_id="i10", title="List attrs", attributes="[1, 2]"),
    _r(("attributes", "malformed_json"), item_id="i11", title="Broken", attributes="{not json"),
    _r(("title", "missing_required"), item_id="i12", title="", price="abc"),
]

USERS = [
    _r(
        user_id="u1",
        created_at="2023-01-01T00:00:00Z",
        email="u1@example.com",
        consent_email="yes",
        timezone="Europe/Paris",
        plan="gold",
    ),
    _r(user_id="u2", created_at=1672617600, consent_email="0"),
    _r(user_id="u3", consent_email="TRUE"),
    _r(user_id="u4"),
    _r(("consent_email", "wrong_type"), user_id="u5", consent_email="maybe"),
    _r(("user_id", "missing_required"), user_id="", email="nobody@example.com"),
    _r(("created_at", "wrong_type"), user_id="u6", created_at="yesterday"),
    _r(("created_at", "future_timestamp"), user_id="u7", created_at=FUTURE),
    _r(("created_at", "timestamp_too_old"), user_id="u8", created_at=TOO_OLD),
    _r(("attributes", "malformed_json"), user_id="u10", attributes="[]"),
]


def _ev(  # noqa: PLR0917 - one planted event per line reads like a table
    expect: Expect,
    user: str | None,
    item: str | None,
    kind: str | None,
    ts: Any,
    value: Any = None,
    **extra: Any,
) -> Row:
    values = {"user_id": user, "item_id": item, "event_type": kind, "timestamp": ts, "value": value}
    return Row({k: v for k, v in {**values, **extra}.items() if v is not None}, expect)


def _rv(
    expect: Expect, user: str | None, item: str | None, rating: Any, ts: Any = None, **extra: Any
) -> Row:
    values = {"user_id": user, "item_id": item, "rating": rating, "timestamp": ts}
    return Row({k: v for k, v in {**values, **extra}.items() if v is not None}, expect)


T0 = 1704103200
"""2024-01-01T10:00:00Z"""

EVENTS = [
    _ev("ok", "u1", "i1", "view", "2024-01-01T10:00:00Z", event_id="e1"),
    _ev("ok", "u1", "i2", "click", T0),
    _ev("ok", "u2", "i1", "add_to_cart", "2024-01-02T10:00:00+02:00"),
    _ev("ok", "u2", "i1", "purchase", "2024-01-02T11:00:00Z", 19.99),
    _ev("ok", "u3", "i3", "rating", "2024-01-03T00:00:00Z", 4.5),
    _ev("ok", "u9", None, "search", "2024-01-04T00:00:00Z", query="red shirt"),
    _ev("ok", "u8", "i4", "view", "2024-01-05T00:00:00Z"),
    _ev("dup", "u1", "i2", "click", T0),
    _ev("dup", "u1", "i1", "view", T0 + 99, event_id="e1"),
    _ev(("user_id", "missing_required"), None, "i1", "view", T0),
    _ev(("event_type", "missing_required"), "u1", "i1", None, T0 + 1),
    _ev(("event_type", "unknown_event_type"), "u1", "i1", "like", T0 + 2),
    _ev(("item_id", "missing_required"), "u1", None, "view", T0 + 3),
    _ev(("item_id", "unknown_item"), "u1", "i99", "view", T0 + 4),
    _ev(("item_id", "unknown_item"), "u1", "i5", "view", T0 + 5),
    _ev(("timestamp", "future_timestamp"), "u1", "i1", "view", FUTURE),
    _ev(("timestamp", "timestamp_too_old"), "u1", "i1", "view", TOO_OLD),
    _ev(("timestamp", "wrong_type"), "u1", "i1", "view", "yesterday"),
    _ev(("timestamp", "missing_required"), "u1", "i1", "view", None),
    _ev(("value", "rating_out_of_range"), "u1", "i1", "rating", T0 + 6, 7),
    _ev(("value", "rating_out_of_range"), "u1", "i1", "rating", T0 + 7, 0.1),
    _ev(("value", "missing_required"), "u1", "i1", "rating", T0 + 8),
    _ev(("value", "wrong_type"), "u1", "i1", "purchase", T0 + 9, "abc"),
    _ev(("user_id", "missing_required"), None, "i99", "like", FUTURE),
]
"""The last row has four problems: the first (missing user) is the one reported."""

REVIEWS = [
    _rv("ok", "u1", "i1", 5, "2024-02-01T00:00:00Z", review_id="r1", text="Great"),
    _rv("ok", "u2", "i2", 3, "2024-02-02T00:00:00Z", text="Fine"),
    _rv("ok", "u7", "i3", None, text="No rating given"),
    _rv("dup", "u1", "i1", 4, review_id="r1", text="Edited"),
    _rv(("rating", "rating_out_of_range"), "u1", "i2", 6, text="Too high"),
    _rv(("item_id", "missing_required"), "u1", None, 4, text="No item"),
    _rv(("item_id", "unknown_item"), "u1", "i99", 4),
    _rv(("rating", "wrong_type"), "u1", "i3", "good"),
    _rv(("timestamp", "future_timestamp"), "u1", "i3", 4, FUTURE),
    _rv(("user_id", "missing_required"), None, "i3", 4),
]

PLANTED = {"items": ITEMS, "users": USERS, "events": EVENTS, "reviews": REVIEWS}
USERS_CREATED = {"items": 0, "users": 0, "events": 2, "reviews": 1}
"""Events create u9 and u8 (not in the users file); reviews create u7."""

FORMATS = ("csv", "csv.gz", "jsonl", "jsonl.gz", "parquet", "parquet.gz")
CSV_BROKEN = "too,many,fields,in,this,row,,,,,,,,,"
JSON_BROKEN = ['{"broken": ', "[1, 2, 3]"]


def _columns(rows: list[Row]) -> list[str]:
    return list(dict.fromkeys(name for row in rows for name in row.values))


def _as_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, dict):
        return orjson.dumps(value).decode()
    return str(value)


def _lines(entity: str, fmt: str) -> list[bytes]:
    rows = PLANTED[entity]
    columns = _columns(rows)
    if fmt.startswith("csv"):
        header = ",".join(columns)
        body = [",".join(_csv_cell(_as_text(row.values.get(c))) for c in columns) for row in rows]
        return [line.encode() for line in [header, *body, CSV_BROKEN]]
    objects = [orjson.dumps(row.values) for row in rows]
    return [*objects, *(line.encode() for line in JSON_BROKEN)]


def _csv_cell(text: str | None) -> str:
    if text is None:
        return ""
    if any(ch in text for ch in ',"\n'):
        return '"' + text.replace('"', '""') + '"'
    return text


def write_planted(entity: str, fmt: str, folder: Path) -> Path:
    """Write the planted rows of ``entity`` as ``folder/<entity>.<fmt>``."""
    path = folder / f"{entity}.{fmt}"
    base = fmt.removesuffix(".gz")
    if base == "parquet":
        rows = PLANTED[entity]
        table = pa.table(
            {
                c: pa.array([_as_text(r.values.get(c)) for r in rows], type=pa.string())
                for c in _columns(rows)
            }
        )
        sink = pa.BufferOutputStream()
        pq.write_table(table, sink)
        data = sink.getvalue().to_pybytes()
    else:
        data = b"\n".join(_lines(entity, base)) + b"\n"
    path.write_bytes(gzip.compress(data) if fmt.endswith(".gz") else data)
    return path


@dataclass(frozen=True)
class Expected:
    """What importing one planted file must report."""

    read: int
    imported: int
    duplicates: int
    users_created: int
    quarantined: dict[str, int]
    entries: set[tuple[int, str | None, str]]
    """(row, field, reason) of every quarantined row."""


def expected(entity: str, fmt: str) -> Expected:
    rows = PLANTED[entity]
    entries = {
        (number, row.expect[0], row.expect[1])
        for number, row in enumerate(rows, start=1)
        if isinstance(row.expect, tuple)
    }
    base = fmt.removesuffix(".gz")
    if base == "csv":
        entries.add((len(rows) + 1, None, "malformed_row"))
    elif base == "jsonl":
        entries |= {(len(rows) + 1 + i, None, "malformed_json") for i in range(len(JSON_BROKEN))}
    good = sum(row.expect == "ok" for row in rows)
    dups = sum(row.expect == "dup" for row in rows)
    return Expected(
        read=len(rows) + (len(entries) - sum(isinstance(r.expect, tuple) for r in rows)),
        imported=good,
        duplicates=dups,
        users_created=USERS_CREATED[entity],
        quarantined=dict(Counter(reason for _, _, reason in entries)),
        entries=entries,
    )


@pytest.fixture(params=FORMATS)
def planted_format(request: pytest.FixtureRequest) -> str:
    """Each supported format in turn."""
    fmt: str = request.param
    return fmt


class Planted:
    """The planted rows and helpers, handed to tests by the ``planted`` fixture."""

    rows = PLANTED
    formats = FORMATS

    @staticmethod
    def write(entity: str, fmt: str, folder: Path) -> Path:
        return write_planted(entity, fmt, folder)

    @staticmethod
    def expected(entity: str, fmt: str) -> Expected:
        return expected(entity, fmt)

    def write_all(self, fmt: str, folder: Path) -> dict[str, Path]:
        folder.mkdir(parents=True, exist_ok=True)
        return {entity: write_planted(entity, fmt, folder) for entity in PLANTED}


@pytest.fixture
def planted() -> Planted:
    return Planted()
