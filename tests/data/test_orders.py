"""Orders: validation with reasons, import (CSV, JSON Lines) with quarantine, upsert of a
later status, one-at-a-time writes, a person's orders (SQLite and PostgreSQL)."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import orjson
import pandas as pd
import pytest

from recmind.config import Settings
from recmind.data.importer import import_files
from recmind.data.orders import (
    InvalidRecordError,
    get_order,
    orders_for_user,
    patch_order,
    put_order,
)
from recmind.data.quarantine import read_quarantine
from recmind.data.store import Store
from recmind.data.validate import ValidationContext, validate

LINE = {"item_id": "i1", "quantity": 2, "unit_price": 19.99}
GOOD: dict[str, Any] = {
    "order_id": "o1",
    "user_id": "u1",
    "created_at": "2026-03-01T10:00:00Z",
    "status": "Shipped",
    "lines": [LINE, {"item_id": "i2", "quantity": 1, "unit_price": 49.5}],
    "total": 89.48,
    "currency": "eur",
    "carrier": "Parcelink",
    "tracking_number": "PL123456789",
    "expected_delivery": "2026-03-04T18:00:00Z",
}
BAD: list[tuple[dict[str, Any], str, str]] = [
    ({"order_id": ""}, "order_id", "missing_required"),
    ({"user_id": None}, "user_id", "missing_required"),
    ({"created_at": None}, "created_at", "missing_required"),
    ({"status": None}, "status", "missing_required"),
    ({"lines": None}, "lines", "missing_required"),
    ({"created_at": "yesterday"}, "created_at", "wrong_type"),
    ({"lines": "[not json"}, "lines", "malformed_lines"),
    ({"lines": []}, "lines", "malformed_lines"),
    ({"lines": [{**LINE, "quantity": 0}]}, "lines", "malformed_lines"),
    ({"lines": [{**LINE, "quantity": 1.5}]}, "lines", "malformed_lines"),
    ({"lines": [{**LINE, "unit_price": -1}]}, "lines", "malformed_lines"),
    ({"lines": [{"item_id": "i1", "qty": 2, "unit_price": 1}]}, "lines", "malformed_lines"),
    ({"lines": [{"item_id": "", "quantity": 1, "unit_price": 1}]}, "lines", "malformed_lines"),
    ({"lines": {"item_id": "i1"}}, "lines", "malformed_lines"),
    ({"lines": [{**LINE, "unit_price": "1e400"}]}, "lines", "malformed_lines"),
    ({"lines": [{**LINE, "quantity": 10**7}]}, "lines", "malformed_lines"),
    ({"total": "lots"}, "total", "wrong_type"),
    ({"expected_delivery": "soon"}, "expected_delivery", "wrong_type"),
    ({"status": "lost"}, "status", "unknown_order_status"),
    ({"currency": "euro"}, "currency", "invalid_currency"),
    ({"total": -5}, "total", "negative_value"),
    ({"created_at": "2999-01-01T00:00:00Z"}, "created_at", "future_timestamp"),
    ({"created_at": "1985-01-01T00:00:00Z"}, "created_at", "timestamp_too_old"),
    ({"expected_delivery": "1985-01-01T00:00:00Z"}, "expected_delivery", "timestamp_too_old"),
    ({"lines": [{**LINE, "item_id": "ghost"}]}, "lines", "unknown_line_item"),
]


def _context(settings: Settings) -> ValidationContext:
    return ValidationContext.from_settings(settings, known_items=pd.Index(["i1", "i2"]))


def test_a_good_order_is_canonical(settings: Settings) -> None:
    frame = pd.DataFrame({k: pd.Series([v], dtype=object) for k, v in GOOD.items()})
    result = validate("orders", frame, _context(settings))
    assert result.rejected.empty
    row = result.clean.iloc[0]
    assert row["status"] == "shipped" and row["currency"] == "EUR"
    assert row["created_at"] == pd.Timestamp("2026-03-01T10:00:00Z").timestamp()
    assert row["lines"][0] == {"item_id": "i1", "quantity": 2, "unit_price": 19.99}


@pytest.mark.parametrize(("change", "field", "reason"), BAD)
def test_each_bad_order_is_rejected_with_its_reason(
    settings: Settings, change: dict[str, Any], field: str, reason: str
) -> None:
    record = {**GOOD, **change}
    frame = pd.DataFrame({k: pd.Series([v], dtype=object) for k, v in record.items()})
    result = validate("orders", frame, _context(settings))
    assert result.clean.empty
    assert (result.rejected["field"].iat[0], result.rejected["reason"].iat[0]) == (field, reason)


def _catalogue(store: Store, folder: Path) -> Path:
    path = folder / "items.csv"
    path.write_text("item_id,title,price\ni1,Red shirt,19.99\ni2,Blue jeans,49.5\n")
    return path


def _write(folder: Path, fmt: str, records: list[dict[str, Any]]) -> Path:
    path = folder / f"orders.{fmt}"
    if fmt == "jsonl":
        path.write_bytes(b"\n".join(orjson.dumps(r) for r in records) + b"\n")
        return path
    columns = list(dict.fromkeys(k for r in records for k in r))
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(columns)
        for record in records:
            cells = [record.get(c) for c in columns]
            writer.writerow(["" if v is None else _text(v) for v in cells])
    return path


def _text(value: Any) -> str:
    return orjson.dumps(value).decode() if isinstance(value, list | dict) else str(value)


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_import_orders_with_quarantine_and_a_later_status(
    store: Store, settings: Settings, tmp_path: Path, fmt: str
) -> None:
    bad = [{**GOOD, "order_id": f"bad{n}", **change} for n, (change, _, _) in enumerate(BAD)]
    bad = [r for r in bad if r["order_id"]] + [{**GOOD, "order_id": "", "user_id": "u9"}]
    second = {**GOOD, "order_id": "o2", "user_id": "u2", "status": "placed", "carrier": None}
    files = {"items": _catalogue(store, tmp_path), "orders": _write(tmp_path, fmt, [GOOD, second])}
    quarantine = tmp_path / "quarantine"
    summary = import_files(store, **files, quarantine_dir=quarantine, settings=settings)
    orders = summary.sources[1]
    assert (orders.entity, orders.imported, orders.users_created) == ("orders", 2, 2)
    assert store.counts()["orders"] == 2 and store.counts()["users"] == 2

    # a later export: o1 delivered, o2 unchanged, and every kind of bad row
    later = [{**GOOD, "status": "delivered"}, second, *bad]
    files["orders"] = _write(tmp_path, fmt, later)
    summary = import_files(store, **files, quarantine_dir=quarantine, settings=settings)
    orders = summary.sources[1]
    assert (orders.imported, orders.duplicates) == (1, 1)
    assert orders.total_quarantined == len(BAD)
    assert orders.quarantine_file is not None
    entries = read_quarantine(orders.quarantine_file)
    reasons = sorted((e["field"], e["reason"]) for e in entries)
    assert reasons == sorted([(f, r) for _, f, r in BAD])
    assert all(e["message"] for e in entries)
    found = get_order(store, "o1")
    assert found is not None and found["status"] == "delivered"
    assert found["lines"] == GOOD["lines"] and found["currency"] == "EUR"
    assert found["expected_delivery"] == pd.Timestamp("2026-03-04T18:00:00Z").timestamp()


def test_orders_for_user_returns_only_theirs_newest_first(
    store: Store, settings: Settings, tmp_path: Path
) -> None:
    import_files(store, items=_catalogue(store, tmp_path), quarantine_dir=tmp_path / "q")
    put_order(store, "a-old", {**GOOD, "created_at": 1.7e9}, settings)
    put_order(store, "a-new", {**GOOD, "created_at": 1.75e9}, settings)
    put_order(store, "b-1", {**GOOD, "user_id": "someone-else"}, settings)
    mine, total = orders_for_user(store, "u1")
    assert total == 2 and [o["order_id"] for o in mine] == ["a-new", "a-old"]
    assert {o["user_id"] for o in mine} == {"u1"}
    page, total = orders_for_user(store, "u1", limit=1, offset=1)
    assert total == 2 and [o["order_id"] for o in page] == ["a-old"]
    assert orders_for_user(store, "nobody") == ([], 0)


def test_put_and_patch_validate_like_the_import(
    store: Store, settings: Settings, tmp_path: Path
) -> None:
    import_files(store, items=_catalogue(store, tmp_path), quarantine_dir=tmp_path / "q")
    record = {k: v for k, v in GOOD.items() if k != "order_id"}
    stored, created = put_order(store, "o1", record, settings)
    assert created and stored["status"] == "shipped" and stored["total"] == 89.48
    assert put_order(store, "o1", record, settings)[1] is False
    patched = patch_order(store, "o1", {"status": "returned"}, settings)
    assert patched is not None and patched["status"] == "returned"
    assert patched["tracking_number"] == "PL123456789"
    assert patch_order(store, "missing", {"status": "paid"}, settings) is None
    for change, field, reason in [
        ({"status": "lost"}, "status", "unknown_order_status"),
        ({"lines": [{**LINE, "item_id": "ghost"}]}, "lines", "unknown_line_item"),
        ({"carrier": "bad\x00carrier"}, "carrier", "invalid_text"),
        ({"lines": [{**LINE, "item_id": "nul\x00"}]}, "lines", "invalid_text"),
        ({"colour": "red"}, "colour", "unknown_field"),
    ]:
        with pytest.raises(InvalidRecordError) as caught:
            patch_order(store, "o1", change, settings)
        assert (caught.value.field, caught.value.reason) == (field, reason)
    still = get_order(store, "o1")
    assert still is not None and still["status"] == "returned"  # nothing was lost
