"""Stored campaigns: drafts, schedules, cancelling, and references checked when stored."""

from __future__ import annotations

from typing import Any

import pytest
from tests.marketing.campaigns.campaign_shop import open_shop
from tests.marketing.content.little_shop import NOW

from recmind.config import Settings
from recmind.data.store import Store
from recmind.marketing.campaigns.definition import CampaignDefinition
from recmind.marketing.campaigns.repository import (
    CampaignError,
    CampaignNotFoundError,
    CampaignStateError,
    campaign_stats,
    cancel_campaign,
    create_campaign,
    get_campaign,
    list_campaigns,
    schedule_campaign,
    update_campaign,
)


def definition(**extra: Any) -> CampaignDefinition:
    values: dict[str, Any] = {
        "name": "Spring sale!",
        "audience": {"type": "segment", "segment": "regulars"},
        "template": "newsletter",
    }
    values.update(extra)
    return CampaignDefinition.model_validate(values)


def test_the_life_of_a_campaign(store: Store) -> None:
    open_shop(store)
    settings = Settings()
    draft = create_campaign(store, settings, definition(), now=NOW)
    assert draft.status == "draft" and draft.scheduled_at is None
    assert draft.campaign_id.startswith("spring-sale-")
    edited = update_campaign(
        store, settings, draft.campaign_id, definition(name="Spring"), now=NOW + 1
    )
    assert (edited.name, edited.status, edited.updated_at) == ("Spring", "draft", NOW + 1)
    scheduled = schedule_campaign(store, draft.campaign_id, NOW + 3600, now=NOW + 2)
    assert (scheduled.status, scheduled.scheduled_at) == ("scheduled", NOW + 3600)
    with pytest.raises(CampaignStateError, match="is scheduled: it cannot be edited"):
        update_campaign(store, settings, draft.campaign_id, definition(), now=NOW + 3)
    moved = schedule_campaign(store, draft.campaign_id, NOW + 60, now=NOW + 4)
    assert moved.scheduled_at == NOW + 60
    cancelled = cancel_campaign(store, draft.campaign_id, now=NOW + 5)
    assert (cancelled.status, cancelled.finished_at) == ("cancelled", NOW + 5)
    with pytest.raises(CampaignStateError, match="cancelled"):
        cancel_campaign(store, draft.campaign_id)
    with pytest.raises(CampaignStateError):
        schedule_campaign(store, draft.campaign_id, NOW)
    assert get_campaign(store, draft.campaign_id).to_dict()["definition"]["name"] == "Spring"
    assert campaign_stats(store, draft.campaign_id) == {
        "messages": 0,
        "by_status": {},
        "skipped_by_reason": {},
    }


def test_listing_and_scheduling_at_creation(store: Store) -> None:
    open_shop(store)
    settings = Settings()
    first = create_campaign(store, settings, definition(name="One"), now=NOW)
    second = create_campaign(
        store, settings, definition(name="Two", schedule_at="2030-01-01T00:00:00Z"), now=NOW + 1
    )
    assert second.status == "scheduled" and second.scheduled_at == 1893456000.0
    assert [c.name for c in list_campaigns(store)] == ["Two", "One"]
    assert [c.campaign_id for c in list_campaigns(store, "draft")] == [first.campaign_id]
    with pytest.raises(CampaignNotFoundError, match="no campaign 'nope'"):
        get_campaign(store, "nope")
    with pytest.raises(CampaignNotFoundError):
        cancel_campaign(store, "nope")


def test_references_are_checked(store: Store) -> None:
    open_shop(store)
    settings = Settings()
    with pytest.raises(CampaignError) as caught:
        create_campaign(store, settings, definition(template="no_such"))
    assert caught.value.field == "template" and "newsletter" in caught.value.message
    with pytest.raises(CampaignError) as caught:
        create_campaign(
            store, settings, definition(audience={"type": "segment", "segment": "nope"})
        )
    assert caught.value.field == "audience.segment"
    lookalike = {"type": "lookalike", "seed_segment": "nope", "top": 5}
    with pytest.raises(CampaignError) as caught:
        create_campaign(store, settings, definition(audience=lookalike))
    assert caught.value.field == "audience.seed_segment"
    assert list_campaigns(store) == []
