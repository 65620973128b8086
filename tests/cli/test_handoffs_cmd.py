"""``recmind handoffs list|take|close`` end to end on a SQLite store."""

from __future__ import annotations

import json

import pytest
import typer
from tests.cli.conftest import command_group
from typer.testing import CliRunner

from recmind.cli import handoffs_cmd
from recmind.config import Settings
from recmind.data.handoffs import enqueue
from recmind.data.store import Store


@pytest.fixture
def app() -> typer.Typer:
    return command_group(handoffs_cmd)


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
