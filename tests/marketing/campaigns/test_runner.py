"""Running due campaigns: claimed once, streamed in batches, resumed after a crash without
writing anyone's message twice, stopped when cancelled, cancelled when the audience fails."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Sequence
from typing import Any

import pytest
from sqlalchemy import select
from tests.marketing.campaigns.campaign_shop import FixedRecommender, open_shop
from tests.marketing.content.little_shop import NOW

from recmind.config import Settings
from recmind.config.marketing import MarketingSettings
from recmind.data.schema import outbox
from recmind.data.store import Store
from recmind.marketing.campaigns.definition import CampaignDefinition
from recmind.marketing.campaigns.repository import (
    campaign_stats,
    cancel_campaign,
    create_campaign,
    get_campaign,
    schedule_campaign,
)
from recmind.marketing.campaigns.runner import (
    CampaignProgress,
    claim_due_campaign,
    run_due_campaigns,
)
from recmind.marketing.content.compose import ComposeResult, OutboxComposer
from recmind.marketing.messages import MessageRequest, campaign_key


def settings(batch: int = 2) -> Settings:
    return Settings(marketing=MarketingSettings(batch_size=batch, claim_seconds=60))


def make(store: Store, config: Settings, **extra: Any) -> str:
    values: dict[str, Any] = {
        "name": "Spring",
        "audience": {"type": "segment", "segment": "regulars"},
        "template": "new_arrivals",
        "context": {"headline": "Spring"},
    }
    values.update(extra)
    made = create_campaign(store, config, CampaignDefinition.model_validate(values), now=NOW)
    return made.campaign_id


def keys(store: Store) -> Counter[str]:
    with store.engine.connect() as connection:
        return Counter(str(r[0]) for r in connection.execute(select(outbox.c.idempotency_key)))


def test_a_due_campaign_goes_to_its_segment_once(store: Store) -> None:
    people = open_shop(store)
    config = settings()
    composer = OutboxComposer(store, config, FixedRecommender())
    campaign_id = make(store, config)
    assert run_due_campaigns(store, config, composer, worker_id="w1", now=NOW) == 0  # a draft
    schedule_campaign(store, campaign_id, NOW + 60, now=NOW)
    assert run_due_campaigns(store, config, composer, worker_id="w1", now=NOW) == 0  # not yet
    seen: list[tuple[int, int]] = []

    def progress(state: CampaignProgress) -> None:
        seen.append((state.done, state.total))

    written = run_due_campaigns(
        store, config, composer, worker_id="w1", now=NOW + 61, progress=progress
    )
    assert written == len(people)
    assert seen == [(2, 7), (4, 7), (6, 7), (7, 7)]
    assert set(keys(store)) == {campaign_key(campaign_id, u) for u in people}  # not "gone"
    done = get_campaign(store, campaign_id)
    assert (done.status, done.claimed_by) == ("sent", None)
    assert done.started_at == pytest.approx(NOW + 61, abs=5)  # the clock runs on in a run
    assert done.finished_at is not None and done.finished_at >= NOW + 61
    stats = campaign_stats(store, campaign_id)
    assert stats["by_status"] == {"pending": 5, "skipped": 2}
    assert stats["skipped_by_reason"] == {"no_address": 2}
    assert run_due_campaigns(store, config, composer, worker_id="w2", now=NOW + 999) == 0


class CrashingComposer(OutboxComposer):
    """Dies (as a killed worker would) after ``batches`` batches."""

    def __init__(self, *args: Any, batches: int) -> None:
        super().__init__(*args)
        self.batches = batches

    def compose(self, requests: Sequence[MessageRequest], **kwargs: Any) -> ComposeResult:
        if self.batches == 0:
            raise KeyboardInterrupt("killed")
        self.batches -= 1
        return super().compose(requests, **kwargs)


def test_a_crashed_run_resumes_without_writing_anything_twice(store: Store) -> None:
    people = open_shop(store, people=9)
    config = settings()
    recommender = FixedRecommender()
    campaign_id = make(store, config, schedule_at="2020-01-01T00:00:00Z")
    crashing = CrashingComposer(store, config, recommender, batches=2)
    with pytest.raises(KeyboardInterrupt):
        run_due_campaigns(store, config, crashing, worker_id="w1", now=NOW)
    assert len(keys(store)) == 4
    stuck = get_campaign(store, campaign_id)
    assert (stuck.status, stuck.claimed_by) == ("sending", "w1")
    composer = OutboxComposer(store, config, recommender)
    # the claim still holds: nobody else takes the campaign
    assert run_due_campaigns(store, config, composer, worker_id="w2", now=NOW + 30) == 0
    asked_before = len(recommender.asked)
    # the claim expired: another worker resumes it
    written = run_due_campaigns(store, config, composer, worker_id="w2", now=NOW + 600)
    assert written == len(people) - 4
    assert len(recommender.asked) - asked_before == len(people) - 4  # no work redone
    counts = keys(store)
    assert set(counts) == {campaign_key(campaign_id, u) for u in people}
    assert max(counts.values()) == 1
    resumed = get_campaign(store, campaign_id)
    assert resumed.status == "sent"
    assert resumed.started_at == pytest.approx(NOW, abs=5)  # the first start stays


def test_cancelling_stops_a_campaign_after_its_batch(store: Store) -> None:
    open_shop(store, people=9)
    config = settings()
    campaign_id = make(store, config, schedule_at="2020-01-01T00:00:00Z")

    class CancellingComposer(OutboxComposer):
        def compose(self, requests: Sequence[MessageRequest], **kwargs: Any) -> ComposeResult:
            cancel_campaign(store, campaign_id)
            return super().compose(requests, **kwargs)

    composer = CancellingComposer(store, config, FixedRecommender())
    assert run_due_campaigns(store, config, composer, worker_id="w1", now=NOW) == 2
    assert get_campaign(store, campaign_id).status == "cancelled"
    assert len(keys(store)) == 2


def test_a_campaign_whose_audience_fails_is_cancelled_with_the_reason(store: Store) -> None:
    open_shop(store)
    config = settings()
    audience = {"type": "lookalike", "seeds": ["nobody-known"], "top": 3}
    campaign_id = make(store, config, audience=audience, schedule_at="2020-01-01T00:00:00Z")
    composer = OutboxComposer(store, config, FixedRecommender())
    assert run_due_campaigns(store, config, composer, worker_id="w1", now=NOW) == 0
    failed = get_campaign(store, campaign_id)
    assert failed.status == "cancelled"
    assert failed.last_error is not None and "audience could not be computed" in failed.last_error


def test_a_list_of_people(store: Store) -> None:
    open_shop(store)
    config = settings(batch=500)
    audience = {"type": "users", "user_ids": ["p000", "p001", "stranger"]}
    campaign_id = make(store, config, audience=audience, channel="onsite",
                       schedule_at="2020-01-01T00:00:00Z")  # fmt: skip
    composer = OutboxComposer(store, config, FixedRecommender())
    assert run_due_campaigns(store, config, composer, worker_id="w1", now=NOW) == 3
    assert campaign_stats(store, campaign_id)["by_status"] == {"pending": 3}


def test_two_workers_never_claim_the_same_campaign(store: Store) -> None:
    open_shop(store)
    config = settings()
    made = [make(store, config, name=f"c{n}", schedule_at="2020-01-01T00:00:00Z") for n in range(6)]
    claimed: list[str] = []
    lock = threading.Lock()
    start = threading.Barrier(4)

    def worker(name: str) -> None:
        start.wait()
        while True:
            found = claim_due_campaign(store, worker_id=name, now=NOW, claim_seconds=60)
            if found is None:
                return
            with lock:
                claimed.append(found.campaign_id)

    threads = [threading.Thread(target=worker, args=(f"w{n}",)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(claimed) == sorted(made)


def test_a_worker_shutting_down_hands_the_campaign_on_at_once(store: Store) -> None:
    people = open_shop(store, people=9)
    config = settings()
    campaign_id = make(store, config, schedule_at="2020-01-01T00:00:00Z")
    composer = OutboxComposer(store, config, FixedRecommender())
    batches: list[int] = []

    def stop_after_one() -> bool:
        batches.append(1)
        return len(batches) > 1  # asked before claiming, then after the first batch

    written = run_due_campaigns(
        store, config, composer, worker_id="w1", now=NOW, should_stop=stop_after_one
    )
    assert written == 2
    paused = get_campaign(store, campaign_id)
    assert (paused.status, paused.claimed_by) == ("sending", "w1")
    # the claim was given back: another worker resumes it without waiting for it to expire
    rest = run_due_campaigns(store, config, composer, worker_id="w2", now=NOW + 5)
    assert rest == len(people) - 2
    assert get_campaign(store, campaign_id).status == "sent"
    assert max(keys(store).values()) == 1
