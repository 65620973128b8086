"""Preview (any person, nothing written) and test send (to any address, through the outbox)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select
from tests.marketing.campaigns.campaign_shop import FixedRecommender, open_shop
from tests.marketing.content.little_shop import NOW

from recmind.config import Settings
from recmind.data.schema import outbox
from recmind.data.store import Store
from recmind.marketing.campaigns.definition import CampaignDefinition
from recmind.marketing.campaigns.preview import preview
from recmind.marketing.campaigns.preview import test_send as send_test
from recmind.marketing.campaigns.repository import create_campaign
from recmind.marketing.content.compose import OutboxComposer
from recmind.marketing.messages import campaign_key, message_id_for


def rows(store: Store) -> list[dict[str, Any]]:
    with store.engine.connect() as connection:
        return [dict(r._mapping) for r in connection.execute(select(outbox))]


def test_preview_writes_nothing(store: Store) -> None:
    open_shop(store)
    settings = Settings()
    spring = create_campaign(
        store,
        settings,
        CampaignDefinition.model_validate(
            {
                "name": "Spring",
                "audience": {"type": "segment", "segment": "regulars"},
                "template": "newsletter",
                "context": {"headline": "Spring is here", "intro": "New things arrived."},
            }
        ),
        now=NOW,
    )
    composer = OutboxComposer(store, settings, FixedRecommender())
    seen = preview(composer, spring, "p000", now=NOW)
    assert seen.message is not None and seen.skip_reason is None
    assert seen.message.subject == "Spring is here"
    assert seen.recipient == "p000@example.com" and seen.items == ["mug", "tea"]
    assert "New things arrived." in seen.message.body_html
    # every part is there, the links are the real message's
    payload = seen.message.payload
    assert payload["message_id"] == message_id_for(campaign_key(spring.campaign_id, "p000"))
    assert payload["title"] == "Spring is here" and payload["text"]
    # someone without an address: shown, and said to be skipped
    nobody = preview(composer, spring, "p002", now=NOW)
    assert nobody.message is not None and nobody.skip_reason == "no_address"
    # a template that needs items, without any
    empty = OutboxComposer(store, settings, FixedRecommender([]))
    bare = preview(empty, "cart_abandonment", "p000", now=NOW)
    assert bare.message is None and bare.skip_reason == "no_items"
    assert rows(store) == []


def test_a_test_send_goes_through_the_outbox(store: Store) -> None:
    open_shop(store)
    settings = Settings()
    composer = OutboxComposer(store, settings, FixedRecommender())
    first, reason = send_test(composer, "new_arrivals", "p002", "qa@shop.test", now=NOW)
    second, _ = send_test(composer, "new_arrivals", "p002", "qa@shop.test", now=NOW)
    assert reason is None and first != second  # every test send is a message of its own
    found = {r["message_id"]: r for r in rows(store)}
    assert set(found) == {first, second}
    row = found[first]
    assert (row["status"], row["source_kind"], row["recipient"]) == (
        "pending",
        "test",
        "qa@shop.test",
    )
    assert row["source_id"] == "template:new_arrivals"
    with pytest.raises(ValueError, match="not an email address"):
        send_test(composer, "new_arrivals", "p000", "not-an-address", now=NOW)
    with store.engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(outbox)).scalar_one() == 2
