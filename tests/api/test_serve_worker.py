"""``recmind serve --worker`` (``marketing.serve_worker``): one process, no separate worker.

The service runs the marketing loop on a thread with its own serving engine: a person adds
an item to the cart through the API and, after the journey's short delay, the email is at a
real SMTP server on loopback, with nothing but the service running. Without the setting the
service sends nothing (a separate ``recmind worker`` is expected).
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from tests.api.conftest import SECRET, start_server
from tests.marketing.smtp_server import SmtpServer

from recmind.config import Settings


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    server = SmtpServer().start()
    yield server
    server.stop()


JOURNEY: dict[str, Any] = {
    "id": "cart-serve",
    "name": "Cart abandonment inside serve",
    "trigger": {"type": "event", "event": "add_to_cart"},
    "goal": {"event": "purchase"},
    "steps": [
        {"id": "pause", "type": "wait", "duration": 1},
        {
            "id": "remind",
            "type": "send",
            "channel": "email",
            "template": "cart_abandonment",
            "recommendations": {"source": "trigger_item", "count": 2},
        },
    ],
}


def _settings(tmp_path: Path, smtp_server: SmtpServer, *, serve_worker: bool) -> Settings:
    return Settings(
        home=tmp_path / "home",
        api={"secret": SECRET, "key_cache_seconds": 1.0},
        encoder="minilm-onnx",
        marketing={
            "serve_worker": serve_worker,
            "smtp": {"host": smtp_server.host, "port": smtp_server.port},
            "quiet_start_hour": 0,
            "quiet_end_hour": 0,
            "holdout_percent": 0.0,
            "worker_poll_seconds": 0.2,
        },
    )


def _abandon_cart(live: Any) -> None:
    with live.client() as client:
        client.put_item("lamp", title="Brass Desk Lamp", price=54.0, stock=3, category="Home")
        client.put_user("ana", email="ana@example.org", consent_email=True, timezone="UTC")
        client.apply_journey(JOURNEY)
        moment = dt.datetime.now(dt.UTC).isoformat().replace("+00:00", "Z")
        client.send_event(
            {"user_id": "ana", "item_id": "lamp", "event_type": "add_to_cart", "timestamp": moment}
        )


@pytest.mark.parametrize("serve_worker", [True, False])
def test_the_service_sends_by_itself_only_when_asked(
    tmp_path: Path, smtp_server: SmtpServer, serve_worker: bool
) -> None:
    live, running = start_server(_settings(tmp_path, smtp_server, serve_worker=serve_worker))
    try:
        assert (live.app.state.marketing_worker is not None) is serve_worker
        _abandon_cart(live)
        deadline = time.time() + (30 if serve_worker else 5)
        while time.time() < deadline and not smtp_server.messages:
            time.sleep(0.2)
    finally:
        running.stop()
        live.store.close()
    if not serve_worker:
        assert smtp_server.messages == []
        return
    (received,) = smtp_server.messages
    assert received.rcpt_tos == ("ana@example.org",)
    assert "Brass Desk Lamp" in str(received.message["Subject"])
