"""``recmind experiments ...`` through the real command on a SQLite store: create from a
YAML file or from options, list, show, start, stop with a winner, readouts as text, JSON
and PNG, a blocked readout's exit status, and mistakes named."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tests.marketing.experiments.shop import DAY, T0, exposures, purchases
from typer.testing import CliRunner

from recmind.cli.main import app
from recmind.config import Settings
from recmind.data.store import Store

SUBJECTS = """
name: Subject lines
experiment_id: subjects
variants:
  - {name: control, control: true}
  - {name: short}
metrics: {window_days: 5}
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


def _create(db: str, tmp_path: Path) -> None:
    path = tmp_path / "subjects.yaml"
    path.write_text(SUBJECTS)
    code, out = run("experiments", "create", str(path), "--db", db, "--start")
    assert code == 0, out
    assert "subjects" in out and "ab, running" in out


def test_create_list_show_stop(db: str, tmp_path: Path) -> None:
    _create(db, tmp_path)
    code, out = run(
        "experiments",
        "create",
        "--name",
        "Push copy",
        "--variants",
        "a,b,c",
        "--kind",
        "bandit",
        "--db",
        db,
        "--json",
    )
    assert code == 0, out
    bandit = json.loads(out)
    assert bandit["kind"] == "bandit" and bandit["status"] == "draft"
    assert [v["control"] for v in bandit["variants"]] == [True, False, False]
    code, out = run("experiments", "list", "--db", db, "--json")
    assert {e["experiment_id"] for e in json.loads(out)} == {"subjects", bandit["experiment_id"]}
    code, out = run("experiments", "list", "--db", db, "--status", "draft")
    assert code == 0 and "Push copy" in out and "Subject lines" not in out, out
    code, out = run("experiments", "show", "subjects", "--db", db)
    assert code == 0 and "purchase within 5 days" in out, out
    code, out = run("experiments", "start", bandit["experiment_id"], "--db", db, "--json")
    assert code == 0 and json.loads(out)["status"] == "running"
    code, out = run("experiments", "stop", "subjects", "--winner", "short", "--db", db, "--json")
    assert code == 0 and json.loads(out)["winner"] == "short"
    code, out = run("experiments", "stop", "subjects", "--db", db)
    assert code == 1 and "is stopped" in out


def test_mistakes_are_named(db: str, tmp_path: Path) -> None:
    code, out = run(
        "experiments", "create", '{"name": "x", "variants": [{"name": "a"}]}', "--db", db
    )
    assert code == 2 and "variants" in out and "at least 2" in out, out
    code, out = run("experiments", "create", "--name", "x", "--db", db)
    assert code == 2 and "--variants" in out
    code, out = run("experiments", "show", "nope", "--db", db)
    assert code == 1 and "no experiment 'nope'" in out
    code, out = run("experiments", "list", "--status", "odd", "--db", db)
    assert code == 2
    _create(db, tmp_path)
    code, out = run("experiments", "create", str(tmp_path / "subjects.yaml"), "--db", db)
    assert code == 1 and "exists already" in out
    code, out = run("experiments", "stop", "subjects", "--winner", "long", "--db", db)
    assert code == 1 and "no variant 'long'" in out


def test_readout_text_json_and_plot(db: str, tmp_path: Path) -> None:
    _create(db, tmp_path)
    with Store.from_url(db) as store:
        exposures(store, "subjects", [(f"c{n}", "control", T0) for n in range(1000)])
        exposures(store, "subjects", [(f"s{n}", "short", T0) for n in range(1000)])
        purchases(store, [(f"c{n}", T0 + DAY, 20.0) for n in range(50)])
        purchases(store, [(f"s{n}", T0 + DAY, 25.0) for n in range(90)])
    plot = tmp_path / "readout.png"
    later = str(T0 + 10 * DAY)
    code, out = run(
        "experiments", "readout", "subjects", "--db", db, "--plot", str(plot), "--at", later
    )
    assert code == 0, out
    assert "5.00%" in out and "9.00%" in out and "significant" in out and "P(beats control)" in out
    assert plot.read_bytes()[:4] == b"\x89PNG"
    code, out = run(
        "experiments", "readout", "subjects", "--db", db, "--json", "--at", str(T0 + 10 * DAY)
    )
    assert code == 0, out
    data = json.loads(out)
    (conversion,) = data["tests"]["conversion"]
    assert conversion["difference"] == pytest.approx(0.04) and conversion["significant"]
    code, out = run("experiments", "readout", "subjects", "--db", db, "--json", "--at", str(T0 - 1))
    assert code == 0 and json.loads(out)["arms"][0]["people"] == 0  # before anyone was exposed
    assert json.loads(out)["bayesian"] == []


def test_a_blocked_readout_exits_3(db: str, tmp_path: Path) -> None:
    _create(db, tmp_path)
    with Store.from_url(db) as store:
        exposures(store, "subjects", [(f"c{n}", "control", T0) for n in range(1000)])
        exposures(store, "subjects", [(f"s{n}", "short", T0) for n in range(1250)])
    code, out = run("experiments", "readout", "subjects", "--db", db, "--at", str(T0 + DAY))
    assert code == 3 and "BLOCKED" in out and "sample ratio mismatch" in out, out
    code, out = run(
        "experiments", "readout", "subjects", "--db", db, "--json", "--at", str(T0 + DAY)
    )
    assert code == 3 and json.loads(out)["blocked"] is True
