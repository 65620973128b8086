"""``recmind worker`` through the real command on a SQLite store and a real SMTP server on
loopback: one round with ``--once``, journey files applied at start (all or nothing), the
default secret refused, and a clean exit on SIGTERM from a running process."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import insert, select
from tests.marketing.smtp_server import SmtpServer
from typer.testing import CliRunner

from recmind.cli.main import app
from recmind.config import get_settings
from recmind.data.schema import events, journeys, users
from recmind.data.store import Store

WELCOME = """
id: welcome
name: Welcome
trigger: {type: event, event: signup}
steps:
  - {id: hi, type: send, channel: email, template: welcome_1}
"""


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer().start()
    yield server
    server.stop()


@pytest.fixture
def env(tmp_path: Path, smtp: SmtpServer, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    values = {
        "RECMIND_HOME": str(tmp_path / "home"),
        "RECMIND_DB_URL": f"sqlite:///{tmp_path / 'store.db'}",
        "RECMIND_API__SECRET": "a-test-secret-for-the-worker-command",
        "RECMIND_MARKETING__SMTP__HOST": smtp.host,
        "RECMIND_MARKETING__SMTP__PORT": str(smtp.port),
        "RECMIND_MARKETING__QUIET_START_HOUR": "0",
        "RECMIND_MARKETING__QUIET_END_HOUR": "0",
        "RECMIND_MARKETING__HOLDOUT_PERCENT": "0",
        "RECMIND_MARKETING__WORKER_POLL_SECONDS": "0.2",
    }
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    yield values
    get_settings.cache_clear()


def run(*args: str) -> tuple[int, str]:
    get_settings.cache_clear()
    result = CliRunner().invoke(app, list(args), env={"COLUMNS": "200"})
    return result.exit_code, result.output


def _signup(url: str, name: str) -> None:
    with Store.from_url(url) as store:
        store.migrate()
        with store.engine.begin() as connection:
            connection.execute(
                insert(users).values(user_id=name, email=f"{name}@example.org", consent_email=True)
            )
            connection.execute(
                insert(events).values(
                    event_id=f"s-{name}", user_id=name, event_type="signup", timestamp=time.time()
                )
            )


def test_once_runs_a_round_with_the_journey_files(
    env: dict[str, str], tmp_path: Path, smtp: SmtpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "journeys"
    folder.mkdir()
    (folder / "welcome.yaml").write_text(WELCOME)
    monkeypatch.setenv("RECMIND_MARKETING__JOURNEYS_DIR", str(folder))
    code, out = run("worker", "--once", "--id", "cli")
    assert code == 0, out
    assert "entered 0" in out
    url = env["RECMIND_DB_URL"]
    with Store.from_url(url) as store, store.engine.connect() as connection:
        assert connection.execute(select(journeys.c.journey_id)).scalars().all() == ["welcome"]
    _signup(url, "ann")
    code, out = run("worker", "--once", "--id", "cli")
    assert code == 0, out
    assert "entered 1, steps 1" in out and "delivered 1" in out, out
    (received,) = smtp.wait_for(1)
    assert received.rcpt_tos == ("ann@example.org",)


def test_a_bad_journey_file_stops_the_start(
    env: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "journeys"
    folder.mkdir()
    (folder / "good.yaml").write_text(WELCOME)
    (folder / "bad.yaml").write_text(
        WELCOME.replace("id: welcome", "id: bad").replace("1}", "1, x: 1}")
    )
    monkeypatch.setenv("RECMIND_MARKETING__JOURNEYS_DIR", str(folder))
    code, out = run("worker", "--once")
    assert code == 2 and "bad.yaml" in out, out
    with Store.from_url(env["RECMIND_DB_URL"]) as store, store.engine.connect() as connection:
        assert connection.execute(select(journeys.c.journey_id)).scalars().all() == []


def test_the_default_secret_is_refused(
    env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("RECMIND_API__SECRET")
    code, out = run("worker", "--once")
    assert code == 2 and "secret" in out


def test_sigterm_stops_a_running_worker_cleanly(env: dict[str, str]) -> None:
    recmind = Path(sys.executable).with_name("recmind")
    process = subprocess.Popen(
        [str(recmind), "worker", "--id", "sig"],
        env={**os.environ, **env},
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stderr is not None
    try:
        deadline = time.monotonic() + 120
        lines = []
        while time.monotonic() < deadline:
            line = process.stderr.readline()
            lines.append(line)
            if "worker sig started" in line or not line:
                break
        assert any("worker sig started" in line for line in lines), "".join(lines)
        process.send_signal(signal.SIGTERM)
        code = process.wait(timeout=60)
        rest = process.stderr.read()
    finally:
        if process.poll() is None:
            process.kill()
    assert code == 0, rest
    assert "worker sig stopped" in rest
