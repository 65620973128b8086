"""``recmind marketing report`` through the real command on a SQLite store."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image
from tests.marketing.policy.people import add_purchase, add_users, message_row, write_messages
from typer.testing import CliRunner

from recmind.cli.main import app
from recmind.data.store import Store


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args), env={"COLUMNS": "200"})
    return result.exit_code, result.output


@pytest.fixture
def db(tmp_path: Path) -> Iterator[str]:
    url = f"sqlite:///{tmp_path / 'store.db'}"
    with Store.from_url(url) as store:
        store.migrate()
        add_users(store, "ann", "bob", consent_email=None)
        journey = {"source_kind": "journey", "source_id": "cart"}
        write_messages(
            store,
            message_row("ann", status="sent", sent_at=100.0, created_at=100.0, **journey),
            message_row("bob", status="sent", sent_at=100.0, created_at=100.0),
        )
        add_purchase(store, "ann", 500.0, 12.5)
    yield url


def test_marketing_report(db: str, tmp_path: Path) -> None:
    out_json, out_png = tmp_path / "out" / "report.json", tmp_path / "out" / "funnel.png"
    code, out = run(
        "marketing",
        "report",
        "--journey",
        "cart",
        "--json",
        str(out_json),
        "--plot",
        str(out_png),
        "--db",
        db,
    )
    assert code == 0, out
    assert "opens are unreliable" in out and "no held-out people" in out
    report = json.loads(out_json.read_text())["reports"][0]
    assert (report["id"], report["sent"], report["converted"], report["revenue"]) == (
        "cart",
        1,
        1,
        12.5,
    )
    with Image.open(out_png) as image:
        assert image.format == "PNG"
    code, out = run("marketing", "report", "--all", "--json", str(out_json), "--db", db)
    assert code == 0, out
    assert [r["id"] for r in json.loads(out_json.read_text())["reports"]] == ["spring", "cart"]
    assert run("marketing", "report", "--db", db)[0] == 2
    assert run("marketing", "report", "--all", "--journey", "cart", "--db", db)[0] == 2
    code, out = run("marketing", "report", "--campaign", "nope", "--db", db)
    assert code == 2 and "no campaign 'nope'" in out
