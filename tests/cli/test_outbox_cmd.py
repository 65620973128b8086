"""``recmind outbox list|show|stats|retry|deliver`` through the real command on a real store
(SQLite and PostgreSQL) and a real SMTP server on loopback."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from tests.marketing.outbox.helpers import NOW, add_people, message, row
from tests.marketing.smtp_server import SmtpServer
from typer.testing import CliRunner

from recmind.cli.main import app
from recmind.config import get_settings
from recmind.data.store import Store
from recmind.marketing.outbox.store import Settlement, claim_due, enqueue, settle


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args), env={"COLUMNS": "200"})
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def smtp(monkeypatch: pytest.MonkeyPatch) -> Iterator[SmtpServer]:
    server = SmtpServer().start()
    for name, value in {
        "API__SECRET": "cli-outbox-test-secret",
        "MARKETING__SMTP__PORT": str(server.port),
        "MARKETING__QUIET_START_HOUR": "0",
        "MARKETING__QUIET_END_HOUR": "0",
        "MARKETING__CAPS": "[]",
        "MARKETING__HOLDOUT_PERCENT": "0",
    }.items():
        monkeypatch.setenv(f"RECMIND_{name}", value)
    get_settings.cache_clear()
    yield server
    get_settings.cache_clear()
    server.stop()


def _dead(store: Store, user_id: str) -> str:
    one = message(user_id, campaign="broken")
    enqueue(store, [one], now=NOW)
    assert claim_due(store, worker_id="w", now=NOW, limit=1, claim_seconds=60)
    settle(
        store,
        [Settlement(one.message_id, "dead", "550 relay refused")],
        worker_id="w",
        now=NOW,
        max_attempts=8,
        retry_base_seconds=30,
    )
    return one.message_id


def test_deliver_then_list_show_stats(store: Store, smtp: SmtpServer) -> None:
    add_people(store, [f"u{n}" for n in range(12)])
    enqueue(store, [message(f"u{n}") for n in range(12)], now=NOW)
    code, _, err = run("outbox", "deliver", "--db", store.url, "--limit", "5")
    assert code == 0, err
    assert "12 messages settled in 4 passes" in err and "12 sent" in err
    assert len(smtp.count_by_key()) == 12 and set(smtp.count_by_key().values()) == {1}

    code, out, err = run("outbox", "list", "--db", store.url, "--user", "u3")
    assert code == 0, err
    assert "campaign:c1" in out and "sent" in out and "u3" in out
    code, out, _ = run("outbox", "show", "campaign:c1:u3", "--db", store.url)
    shown = json.loads(out)
    assert shown["status"] == "sent" and shown["items"] == ["i1"] and shown["user_id"] == "u3"
    code, out, _ = run("outbox", "stats", "--db", store.url, "--json")
    assert json.loads(out)["by_status"]["sent"] == 12
    code, out, _ = run("outbox", "stats", "--db", store.url)
    assert code == 0 and "12 messages" in out


def test_deliver_once_is_one_pass(store: Store, smtp: SmtpServer) -> None:
    add_people(store, [f"u{n}" for n in range(6)])
    enqueue(store, [message(f"u{n}") for n in range(6)], now=NOW)
    code, _, err = run("outbox", "deliver", "--once", "--limit", "4", "--db", store.url)
    assert code == 0, err
    assert len(smtp.count_by_key()) == 4


def test_retry(store: Store, smtp: SmtpServer) -> None:
    add_people(store, ["d1", "d2", "s1"])
    first, second = _dead(store, "d1"), _dead(store, "d2")
    code, _, err = run("outbox", "retry", first, "--db", store.url)
    assert code == 0 and "is due again" in err
    assert row(store, first)["status"] == "pending" and row(store, first)["attempts"] == 0
    code, _, err = run(
        "outbox", "retry", "--dead", "--source", "campaign:broken", "--db", store.url
    )
    assert code == 0 and "1 dead messages are due again" in err
    assert row(store, second)["status"] == "pending"
    run("outbox", "deliver", "--db", store.url)
    code, _, err = run("outbox", "retry", first, "--db", store.url)
    assert code == 2 and "is sent" in err and "never sent twice" in err
    code, _, err = run("outbox", "retry", "nope", "--db", store.url)
    assert code == 1 and "no outbox message" in err
    code, _, err = run("outbox", "retry", "--db", store.url)
    assert code == 2 and "give a message id or --dead" in err
    code, _, err = run("outbox", "list", "--status", "lost", "--db", store.url)
    assert code == 2 and "unknown status 'lost'" in err
