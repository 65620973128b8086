"""``recmind campaigns ...`` through the real command on a SQLite store: create from a YAML
file, list, show, preview, test, schedule, send in the foreground, cancel, mistakes named."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select
from tests.marketing.campaigns.campaign_shop import open_shop
from typer.testing import CliRunner

from recmind.cli.main import app
from recmind.config import Settings
from recmind.data.schema import outbox
from recmind.data.store import Store

SPRING = """
name: Spring
audience: {type: segment, segment: regulars}
template: newsletter
recommendations: {source: personal, count: 2}
context: {headline: Spring is here}
"""


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args), env={"COLUMNS": "200"})
    return result.exit_code, result.output


@pytest.fixture
def db(tmp_path: Path, settings: Settings) -> str:
    url = f"sqlite:///{tmp_path / 'store.db'}"
    with Store.from_url(url) as store:
        store.migrate()
        open_shop(store)
    return url


def created(db: str, tmp_path: Path, text: str = SPRING) -> str:
    path = tmp_path / "spring.yaml"
    path.write_text(text)
    code, out = run("campaigns", "create", str(path), "--db", db)
    assert code == 0, out
    return out.split("Created campaign ")[1].split()[0]


def test_create_show_preview_and_test(db: str, tmp_path: Path) -> None:
    campaign_id = created(db, tmp_path)
    code, out = run("campaigns", "list", "--db", db, "--json")
    assert code == 0, out
    (listed,) = json.loads(out)
    assert (listed["campaign_id"], listed["status"]) == (campaign_id, "draft")
    code, out = run("campaigns", "show", campaign_id, "--db", db)
    assert code == 0 and "status draft" in out and "template newsletter" in out, out
    code, out = run("campaigns", "preview", campaign_id, "p000", "--db", db)
    assert code == 0, out
    assert "Subject: Spring is here" in out and "To: p000@example.com" in out
    assert "Items: pan" in out  # no model is published: what sells
    code, out = run("campaigns", "preview", campaign_id, "p000", "--part", "html", "--db", db)
    assert code == 0 and out.lstrip().startswith("<!DOCTYPE html>"), out
    code, out = run(
        "campaigns", "test", campaign_id, "--to", "qa@shop.test", "--user", "p002", "--db", db
    )
    assert code == 0 and "Queued test message" in out, out
    with Store.from_url(db) as store, store.engine.connect() as connection:
        rows = connection.execute(select(outbox.c.recipient, outbox.c.source_kind)).all()
    assert [tuple(r) for r in rows] == [("qa@shop.test", "test")]
    code, out = run("campaigns", "test", campaign_id, "--to", "nope", "--user", "p0", "--db", db)
    assert code == 2 and "not an email address" in out


def test_schedule_send_and_cancel(db: str, tmp_path: Path) -> None:
    campaign_id = created(db, tmp_path)
    code, out = run("campaigns", "schedule", campaign_id, "--at", "2031-01-01T09:00:00", "--db", db)
    assert code == 2 and "time zone" in out
    code, out = run(
        "campaigns", "schedule", campaign_id, "--at", "2031-01-01T09:00:00Z", "--db", db
    )
    assert code == 0 and "2031-01-01 09:00:00" in out, out
    code, out = run("campaigns", "send", campaign_id, "--db", db)
    assert code == 0, out
    assert "7 message(s) written" in out and "status sent" in out
    assert "no_address" in out
    code, out = run("campaigns", "cancel", campaign_id, "--db", db)
    assert code == 2 and "is sent" in out
    other = created(db, tmp_path, SPRING.replace("Spring", "Other"))
    code, out = run("campaigns", "cancel", other, "--db", db)
    assert code == 0 and "cancelled" in out
    code, out = run("campaigns", "show", "nope", "--db", db)
    assert code == 1 and "no campaign 'nope'" in out


def test_mistakes_are_named(db: str, tmp_path: Path) -> None:
    bad = SPRING.replace("count: 2", "count: 99").replace("segment: regulars", "segment: x")
    path = tmp_path / "bad.yaml"
    path.write_text(bad)
    code, out = run("campaigns", "create", str(path), "--db", db)
    assert code == 2 and "recommendations.count" in out, out
    path.write_text(SPRING.replace("segment: regulars", "segment: nope"))
    code, out = run("campaigns", "create", str(path), "--db", db)
    assert code == 2 and "audience.segment: no segment 'nope'" in out, out
    code, out = run("campaigns", "create", "{not json", "--db", db)
    assert code == 2 and "neither a readable" in out
