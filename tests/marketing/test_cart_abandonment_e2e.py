"""End to end on real parts: the REST service on loopback, the marketing worker with the
real composer and served recommender, and a real SMTP server (aiosmtpd) on loopback.

Two people add the same item to their cart through the API. One buys it before the
journey's delay is over and gets nothing; the other gets the cart-abandonment email after
the delay, naming the item's real title and price from the catalogue, with the one-click
unsubscribe headers of RFC 8058. The journey's delay is short (2 s, then 2 s waiting for a
purchase) and the worker runs on the real clock.

Back in stock and price drop fire from catalogue updates made through the API: the person
who looked at the item gets both emails, with the new price and the one before it.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from tests.api.conftest import SECRET, LiveServer, start_server
from tests.marketing.smtp_server import SmtpServer

from recmind.config import Settings
from recmind.data.schema import enrolments
from recmind.marketing.content.compose import OutboxComposer
from recmind.serving.marketing_worker import MarketingWorker
from recmind.serving.message_recommender import open_recommender

JOURNEY: dict[str, Any] = {
    "id": "cart-e2e",
    "name": "Cart abandonment (short delay)",
    "trigger": {"type": "event", "event": "add_to_cart"},
    "entry": {"mode": "once_per", "days": 7},
    "goal": {"event": "purchase"},
    "steps": [
        {"id": "pause", "type": "wait", "duration": 2},
        {
            "id": "bought",
            "type": "wait_for_event",
            "event": "purchase",
            "timeout": 2,
            "same_item": True,
            "on_event": "exit",
        },
        {
            "id": "remind",
            "type": "send",
            "channel": "email",
            "template": "cart_abandonment",
            "recommendations": {"source": "trigger_item", "count": 3},
        },
    ],
}


@pytest.fixture(params=["sqlite", pytest.param("pg", marks=pytest.mark.pg)])
def shop(
    request: pytest.FixtureRequest, tmp_path: Path, smtp_server: SmtpServer
) -> Iterator[LiveServer]:
    db_url = None if request.param == "sqlite" else request.getfixturevalue("pg_url")
    settings = Settings(
        home=tmp_path / "home",
        db_url=db_url,
        api={"secret": SECRET, "key_cache_seconds": 1.0},
        encoder="minilm-onnx",
        marketing={
            "smtp": {"host": smtp_server.host, "port": smtp_server.port},
            "quiet_start_hour": 0,
            "quiet_end_hour": 0,  # no quiet hours: the test runs at any hour
            "holdout_percent": 0.0,
            "worker_poll_seconds": 0.2,
            "public_url": "http://shop.test",
        },
    )
    live, running = start_server(settings)
    yield live
    running.stop()
    live.store.close()


def _iso(moment: float) -> str:
    return dt.datetime.fromtimestamp(moment, dt.UTC).isoformat().replace("+00:00", "Z")


def test_cart_abandonment_email_end_to_end(shop: LiveServer, smtp_server: SmtpServer) -> None:
    with shop.client() as client:
        client.put_item("boot", title="Trail Runner Boot", price=89.5, stock=4, category="Shoes")
        client.put_item("sock", title="Wool Sock", price=9.0, stock=40, category="Shoes")
        for name in ("leaver", "buyer"):
            client.put_user(name, email=f"{name}@example.org", consent_email=True, timezone="UTC")
        client.apply_journey(JOURNEY)
        started = time.time()
        for name in ("leaver", "buyer"):
            client.send_event(
                {
                    "user_id": name,
                    "item_id": "boot",
                    "event_type": "add_to_cart",
                    "timestamp": _iso(started),
                }
            )
        client.send_event(
            {
                "user_id": "buyer",
                "item_id": "boot",
                "event_type": "purchase",
                "timestamp": _iso(started + 0.5),
                "value": 89.5,
            }
        )
    store, settings = shop.store, shop.settings
    recommender = open_recommender(settings, store)
    try:
        worker = MarketingWorker(
            store, settings, OutboxComposer(store, settings, recommender), worker_id="e2e"
        )
        deadline = started + 30
        while time.time() < deadline:
            worker.run_round()
            if smtp_server.messages and time.time() > started + 6:
                break
            time.sleep(0.2)
    finally:
        recommender.close()
    (received,) = smtp_server.messages
    assert received.rcpt_tos == ("leaver@example.org",)
    assert time.time() - started >= 4  # not before the delay
    message = received.message
    assert "Trail Runner Boot" in str(message["Subject"])
    text = message.get_body(("plain",))
    assert text is not None and "Trail Runner Boot" in text.get_content()
    assert "$89.50" in text.get_content()
    assert str(message["List-Unsubscribe"]).startswith("<http://shop.test/")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    with store.engine.connect() as connection:
        states = dict(
            connection.execute(
                select(enrolments.c.user_id, enrolments.c.exit_reason).where(
                    enrolments.c.journey_id == "cart-e2e"
                )
            ).all()
        )
    assert states == {"leaver": "end", "buyer": "goal"}


def _journey(journey_id: str, trigger: dict[str, Any], template: str) -> dict[str, Any]:
    send = {
        "id": "tell",
        "type": "send",
        "channel": "email",
        "template": template,
        "recommendations": {"source": "trigger_item", "count": 2},
    }
    return {
        "id": journey_id,
        "name": journey_id,
        "trigger": trigger,
        "entry": {"mode": "every_time"},
        "steps": [send],
    }


def test_back_in_stock_and_price_drop_from_api_updates(
    shop: LiveServer, smtp_server: SmtpServer
) -> None:
    """Catalogue updates through the API reach the people who looked at the item."""
    with shop.client() as client:
        client.put_item("boot", title="Trail Runner Boot", price=100.0, stock=0, category="Shoes")
        client.put_user("fan", email="fan@example.org", consent_email=True, timezone="UTC")
        client.put_user("stranger", email="stranger@example.org", consent_email=True)
        client.apply_journey(_journey("restock", {"type": "back_in_stock"}, "back_in_stock"))
        client.apply_journey(
            _journey("cheaper", {"type": "price_drop", "min_drop_percent": 10}, "price_drop")
        )
        looked = time.time()
        client.send_event(
            {"user_id": "fan", "item_id": "boot", "event_type": "view", "timestamp": _iso(looked)}
        )
        time.sleep(0.05)
        client.patch_item("boot", stock=5)
        client.patch_item("boot", price=80.0)
    store, settings = shop.store, shop.settings
    recommender = open_recommender(settings, store)
    try:
        worker = MarketingWorker(
            store, settings, OutboxComposer(store, settings, recommender), worker_id="e2e"
        )
        deadline = time.time() + 30
        while time.time() < deadline and len(smtp_server.messages) < 2:
            worker.run_round()
            time.sleep(0.2)
        worker.run_round()
    finally:
        recommender.close()
    received = smtp_server.messages
    assert [m.rcpt_tos for m in received] == [("fan@example.org",)] * 2
    subjects = sorted(str(m.message["Subject"]) for m in received)
    assert subjects == [
        "Price drop: Trail Runner Boot now $80.00",
        "Trail Runner Boot is back in stock",
    ]
    drop = next(m.message for m in received if "Price drop" in str(m.message["Subject"]))
    text = drop.get_body(("plain",))
    assert text is not None and "$100.00" in text.get_content()  # the price before
