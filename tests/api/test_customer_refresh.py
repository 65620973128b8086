"""The running service keeps customers current by itself: events sent over HTTP reach the
customer features and the segments' membership within a refresh period, with no command run
(``RECMIND_CUSTOMERS__REFRESH_SECONDS``)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from tests.api.conftest import SECRET, start_server

from recmind.client import ApiError
from recmind.config import Settings

BUYERS = {"event": {"type": "purchase", "within_days": 30}, "measure": "exists"}


def _wait(check: Any, seconds: float = 60.0) -> Any:
    deadline = time.monotonic() + seconds
    while True:
        found = check()
        if found or time.monotonic() > deadline:
            return found
        time.sleep(0.1)


def test_events_reach_features_and_segments_without_a_command(tmp_path: Path) -> None:
    settings = Settings(
        home=tmp_path / "home",
        api={"secret": SECRET, "key_cache_seconds": 1.0},
        customers={"refresh_seconds": 0.3, "predict_seconds": 0},
        encoder="minilm-onnx",
    )
    live, running = start_server(settings)
    try:
        now = time.time()
        with live.client() as client:
            client.create_segment("Recent buyers", BUYERS)
            client.put_item("tea", title="Green tea", category="Drinks", price=12.5)
            sent = client.send_events(
                [
                    {
                        "user_id": "ann",
                        "item_id": "tea",
                        "event_type": "view",
                        "timestamp": now - 60,
                    },
                    {
                        "user_id": "ann",
                        "item_id": "tea",
                        "event_type": "purchase",
                        "timestamp": now - 30,
                        "value": 12.5,
                    },
                    {
                        "user_id": "bob",
                        "item_id": "tea",
                        "event_type": "view",
                        "timestamp": now - 20,
                    },
                ]
            )

            assert sent.accepted == 3, sent

            def ann_is_in() -> Any:
                try:
                    found = client.get_customer("ann")
                except ApiError as exc:  # 404 until the first pass has seen her
                    assert exc.status == 404
                    return None
                inside = {s.segment_id for s in found.segments}
                return found if found.features and "recent-buyers" in inside else None

            ann = _wait(ann_is_in)
            refresher = live.app.state.customer_refresh
            assert ann is not None, (
                f"the refresher never brought ann's purchase in: last pass {refresher.last}, "
                f"last error {refresher.last_error}"
            )
            assert ann.features["purchase_count"] == 1
            assert ann.features["monetary_total"] == 12.5
            assert ann.features["views_7d"] == 1
            bob = client.get_customer("bob")
            assert bob.features is not None and bob.features["purchase_count"] == 0
            assert "recent-buyers" not in {s.segment_id for s in bob.segments}
            assert "window-shoppers" in {s.segment_id for s in bob.segments}
            client.send_event(
                {
                    "user_id": "bob",
                    "item_id": "tea",
                    "event_type": "purchase",
                    "timestamp": time.time() - 1,
                    "value": 3.0,
                }
            )
            bob_in = _wait(
                lambda: (
                    "recent-buyers" in {s.segment_id for s in client.get_customer("bob").segments}
                )
            )
            assert bob_in, "bob's purchase never moved him into the segment"
        assert refresher.last is not None and refresher.last_error is None
        assert refresher.last.predicted is False
    finally:
        running.stop()
        live.store.close()
