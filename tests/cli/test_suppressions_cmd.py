"""``recmind suppressions ...`` and ``recmind consent ...`` through the real commands on a
SQLite store."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
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


def test_suppressions(db: str) -> None:
    code, out = run(
        "suppressions", "add", "ann", "--channel", "email", "--reason", "bounced", "--db", db
    )
    assert code == 0 and "Suppressed ann on email (bounced)" in out
    code, out = run("suppressions", "add", "ann", "--channel", "email", "--db", db)
    assert code == 0 and "already suppressed" in out
    assert run("suppressions", "add", "bob", "--db", db)[0] == 0
    code, out = run("suppressions", "list", "--json", "--db", db)
    listed = json.loads(out)
    assert listed["total"] == 2
    assert {(s["user_id"], s["channel"], s["reason"]) for s in listed["suppressions"]} == {
        ("ann", "email", "bounced"),
        ("bob", "*", "manual"),
    }
    code, out = run("suppressions", "list", "--reason", "bounced", "--db", db)
    assert code == 0 and "1 suppression(s)" in out and "ann" in out
    assert run("suppressions", "remove", "bob", "--db", db)[0] == 0
    code, _ = run("suppressions", "remove", "bob", "--db", db)
    assert code == 1
    code, out = run("suppressions", "add", "ann", "--reason", "spam", "--db", db)
    assert code == 2 and "unknown reason 'spam'" in out


def test_consent(db: str) -> None:
    code, out = run("consent", "show", "ann", "--json", "--db", db)
    email = next(c for c in json.loads(out)["consents"] if c["channel"] == "email")
    assert (email["granted"], email["source"]) == (False, "default")
    code, out = run("consent", "set", "ann", "email", "yes", "--source", "call", "--db", db)
    assert code == 0, out
    code, out = run("consent", "show", "ann", "--db", db)
    assert code == 0 and "consents" in out and "call" in out
    assert run("consent", "set", "ann", "sms", "yes", "--db", db)[0] == 2
    assert run("consent", "set", "ann", "email", "maybe", "--db", db)[0] == 2
