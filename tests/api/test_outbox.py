"""``/v1/outbox`` (``marketing`` scope) and ``/v1/users/{user_id}/messages`` (``read``
scope) over a real server on loopback (SQLite and PostgreSQL), through the typed client."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.api.conftest import LiveServer
from tests.marketing.outbox.helpers import NOW, add_people, message, open_settings

from recmind.client import ApiError
from recmind.marketing.messages import campaign_key
from recmind.marketing.outbox.delivery import deliver_due
from recmind.marketing.outbox.store import Settlement, claim_due, enqueue, settle


def _fill(live: LiveServer, tmp_path: Path) -> None:
    """u1, u2: delivered on-site messages; u3: no consent to on-site (skipped); d1: dead."""
    store = live.store
    add_people(store, ["u1", "u2", "u3", "d1"])
    with store.engine.begin() as connection:
        connection.exec_driver_sql(
            "INSERT INTO consents (user_id, channel, granted, updated_at) "
            f"VALUES ('u3', 'onsite', false, {NOW})"
        )
    onsite = [message(u, channel="onsite", recipient=u) for u in ("u1", "u2", "u3")]
    onsite.append(message("u1", campaign="c2", channel="onsite", recipient="u1"))
    enqueue(store, onsite, now=NOW)
    settings = open_settings(tmp_path)
    assert deliver_due(store, settings, worker_id="w", now=NOW + 1, limit=100) == 4
    enqueue(store, [message("d1", campaign="c3")], now=NOW + 2)
    (row,) = claim_due(store, worker_id="w", now=NOW + 2, limit=10, claim_seconds=60)
    settle(
        store,
        [Settlement(row["message_id"], "dead", "550 5.7.1 relay refused")],
        worker_id="w",
        now=NOW + 3,
        max_attempts=8,
        retry_base_seconds=30,
    )


def test_the_outbox_needs_the_marketing_scope(live: LiveServer) -> None:
    with live.client("read") as client, pytest.raises(ApiError) as caught:
        client.list_outbox()
    assert caught.value.status == 403
    with live.client("marketing") as client:
        assert client.list_outbox().total == 0
        assert client.outbox_stats().total == 0


def test_list_show_stats_and_retry(live: LiveServer, tmp_path: Path) -> None:
    _fill(live, tmp_path)
    with live.client("marketing") as client:
        page = client.list_outbox()
        assert page.total == 5 and page.messages[0].user_id == "d1"
        assert page.messages[0].body_text is None  # the list leaves out bodies
        skipped = client.list_outbox(status="skipped")
        assert [(m.user_id, m.skip_reason) for m in skipped.messages] == [("u3", "no_consent")]
        assert client.list_outbox(source="campaign:c2").total == 1
        assert client.list_outbox(user_id="u1", channel="onsite").total == 2
        one = client.outbox_message(campaign_key("c1", "u1"))
        assert one.status == "sent" and one.body_text and one.items == ["i1"]
        assert one.payload is not None and one.payload["title"] == "Your picks"
        stats = client.outbox_stats()
        assert stats.by_status["sent"] == 3 and stats.by_status["dead"] == 1
        assert stats.by_channel["onsite"] == {"sent": 3, "skipped": 1}
        assert stats.dead_reasons == {"550 5.7.1 relay refused": 1}
        assert stats.skip_reasons == {"no_consent": 1}

        dead = client.list_outbox(status="dead").messages[0]
        again = client.retry_message(dead.message_id)
        assert again.status == "pending" and again.attempts == 0
        assert "550 5.7.1 relay refused" in (again.last_error or "")
        for refused in (one.message_id, skipped.messages[0].message_id):
            with pytest.raises(ApiError) as caught:
                client.retry_message(refused)
            assert caught.value.status == 409
        with pytest.raises(ApiError) as caught:
            client.retry_message("no-such-message")
        assert caught.value.status == 404
        assert client.retry_dead() == 0


def test_bad_filters_are_422s_naming_the_field(live: LiveServer) -> None:
    with live.client("marketing") as client:
        for params, field in (({"source": "nonsense:x"}, "source"), ({"status": "lost"}, "status")):
            response = client.raw("GET", "/v1/outbox", params=params)
            assert response.status_code == 422
            assert response.json()["detail"][0]["loc"] == ["query", field]


def test_a_person_sees_their_delivered_onsite_messages_and_marks_them_read(
    live: LiveServer, tmp_path: Path
) -> None:
    _fill(live, tmp_path)
    with live.client("read") as client:
        mine = client.user_messages("u1")
        assert mine.unread == 2 and len(mine.messages) == 2
        assert {m.source_id for m in mine.messages} == {"c1", "c2"}
        first = mine.messages[0]
        assert first.payload["title"] == "Your picks" and first.items == ["i1"]
        read = client.mark_message_read("u1", first.message_id)
        again = client.mark_message_read("u1", first.message_id)
        assert again.read_at == read.read_at
        assert client.user_messages("u1").unread == 1
        assert [m.message_id for m in client.user_messages("u1", unread=True).messages] != [
            first.message_id
        ]
        assert client.user_messages("u3").messages == []  # skipped: never shown
        with pytest.raises(ApiError) as caught:
            client.mark_message_read("u2", first.message_id)  # not theirs
        assert caught.value.status == 404
    with live.client("ingest") as client, pytest.raises(ApiError) as caught:
        client.user_messages("u1")
    assert caught.value.status == 403
