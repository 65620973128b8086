"""A campaign end to end on a real SMTP server (aiosmtpd on loopback): composed from the
store, delivered through the outbox and the send-time rules, each person's email exactly
once, with the catalogue's titles and prices and the one-click unsubscribe headers."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from tests.marketing.campaigns.campaign_shop import FixedRecommender, open_shop
from tests.marketing.smtp_server import SmtpServer

from recmind.config import Settings
from recmind.config.marketing import MarketingSettings, SmtpSettings
from recmind.data.store import Store
from recmind.marketing.campaigns.definition import CampaignDefinition
from recmind.marketing.campaigns.repository import campaign_stats, create_campaign
from recmind.marketing.campaigns.runner import run_due_campaigns
from recmind.marketing.content.compose import OutboxComposer
from recmind.marketing.messages import campaign_key
from recmind.marketing.outbox.delivery import deliver_due

NOON = datetime(2026, 3, 2, 12, 0, tzinfo=UTC).timestamp()  # nobody's quiet hours


def test_every_person_gets_the_campaign_once(store: Store, smtp_server: SmtpServer) -> None:
    people = open_shop(store, people=6)
    settings = Settings(
        api={"secret": "a-campaign-delivery-test-secret"},
        marketing=MarketingSettings(
            smtp=SmtpSettings(port=smtp_server.port),
            holdout_percent=0,
            public_url="https://track.test",
            shop_name="Corner Shop",
        ),
    )
    definition = CampaignDefinition.model_validate(
        {
            "name": "Spring",
            "audience": {"type": "segment", "segment": "regulars"},
            "template": "newsletter",
            "context": {"headline": "Spring at the Corner Shop"},
            "schedule_at": "2026-03-02T11:00:00Z",
        }
    )
    campaign = create_campaign(store, settings, definition, now=NOON - 3600)
    composer = OutboxComposer(store, settings, FixedRecommender(["mug", "tea"]))
    assert run_due_campaigns(store, settings, composer, worker_id="w", now=NOON) == len(people)
    while deliver_due(store, settings, worker_id="w", now=NOON + 1, limit=100):
        pass
    addressed = [u for n, u in enumerate(people) if n % 3 != 2]
    received = smtp_server.wait_for(len(addressed))
    counts = smtp_server.count_by_key()
    assert counts == {campaign_key(campaign.campaign_id, u): 1 for u in addressed}
    for message in received:
        parsed = message.message
        assert parsed["Subject"] == "Spring at the Corner Shop"
        assert parsed["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert "https://track.test/u/" in str(parsed["List-Unsubscribe"])
        text = parsed.get_body(("plain",)).get_content()  # type: ignore[union-attr]
        html = parsed.get_body(("html",)).get_content()  # type: ignore[union-attr]
        # the catalogue's titles and prices, nothing else
        assert "Blue Mug: $15.00" in text and "Green Tea: $4.50" in text
        assert set(re.findall(r"\$\d[\d,]*\.\d\d", text + html)) == {"$15.00", "$4.50"}
    stats = campaign_stats(store, campaign.campaign_id)
    assert stats["by_status"] == {"sent": len(addressed), "skipped": len(people) - len(addressed)}
    assert stats["skipped_by_reason"] == {"no_address": len(people) - len(addressed)}
    # a second worker round sends nothing more
    assert run_due_campaigns(store, settings, composer, worker_id="w2", now=NOON + 60) == 0
    assert deliver_due(store, settings, worker_id="w2", now=NOON + 60, limit=100) == 0
    assert len(smtp_server.messages) == len(addressed)
