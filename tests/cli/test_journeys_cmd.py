"""``recmind journeys ...`` through the real command on a SQLite store: apply (all or
nothing, versions), validate, list, show, pause/resume/archive, examples, schema."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from recmind.cli.main import app
from recmind.config import Settings
from recmind.data.store import Store
from recmind.marketing.journeys.files import shipped_examples

CART = """
id: cart
name: Cart
trigger: {type: event, event: add_to_cart}
steps:
  - {id: pause, type: wait, duration: 1h}
  - {id: remind, type: send, channel: email, template: cart_abandonment}
"""


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args), env={"COLUMNS": "200"})
    return result.exit_code, result.output


@pytest.fixture
def db(tmp_path: Path, settings: Settings) -> str:
    url = f"sqlite:///{tmp_path / 'store.db'}"
    with Store.from_url(url) as store:
        store.migrate()
    return url


def test_apply_versions_show_and_status(db: str, tmp_path: Path) -> None:
    folder = tmp_path / "journeys"
    folder.mkdir()
    (folder / "cart.yaml").write_text(CART)
    code, out = run("journeys", "apply", str(folder), "--db", db, "--json")
    assert code == 0, out
    (applied,) = json.loads(out[out.index("[") :])
    assert (applied["journey_id"], applied["outcome"], applied["version"]) == ("cart", "created", 1)

    code, out = run("journeys", "apply", str(folder / "cart.yaml"), "--db", db)
    assert code == 0 and "unchanged" in out, out
    (folder / "cart.yaml").write_text(CART.replace("1h", "2h"))
    code, out = run("journeys", "pause", "cart", "--db", db)
    assert code == 0 and "is paused" in out
    code, out = run("journeys", "apply", str(folder), "--db", db)
    assert code == 0 and "updated" in out and "paused" in out, out

    code, out = run("journeys", "show", "cart", "--db", db, "--json")
    shown = json.loads(out)
    assert (shown["version"], shown["status"]) == (2, "paused")
    assert [v["version"] for v in shown["versions"]] == [1, 2]
    assert shown["definition"]["steps"][0]["duration"] == 7200
    assert shown["stats"]["entered"] == 0
    code, out = run("journeys", "show", "cart", "--version", "1", "--db", db, "--json")
    assert json.loads(out)["definition"]["steps"][0]["duration"] == 3600
    code, out = run("journeys", "show", "cart", "--db", db)
    assert code == 0 and "version 2 of 2, paused" in out and "Entered 0" in out, out
    code, out = run("journeys", "show", "nope", "--db", db)
    assert code == 1 and "no journey 'nope'" in out

    assert run("journeys", "resume", "cart", "--db", db)[1].strip().endswith("is active")
    assert "is archived" in run("journeys", "archive", "cart", "--db", db)[1]
    code, out = run("journeys", "list", "--db", db, "--json")
    assert [(j["journey_id"], j["status"]) for j in json.loads(out)] == [("cart", "archived")]


def test_a_broken_file_is_reported_and_nothing_is_applied(db: str, tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(CART)
    (tmp_path / "b.yaml").write_text(
        CART.replace("id: cart", "id: b")
        .replace("1h", "3 hours")
        .replace("cart_abandonment}", "cart_abandonment, next: nowhere}")
    )
    code, out = run("journeys", "apply", str(tmp_path), "--db", db)
    assert code == 2
    assert "b.yaml: steps[0] (pause).duration: '3 hours' is not a duration" in out
    assert "b.yaml: steps[1] (remind).next: no step is called 'nowhere'" in out
    assert "nothing was applied" in out
    code, out = run("journeys", "list", "--db", db, "--json")
    assert json.loads(out) == []

    code, out = run("journeys", "validate", str(tmp_path / "b.yaml"), "--offline")
    assert code == 2 and "'3 hours' is not a duration" in out
    code, out = run("journeys", "validate", str(tmp_path / "a.yaml"), "--db", db)
    assert code == 0 and "ok" in out and "cart (2 steps" in out
    (tmp_path / "c.yaml").write_text(CART.replace("cart_abandonment", "cart_abandon"))
    code, out = run("journeys", "validate", str(tmp_path / "c.yaml"), "--db", db)
    assert code == 2 and "steps[1] (remind).template: no template 'cart_abandon'" in out
    code, out = run("journeys", "validate", str(tmp_path / "missing"))
    assert code == 2 and "no such file or folder" in out


def test_examples_listed_and_applied(db: str) -> None:
    code, out = run("journeys", "examples", "--json")
    assert code == 0, out
    listed = json.loads(out)
    assert {e["id"] for e in listed} == {p.stem for p in shipped_examples()}
    assert "cart-abandonment" in run("journeys", "examples")[1]
    code, out = run("journeys", "examples", "--apply", "--db", db)
    assert code == 0, out
    code, out = run("journeys", "list", "--db", db)
    assert code == 0 and "cart-abandonment" in out and "win-back" in out, out
    code, out = run("journeys", "list", "--db", db, "--json")
    assert len(json.loads(out)) == len(listed)


def test_schema(db: str, tmp_path: Path) -> None:
    code, out = run("journeys", "schema")
    assert code == 0
    assert json.loads(out)["title"] == "recmind journey"
    target = tmp_path / "schema" / "journey.json"
    code, out = run("journeys", "schema", "--choices", "--db", db, "--out", str(target))
    assert code == 0, out
    written = json.loads(target.read_text())
    assert "cart_abandonment" in written["$defs"]["SendStep"]["properties"]["template"]["enum"]
