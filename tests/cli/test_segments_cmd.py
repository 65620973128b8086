"""``recmind segments ...`` through the real command on a store with the test shop."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.marketing.segments import shop
from typer.testing import CliRunner

from recmind.cli.main import app
from recmind.data.store import Store
from recmind.marketing.segments.builtins import BUILTINS

AS_OF = "2023-11-14T22:13:20+00:00"  # shop.AS_OF


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args), env={"COLUMNS": "200"})
    return result.exit_code, result.output


@pytest.fixture
def db(tmp_path: Path) -> Iterator[str]:
    url = f"sqlite:///{tmp_path / 'store.db'}"
    with Store.from_url(url) as store:
        store.migrate()
        shop.fill(store)
    yield url


def test_create_show_preview_refresh_export_delete(db: str, tmp_path: Path) -> None:
    rule = tmp_path / "rule.json"
    rule.write_text(
        json.dumps({"event": {"type": "purchase", "within_days": 90}, "measure": "exists"})
    )
    code, out = run("segments", "create", "Recent buyers", "--rule", str(rule), "--db", db)
    assert code == 0, out
    assert "recent-buyers" in out and "purchased in the last 90 days" in out

    code, out = run("segments", "list", "--db", db, "--json")
    assert code == 0, out
    listed = {s["segment_id"] for s in json.loads(out)}
    assert listed == {"recent-buyers", *BUILTINS}  # built-ins installed at first use

    code, out = run("segments", "preview", "recent-buyers", "--as-of", AS_OF, "--db", db, "--json")
    assert code == 0, out
    found = json.loads(out)
    assert 0 < found["count"] < found["customers"]
    code, out = run("segments", "preview", "recent-buyers", "--as-of", AS_OF, "--db", db)
    assert (
        code == 0 and "Distributions" in out and f"{found['count']} of {found['customers']}" in out
    )

    code, out = run("segments", "refresh", "recent-buyers", "--as-of", AS_OF, "--db", db, "--json")
    assert code == 0, out
    assert json.loads(out)[0]["members"] == found["count"]
    code, out = run("segments", "refresh", "--as-of", AS_OF, "--db", db)
    assert code == 0, out
    assert "champions" in out

    target = tmp_path / "out" / "members.csv"
    code, out = run("segments", "export", "recent-buyers", "--out", str(target), "--db", db)
    assert code == 0, out
    with target.open() as handle:
        assert len(list(csv.DictReader(handle))) == found["count"]

    code, out = run(
        "segments", "update", "recent-buyers", "--rule", '{"consent": "email"}', "--db", db
    )
    assert code == 0 and "version 2" in out
    code, out = run("segments", "show", "recent-buyers", "--db", db, "--json")
    shown = json.loads(out)
    assert [v["version"] for v in shown["versions"]] == [1, 2]
    assert shown["in_words"] == "agreed to marketing e-mail"

    code, out = run("segments", "delete", "recent-buyers", "--db", db)
    assert code == 0, out
    code, out = run("segments", "show", "recent-buyers", "--db", db)
    assert code == 1 and "no segment 'recent-buyers'" in out


def test_bad_rules_are_named_and_nothing_is_stored(db: str) -> None:
    bad = json.dumps(
        {
            "all": [
                {"field": "monetary_totl", "op": ">", "value": 1},
                {"event": {"type": "view", "within_days": -1}, "measure": "exists"},
            ]
        }
    )
    code, out = run("segments", "create", "Bad", "--rule", bad, "--db", db)
    assert code == 2
    assert "rule.all[0].field: unknown field; did you mean monetary_total" in out
    assert "rule.all[1].event.within_days" in out
    code, out = run("segments", "preview", "--rule", "{not json", "--db", db)
    assert code == 2 and "neither a readable file nor JSON" in out
    code, out = run("segments", "list", "--db", db, "--json")
    assert "Bad" not in {s["name"] for s in json.loads(out)}
    code, out = run(
        "segments", "preview", "--rule", '{"consent": "email"}', "--as-of", "yesterday", "--db", db
    )
    assert code == 2 and "--as-of" in out


def test_install_builtins_is_idempotent(db: str) -> None:
    code, out = run("segments", "install-builtins", "--db", db)
    assert code == 0 and f"Installed {len(BUILTINS)}" in out
    code, out = run("segments", "delete", "lost", "--db", db)
    assert code == 0
    code, out = run("segments", "list", "--db", db, "--json")
    assert "lost" not in {
        s["segment_id"] for s in json.loads(out)
    }  # not reinstalled behind one's back
    code, out = run("segments", "install-builtins", "--db", db)
    assert code == 0 and "Installed 1 built-in segments: lost" in out
