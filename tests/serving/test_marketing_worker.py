"""The marketing worker on real parts (SQLite and PostgreSQL): the real composer and served
recommender, delivery to a real SMTP server on loopback. It runs until stopped and gives its
claims back; a worker that died holds its claims only until they expire, and the next one
finishes the work with every message delivered exactly once."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import insert, select
from tests.marketing.smtp_server import SmtpServer

from recmind.config import Settings
from recmind.data.schema import enrolments, events, users
from recmind.data.store import Store
from recmind.marketing.content.compose import OutboxComposer
from recmind.marketing.journeys.definition import JourneyDefinition
from recmind.marketing.journeys.repository import apply_journey
from recmind.marketing.journeys.scheduler import claim_due
from recmind.marketing.journeys.triggers import scan_triggers
from recmind.serving.marketing_worker import MarketingWorker
from recmind.serving.message_recommender import ServedRecommender, open_recommender

WELCOME = {
    "id": "welcome",
    "name": "Welcome",
    "trigger": {"type": "event", "event": "signup"},
    "steps": [{"id": "hi", "type": "send", "channel": "email", "template": "welcome_1"}],
}


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer().start()
    yield server
    server.stop()


@pytest.fixture
def shop(
    store: Store, tmp_path: Path, smtp: SmtpServer
) -> Iterator[tuple[Settings, ServedRecommender]]:
    settings = Settings(
        home=tmp_path / "home",
        api={"secret": "a-test-secret-for-the-worker"},
        marketing={
            "smtp": {"host": smtp.host, "port": smtp.port},
            "quiet_start_hour": 0,
            "quiet_end_hour": 0,
            "holdout_percent": 0.0,
            "caps": [],
            "worker_poll_seconds": 0.1,
            "claim_seconds": 30.0,
        },
    )
    recommender = open_recommender(settings, store)
    yield settings, recommender
    recommender.close()


def _signups(store: Store, names: list[str]) -> None:
    apply_journey(store, JourneyDefinition.model_validate(WELCOME), now=time.time() - 60)
    now = time.time() - 30
    with store.engine.begin() as connection:
        connection.execute(
            insert(users),
            [
                {
                    "user_id": n,
                    "email": f"{n}@example.org",
                    "consent_email": True,
                    "timezone": "UTC",
                }
                for n in names
            ],
        )
        connection.execute(
            insert(events),
            [
                {"event_id": f"s-{n}", "user_id": n, "event_type": "signup", "timestamp": now}
                for n in names
            ],
        )


def _worker(
    store: Store, shop: tuple[Settings, ServedRecommender], name: str, **kwargs: object
) -> MarketingWorker:
    settings, recommender = shop
    composer = OutboxComposer(store, settings, recommender)
    return MarketingWorker(store, settings, composer, worker_id=name, **kwargs)  # type: ignore[arg-type]


def test_runs_until_stopped_and_gives_claims_back(
    store: Store, shop: tuple[Settings, ServedRecommender], smtp: SmtpServer
) -> None:
    _signups(store, ["ann", "bob", "cat"])
    worker = _worker(store, shop, "loop")
    thread = threading.Thread(target=worker.run)
    thread.start()
    try:
        received = smtp.wait_for(3, timeout=60)
    finally:
        worker.stop()
        thread.join(timeout=30)
    assert not thread.is_alive()
    assert sorted(m.rcpt_tos[0] for m in received) == [
        "ann@example.org",
        "bob@example.org",
        "cat@example.org",
    ]
    with store.engine.connect() as connection:
        rows = connection.execute(select(enrolments.c.state, enrolments.c.claimed_by)).all()
    assert [tuple(r) for r in rows] == [("completed", None)] * 3


def test_a_dead_workers_claims_expire(
    store: Store, shop: tuple[Settings, ServedRecommender], smtp: SmtpServer
) -> None:
    names = [f"p{n}" for n in range(5)]
    _signups(store, names)
    scanner = _worker(store, shop, "scanner")
    assert scan_triggers(store, shop[0], now=time.time()) == 5
    claim_seconds = shop[0].marketing.claim_seconds
    held = claim_due(
        store, worker_id="dead", now=time.time(), limit=100, claim_seconds=claim_seconds
    )
    assert len(held) == 5
    scanner.run_round()
    assert smtp.messages == []  # the dead worker's claims still hold
    later = _worker(store, shop, "later", clock=lambda: time.time() + claim_seconds + 1)
    later.run_round()
    received = smtp.wait_for(5)
    assert sorted(m.rcpt_tos[0] for m in received) == sorted(f"{n}@example.org" for n in names)
    assert set(smtp.count_by_key().values()) == {1}
