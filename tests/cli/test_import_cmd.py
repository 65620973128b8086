"""``recmind import`` end to end: summary, exit codes, clear messages."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from recmind.cli import import_cmd
from recmind.config import Settings, get_settings
from recmind.data.store import Store

ITEMS = "item_id,title,price\ni1,Shirt,10\ni2,Hat,abc\ni3,Sock,2\n"
EVENTS = (
    "user,item,event_type,timestamp\n"
    "u1,i1,view,2024-01-01T00:00:00Z\n"
    "u2,i3,purchase,1704067300\n"
    "u2,i2,view,1704067300\n"
)


@pytest.fixture
def app() -> typer.Typer:
    """A CLI group holding just the import command, registered the way main.py does it."""
    group = typer.Typer()

    @group.callback()
    def root() -> None:
        """recmind (import only)."""

    import_cmd.register(group)
    return group


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Settings]:
    monkeypatch.setenv("RECMIND_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("COLUMNS", "200")
    monkeypatch.delenv("RECMIND_DB_URL", raising=False)
    get_settings.cache_clear()
    yield get_settings()
    get_settings.cache_clear()


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    (tmp_path / "items.csv").write_text(ITEMS)
    (tmp_path / "events.csv").write_text(EVENTS)
    return {"items": tmp_path / "items.csv", "events": tmp_path / "events.csv"}


def _run(app: typer.Typer, *args: str | Path) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["import", *(str(a) for a in args)])
    return result.exit_code, result.output


def test_partial_success_exits_zero_with_a_summary(
    app: typer.Typer, home: Settings, files: dict[str, Path]
) -> None:
    args = ("--items", files["items"], "--events", files["events"])
    code, output = _run(app, *args, "--map", "user=user_id", "--map", "item=item_id")
    assert code == 0, output
    assert "items.csv" in output and "events.csv" in output
    assert "wrong_type: 1" in output  # i2's price
    assert "unknown_item: 1" in output  # so the event on i2 is rejected too
    assert "Created 2 user(s)" in output
    assert str(home.quarantine_dir) in output
    with Store.from_settings(home) as store:
        assert store.counts() == {"items": 2, "users": 2, "events": 2, "reviews": 0, "orders": 0}
    code, output = _run(app, *args, "--map", "user=user_id", "--map", "item=item_id")
    assert code == 0, output  # nothing new, but every valid row is already there
    with Store.from_settings(home) as store:
        assert store.counts() == {"items": 2, "users": 2, "events": 2, "reviews": 0, "orders": 0}


def test_nothing_valid_exits_non_zero(app: typer.Typer, home: Settings, tmp_path: Path) -> None:
    (tmp_path / "items.csv").write_text("item_id,title,price\ni1,,1\ni2,Hat,-3\n")
    code, output = _run(app, "--items", tmp_path / "items.csv")
    assert code == import_cmd.EXIT_NOTHING_IMPORTED
    assert "nothing valid was imported" in output


def test_missing_file_is_a_clear_error(
    app: typer.Typer, home: Settings, files: dict[str, Path]
) -> None:
    code, output = _run(app, "--items", files["items"], "--events", "nope.csv")
    assert code == import_cmd.EXIT_BAD_INPUT
    assert "--events nope.csv: file not found" in output
    assert not home.home.exists()  # nothing was opened, let alone written


def test_unreadable_file_is_a_clear_error(app: typer.Typer, home: Settings, tmp_path: Path) -> None:
    (tmp_path / "items.parquet").write_bytes(b"garbage")
    code, output = _run(app, "--items", tmp_path / "items.parquet")
    assert code == import_cmd.EXIT_BAD_INPUT
    assert "unreadable Parquet" in output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((), "give at least one of"),
        (("--map", "movie_id"), "--map expects column=field"),
        (("--map", "movie_id=film"), "unknown target field"),
    ],
)
def test_usage_errors(
    app: typer.Typer, home: Settings, files: dict[str, Path], args: tuple[str, ...], message: str
) -> None:
    extra = ("--items", files["items"]) if args else ()
    code, output = _run(app, *extra, *args)
    assert code == import_cmd.EXIT_BAD_INPUT
    assert message in output


def test_db_option_and_environment_choose_the_store(
    app: typer.Typer, home: Settings, files: dict[str, Path], tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    explicit = tmp_path / "explicit.db"
    code, output = _run(app, "--items", files["items"], "--db", f"sqlite:///{explicit}")
    assert code == 0, output
    with Store.from_url(f"sqlite:///{explicit}") as store:
        assert store.counts()["items"] == 2
    from_env = tmp_path / "env.db"
    monkeypatch.setenv("RECMIND_DB_URL", f"sqlite:///{from_env}")
    get_settings.cache_clear()
    code, output = _run(app, "--items", files["items"])
    assert code == 0, output
    assert from_env.is_file()


@pytest.mark.pg
def test_import_into_postgresql(
    app: typer.Typer, home: Settings, files: dict[str, Path], pg_url: str
) -> None:
    code, output = _run(app, "--items", files["items"], "--db", pg_url)
    assert code == 0, output
    with Store.from_url(pg_url) as store:
        assert store.counts()["items"] == 2


def test_orders_are_imported_from_csv_with_their_lines_as_json(
    app: typer.Typer, home: Settings, files: dict[str, Path], tmp_path: Path
) -> None:
    orders = tmp_path / "orders.csv"
    orders.write_text(
        "order_id,user_id,created_at,status,lines,total,currency\n"
        'o1,u1,2024-01-02T00:00:00Z,paid,"[{""item_id"":""i1"",""quantity"":2,'
        '""unit_price"":10}]",20,USD\n'
        'o2,u1,2024-01-03T00:00:00Z,lost,"[{""item_id"":""i1"",""quantity"":1,'
        '""unit_price"":10}]",10,USD\n'
    )
    code, output = _run(app, "--items", files["items"], "--orders", orders)
    assert code == 0, output
    assert "orders" in output and "unknown_order_status: 1" in output
    with Store.from_settings(home) as store:
        assert store.counts()["orders"] == 1
