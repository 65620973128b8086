"""The bar: ``kill -9`` of a worker while it sends to 10,000 people, then a restart: the SMTP
server holds every message exactly once (count per idempotency key == 1), none lost.

The worker is the real command (``recmind outbox deliver``) in its own process, sending to
a real SMTP server (aiosmtpd on loopback) over several connections; it is killed with
SIGKILL once the server has taken a share of the messages, a new worker runs after the dead
one's claims expire, and the server's record is compared key by key. See ``docs/outbox.md``
for why this holds (and for the one window of microseconds it cannot cover).
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
import warnings
from collections import Counter
from pathlib import Path

from tests.marketing.outbox.helpers import add_people, message
from tests.marketing.smtp_server import SmtpServer

from recmind.data.store import Store
from recmind.marketing.messages import campaign_key
from recmind.marketing.outbox.recovery import HANDED_OVER_NOTE
from recmind.marketing.outbox.store import enqueue

CONNECTIONS = 4
"""SMTP connections of the worker: a kill in the hand-off window loses at most one round, one
message per connection."""

PEOPLE = 10_000
CLAIM_SECONDS = 2.0
RECMIND = str(Path(sys.executable).with_name("recmind"))


def _environment(home: Path, store: Store, server: SmtpServer) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RECMIND_")}
    env.update(
        RECMIND_HOME=str(home),
        RECMIND_DB_URL=store.url,
        RECMIND_API__SECRET="a-test-secret-for-the-kill-test",
        RECMIND_MARKETING__PUBLIC_URL="https://shop.example",
        RECMIND_MARKETING__SMTP__HOST=server.host,
        RECMIND_MARKETING__SMTP__PORT=str(server.port),
        RECMIND_MARKETING__SMTP__CONNECTIONS=str(CONNECTIONS),
        RECMIND_MARKETING__QUIET_START_HOUR="0",
        RECMIND_MARKETING__QUIET_END_HOUR="0",
        RECMIND_MARKETING__CAPS="[]",
        RECMIND_MARKETING__HOLDOUT_PERCENT="0",
        RECMIND_MARKETING__CLAIM_SECONDS=str(CLAIM_SECONDS),
        OPENBLAS_NUM_THREADS="1",
    )
    return env


def _states(store: Store) -> Counter[str]:
    with store.engine.connect() as connection:
        rows = connection.exec_driver_sql("SELECT status, COUNT(*) FROM outbox GROUP BY status")
        return Counter({str(status): int(n) for status, n in rows})


def _count(store: Store, where: str) -> int:
    with store.engine.connect() as connection:
        found = connection.exec_driver_sql(f"SELECT COUNT(*) FROM outbox WHERE {where}")
        return int(found.scalar_one())


def test_kill_9_mid_send_then_restart_delivers_every_message_once(
    store: Store, smtp_server: SmtpServer, tmp_path: Path
) -> None:
    people = [f"p{n:05d}" for n in range(PEOPLE)]
    add_people(store, people)
    assert enqueue(store, [message(u) for u in people], now=time.time() - 1) == PEOPLE
    env = _environment(tmp_path / "home", store, smtp_server)
    command = [RECMIND, "outbox", "deliver", "--limit", "500"]

    doomed = subprocess.Popen(
        [*command, "--worker-id", "doomed"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    kill_after = random.randint(PEOPLE // 10, PEOPLE * 7 // 10)  # mid-batch, mid-round
    deadline = time.monotonic() + 300
    while len(smtp_server.handler.keys) < kill_after:
        assert doomed.poll() is None, doomed.stderr.read().decode() if doomed.stderr else ""
        assert time.monotonic() < deadline, "the worker did not get going"
        time.sleep(0.005)
    os.kill(doomed.pid, signal.SIGKILL)
    doomed.wait(timeout=30)
    assert doomed.returncode == -signal.SIGKILL
    at_kill = _states(store)
    received_at_kill = len(smtp_server.handler.keys)
    assert at_kill["sent"] + at_kill["handoff"] < PEOPLE, f"killed too late: {at_kill}"
    assert at_kill["pending"] > 0 or at_kill["sending"] > 0

    time.sleep(CLAIM_SECONDS + 0.5)  # the dead worker's claims expire
    restarted = subprocess.run(
        [*command, "--worker-id", "restarted"],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert restarted.returncode == 0, restarted.stderr

    counts = smtp_server.count_by_key()
    expected = {campaign_key("c1", u) for u in people}
    duplicates = {k: n for k, n in counts.items() if n != 1}
    missing = expected - set(counts)
    recovered = _count(store, f"last_error = '{HANDED_OVER_NOTE}'")
    retried = _count(store, "attempts > 1")
    report = (
        f"killed after {kill_after}: {dict(at_kill)}, server had {received_at_kill}; then: "
        f"{dict(_states(store))}; {recovered} recovered as handed over, {retried} retried"
    )
    print(report)
    assert not duplicates, f"delivered twice: {list(duplicates)[:5]} ({report})"
    if missing:
        with store.engine.connect() as connection:
            rows = connection.exec_driver_sql("SELECT idempotency_key, last_error FROM outbox")
            notes = {str(r[0]): r[1] for r in rows if str(r[0]) in missing}
        window = all(note == HANDED_OVER_NOTE for note in notes.values())
        one_round = len(missing) <= CONNECTIONS
        if not (window and one_round):
            raise AssertionError(
                f"never delivered: {sorted(missing)[:5]}; not the hand-off window "
                f"({len(missing)} lost, one round is at most {CONNECTIONS}) ({report})"
            )
        # The kill landed between a hand-off commit and its dots (about 1 kill in 40): the
        # window docs/outbox.md describes. The round is lost, never duplicated; anything
        # else lost fails above.
        warnings.warn(
            f"the kill landed in the hand-off window: {len(missing)} message(s) lost ({report})",
            stacklevel=1,
        )
        assert _states(store) == Counter({"sent": PEOPLE}), report
        return
    assert set(counts) == expected
    assert _states(store) == Counter({"sent": PEOPLE}), report
