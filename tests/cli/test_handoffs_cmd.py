"""``recmind handoffs list|take|close`` end to end on a SQLite store."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from recmind.cli import handoffs_cmd
from recmind.config import Settings, get_settings
from recmind.data.handoffs import enqueue
from recmind.data.store import Store


@pytest.fixture
def app() -> typer.Typer:
    group = typer.Typer()

    @group.callback()
    def root() -> None:
        """recmind (handoffs only)."""

    handoffs_cmd.register(group)
    return group


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Settings]:
    monkeypatch.setenv("RECMIND_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("RECMIND_DB_URL", raising=False)
    get_settings.cache_clear()
    yield get_settings()
    get_settings.cache_clear()


def _run(app: typer.Typer, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.output


def test_list_take_close(app: typer.Typer, home: Settings) -> None:
    with Store.from_settings(home) as store:
        store.migrate()
        queued = enqueue(
            store, conversation_id="c-1", user_id="u1", reason="complaint", summary="Late parcel"
        )
    code, out = _run(app, "handoffs", "list")
    assert code == 0 and "complaint" in out and "Late parcel" in out
    code, out = _run(app, "handoffs", "list", "--json")
    assert [h["handoff_id"] for h in json.loads(out)] == [queued.handoff_id]
    code, out = _run(app, "handoffs", "take", queued.handoff_id, "--by", "ann", "--json")
    assert code == 0 and json.loads(out)["taken_by"] == "ann"
    code, out = _run(app, "handoffs", "take", queued.handoff_id)
    assert code == 2 and "cannot be taken" in out
    assert json.loads(_run(app, "handoffs", "list", "--json")[1]) == []
    code, out = _run(app, "handoffs", "close", queued.handoff_id)
    assert code == 0 and "closed" in out
    code, out = _run(app, "handoffs", "list", "--status", "closed", "--json")
    assert json.loads(out)[0]["status"] == "closed"
    code, out = _run(app, "handoffs", "close", "nope")
    assert code == 2 and "no handoff 'nope'" in out
