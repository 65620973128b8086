"""``recmind kb import`` and ``recmind kb list`` end to end."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from tests.assistant.retrieval.shop import fill_shop
from tests.cli.conftest import command_group
from typer.testing import CliRunner

from recmind.cli import kb_cmd
from recmind.config import Settings
from recmind.data.store import Store


@pytest.fixture
def app() -> typer.Typer:
    return command_group(kb_cmd)


def _run(app: typer.Typer, *args: str | Path) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["kb", *(str(a) for a in args)])
    return result.exit_code, result.output


def test_demo_import_list_and_passages(app: typer.Typer, home: Settings) -> None:
    code, output = _run(app, "import", "--demo")
    assert code == 0, output
    assert "6 added, 0 replaced, 0 unchanged, 0 pruned" in output
    code, output = _run(app, "list")
    assert code == 0, output
    for name in ("payment", "privacy", "returns", "shipping", "sizing", "warranty"):
        assert name in output
    code, output = _run(app, "list", "--passages", "returns", "--json")
    assert code == 0, output
    passages = json.loads(output)
    assert passages[0]["doc_id"] == "returns"
    assert "Returns and refunds > Return window" in [p["title"] for p in passages]
    code, output = _run(app, "import", "--demo")
    assert "0 added, 0 replaced, 6 unchanged" in output


def test_prune_and_clear_errors(app: typer.Typer, home: Settings, tmp_path: Path) -> None:
    folder = tmp_path / "policies"
    folder.mkdir()
    (folder / "returns.md").write_text("# Returns\n\n30 days.\n", encoding="utf-8")
    assert _run(app, "import", "--demo")[0] == 0
    code, output = _run(app, "import", folder, "--prune")
    assert code == 0, output
    assert "1 replaced" in output and "5 pruned" in output
    (folder / "bad.md").write_bytes(b"\xff\xfe")
    code, output = _run(app, "import", folder)
    assert code == 2 and "bad.md: not UTF-8" in output and "nothing was imported" in output
    code, output = _run(app, "import")
    assert code == 2 and "give a folder or --demo" in output
    code, output = _run(app, "list", "--passages", "nope")
    assert code == 2 and "no document 'nope'" in output


def test_index_and_search(app: typer.Typer, home: Settings, tmp_path: Path) -> None:
    code, output = _run(app, "search", "returns")
    assert code == 2 and "recmind kb index" in output
    store = Store.from_settings(home)
    store.migrate()
    fill_shop(store, tmp_path / "quarantine")
    store.close()
    code, output = _run(app, "index")
    assert code == 0, output
    assert "12 products, 6 reviews, 42 policy passages" in output
    assert "60 added" in output and "60 encoded" in output and "(written)" in output
    code, output = _run(app, "index")
    assert "(up to date)" in output and "60 unchanged; 0 encoded" in output
    code, output = _run(app, "search", "退货", "--kind", "policy", "--top", "2", "--json")
    assert code == 0, output
    hits = json.loads(output)
    assert len(hits) == 2 and hits[0]["metadata"]["doc_id"] == "returns"
    assert hits[0]["source"] and hits[0]["score"] > hits[1]["score"]
    code, output = _run(app, "search", "merino wool", "--lang", "en", "--max-price", "80")
    assert code == 0, output
    assert "k-cardigan" in output and "74.00" in output and "Merino Wool Cardigan" in output
    code, output = _run(app, "search", "dress", "--kind", "order")
    assert code == 2 and "unknown kind order" in output
    code, output = _run(app, "search", "dress", "--lang", "fr")
    assert code == 2 and "--lang must be en or zh" in output
