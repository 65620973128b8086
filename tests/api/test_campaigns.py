"""``/v1/campaigns`` through the typed client, against a real server on SQLite and
PostgreSQL: the life of a campaign, previews, test sends, and every mistake named."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import select
from tests.api.conftest import LiveServer
from tests.marketing.campaigns.campaign_shop import open_shop

from recmind.client import ApiError, Client
from recmind.data.schema import outbox
from recmind.marketing.campaigns.runner import run_due_campaigns
from recmind.marketing.content.compose import OutboxComposer
from recmind.serving.engine import ServingEngine
from recmind.serving.message_recommender import served_recommender

SPRING: dict[str, Any] = {
    "name": "Spring",
    "audience": {"type": "segment", "segment": "regulars"},
    "channel": "email",
    "template": "newsletter",
    "recommendations": {"source": "personal", "count": 2},
    "context": {"headline": "Spring is here", "intro": "Fresh things in store."},
}


def outbox_rows(live: LiveServer) -> list[dict[str, Any]]:
    with live.store.engine.connect() as connection:
        return [dict(r._mapping) for r in connection.execute(select(outbox))]


def problem_locs(caught: pytest.ExceptionInfo[ApiError]) -> list[list[Any]]:
    assert caught.value.status == 422
    return [p["loc"] for p in caught.value.detail]


def test_the_life_of_a_campaign(live: LiveServer, client: Client) -> None:
    people = open_shop(live.store)
    made = client.create_campaign(SPRING)
    assert (made.status, made.stats.messages) == ("draft", 0)
    edited = client.update_campaign(made.campaign_id, SPRING | {"name": "Spring 2"})
    assert edited.name == "Spring 2"
    assert [c.campaign_id for c in client.list_campaigns("draft").campaigns] == [made.campaign_id]
    assert client.list_campaigns("sent").campaigns == []
    later = datetime(2031, 1, 1, tzinfo=UTC)
    scheduled = client.schedule_campaign(made.campaign_id, later)
    assert (scheduled.status, scheduled.scheduled_at) == ("scheduled", later.timestamp())
    with pytest.raises(ApiError) as caught:
        client.update_campaign(made.campaign_id, SPRING)
    assert caught.value.status == 409
    sent = client.send_campaign(made.campaign_id)
    assert sent.status == "scheduled" and abs(sent.scheduled_at - time.time()) < 60  # type: ignore[operator]
    # the worker's part: run what is due, then the service reports it
    engine = ServingEngine(live.settings, live.store)  # no model: popular items
    composer = OutboxComposer(live.store, live.settings, served_recommender(engine))
    written = run_due_campaigns(live.store, live.settings, composer, worker_id="w", now=time.time())
    assert written == len(people)
    done = client.get_campaign(made.campaign_id)
    assert done.status == "sent" and done.stats.messages == len(people)
    assert done.stats.by_status == {"pending": 5, "skipped": 2}
    assert done.stats.skipped_by_reason == {"no_address": 2}
    with pytest.raises(ApiError) as caught:
        client.cancel_campaign(made.campaign_id)
    assert caught.value.status == 409
    other = client.create_campaign(SPRING | {"name": "Other"})
    assert client.cancel_campaign(other.campaign_id).status == "cancelled"


def test_preview_and_test_send(live: LiveServer, client: Client) -> None:
    open_shop(live.store)
    made = client.create_campaign(SPRING)
    seen = client.preview_campaign(made.campaign_id, "p000")
    assert seen.subject == "Spring is here" and seen.recipient == "p000@example.com"
    assert seen.items == ["pan"]  # what sells (no model is served): the store's only seller
    assert seen.body_html is not None and "Fresh things in store." in seen.body_html
    assert seen.skip_reason is None
    assert client.preview_campaign(made.campaign_id, "p002").skip_reason == "no_address"
    assert outbox_rows(live) == []
    test = client.test_campaign(made.campaign_id, "p002", "qa@shop.test")
    assert test.skip_reason is None
    (row,) = outbox_rows(live)
    assert row["message_id"] == test.message_id
    assert (row["source_kind"], row["recipient"], row["status"]) == (
        "test",
        "qa@shop.test",
        "pending",
    )
    with pytest.raises(ApiError) as caught:
        client.test_campaign(made.campaign_id, "p000", "nobody")
    assert problem_locs(caught) == [["body", "to"]]


def test_mistakes_are_named(live: LiveServer, client: Client) -> None:
    open_shop(live.store)
    with pytest.raises(ApiError) as caught:
        client.create_campaign(SPRING | {"template": "no_such"})
    assert problem_locs(caught) == [["body", "template"]]
    with pytest.raises(ApiError) as caught:
        client.create_campaign(SPRING | {"audience": {"type": "segment", "segment": "nope"}})
    assert problem_locs(caught) == [["body", "audience", "segment"]]
    with pytest.raises(ApiError) as caught:
        client.create_campaign(SPRING | {"recommendations": {"count": 99}})
    assert problem_locs(caught) == [["body", "recommendations", "count"]]
    with pytest.raises(ApiError) as caught:
        client.create_campaign(SPRING | {"schedule_at": "2030-01-01T00:00:00"})
    assert problem_locs(caught) == [["body", "schedule_at"]]
    with pytest.raises(ApiError) as caught:
        client.get_campaign("nope")
    assert caught.value.status == 404
    with pytest.raises(ApiError) as caught:
        client.list_campaigns("done")
    assert problem_locs(caught) == [["query", "status"]]
    with live.client("read") as reader, pytest.raises(ApiError) as caught:
        reader.list_campaigns()
    assert caught.value.status == 403
