"""``recmind audiences buyers|lookalike`` end to end on a real SQLite store (and the store
reader on PostgreSQL too): the exact JSON shape, the same audience as the in-memory core
on the same events, and clear errors for bad input."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest
from tests.marketing.shop_log import DAY, START, item_id, shop_events, shop_items
from tests.marketing.test_lookalike import SEEDS, TWINS, planted
from typer.testing import CliRunner

from recmind.cli.main import app
from recmind.data.bundle import DataBundle
from recmind.data.importer import import_bundle
from recmind.data.store import Store
from recmind.marketing.audiences import BuyersConfig, EventLog, find_buyers
from recmind.marketing.audiences.source import events_before

AS_OF = START + 110 * DAY
AS_OF_TEXT = datetime.fromtimestamp(AS_OF, tz=UTC).isoformat()
TARGETS = [item_id(1, i) for i in range(4)]


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args), env={"COLUMNS": "200"})
    return result.exit_code, result.stdout, result.output


@pytest.fixture(scope="module")
def events() -> pd.DataFrame:
    return planted(shop_events(n_users=120))


def fill(store: Store, events: pd.DataFrame, tmp: Path) -> None:
    bundle = DataBundle(name="shop", items=shop_items(), events=events)
    import_bundle(store, bundle, quarantine_dir=tmp / "quarantine")


@pytest.fixture
def db(tmp_path: Path, events: pd.DataFrame) -> str:
    url = f"sqlite:///{tmp_path / 'shop.db'}"
    with Store.from_url(url) as store:
        store.migrate()
        fill(store, events, tmp_path)
    return url


def write(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_buyers_json_has_the_exact_shape_and_matches_the_core(
    db: str, tmp_path: Path, events: pd.DataFrame
) -> None:
    items = write(tmp_path / "items.txt", ["item_id", *TARGETS, "# a comment", ""])
    code, stdout, output = run(
        "audiences", "buyers", "--items", str(items), "--as-of", AS_OF_TEXT,
        "--window-days", "14", "--top", "7", "--db", db, "--json",
    )  # fmt: skip
    assert code == 0, output
    payload = json.loads(stdout)
    assert list(payload) == ["as_of", "users"]
    assert payload["as_of"] == AS_OF_TEXT
    assert len(payload["users"]) == 7
    assert all(list(row) == ["user_id", "score"] for row in payload["users"])
    scores = [row["score"] for row in payload["users"]]
    assert scores == sorted(scores, reverse=True)
    core = find_buyers(
        EventLog.from_frame(events),
        shop_items(),
        BuyersConfig(window_days=14, top=7),
        as_of=AS_OF,
        item_ids=TARGETS,
    )
    assert [row["user_id"] for row in payload["users"]] == core.user_ids
    assert scores == pytest.approx(core.scores, rel=1e-9)


def test_buyers_of_a_category_as_a_table(db: str) -> None:
    code, stdout, output = run(
        "audiences", "buyers", "--category", "food/c3", "--as-of", "2017-10-01",
        "--window-days", "7", "--top", "3", "--db", db,
    )  # fmt: skip
    assert code == 0, output
    assert "Likely buyers as of 2017-10-01T00:00:00+00:00" in stdout


def test_lookalike_json_finds_the_twins(db: str, tmp_path: Path) -> None:
    seeds = write(tmp_path / "seeds.csv", ["user_id,note", *(f"{s},x" for s in SEEDS)])
    code, stdout, output = run(
        "audiences", "lookalike", "--seed", str(seeds), "--top", "4", "--as-of", AS_OF_TEXT,
        "--db", db, "--json",
    )  # fmt: skip
    assert code == 0, output
    payload = json.loads(stdout)
    assert list(payload) == ["as_of", "users"]
    assert {row["user_id"] for row in payload["users"]} == set(TWINS)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--as-of", "last tuesday"], "--as-of must be an ISO 8601 date"),
        (["--window-days", "0"], "--window-days must be positive, got 0.0"),
        (["--top", "0"], "--top must be at least 1, got 0"),
        (["--category", "food/c1"], "give exactly one of --items FILE or --category NAME"),
        (["--items", "/nonexistent/items.txt"], "--items: cannot read '/nonexistent/items.txt'"),
    ],
)
def test_bad_buyers_input_is_named(db: str, tmp_path: Path, args: list[str], message: str) -> None:
    items = write(tmp_path / "items.txt", TARGETS)
    base = {"--items": str(items), "--as-of": "2017-10-01", "--window-days": "7", "--top": "3"}
    for flag, value in zip(args[::2], args[1::2], strict=True):
        base[flag] = value
    if args[0] == "--category":
        base["--category"] = args[1]
    flat = [part for pair in base.items() for part in pair]
    code, _, output = run("audiences", "buyers", *flat, "--db", db, "--json")
    assert code == 2
    assert message in " ".join(output.split())


def test_unknown_items_and_seeds_are_named(db: str, tmp_path: Path) -> None:
    items = write(tmp_path / "items.txt", ["zz-1"])
    code, _, output = run(
        "audiences", "buyers", "--items", str(items), "--as-of", "2017-10-01",
        "--window-days", "7", "--top", "3", "--db", db,
    )  # fmt: skip
    assert code == 2 and "none of the 1 item ids is in the catalogue" in output
    seeds = write(tmp_path / "seeds.txt", ["ghost"])
    code, _, output = run("audiences", "lookalike", "--seed", str(seeds), "--top", "3", "--db", db)
    assert code == 2 and "none of the 1 seed users has an event before" in output


def test_the_store_reader_cuts_at_as_of(store: Store, tmp_path: Path) -> None:
    frame = shop_events(n_users=20, days=40)
    fill(store, frame, tmp_path)
    moment = float(frame["timestamp"].iloc[len(frame) // 2])
    read = events_before(store, moment)
    expected = frame.loc[frame["timestamp"] < moment]
    assert len(read) == len(expected)
    assert read["timestamp"].max() < moment
    assert list(read.columns) == ["user_id", "item_id", "event_type", "timestamp"]
