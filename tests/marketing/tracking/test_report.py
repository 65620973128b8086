"""Per-journey and per-campaign reports (every figure from a known set of rows) and the
funnel plot."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import insert
from tests.marketing.policy.people import (
    add_purchase,
    message_row,
    policy_settings,
    write_messages,
)

from recmind.data.schema import campaigns, enrolments, journeys
from recmind.data.store import Store
from recmind.marketing.tracking.events import MessageEvent, record_event
from recmind.marketing.tracking.plot import funnel_plot
from recmind.marketing.tracking.report import ReportError, all_reports, source_report

DAY = 86400.0
NOW = 30 * DAY


def _shop(store: Store) -> None:
    with store.engine.begin() as connection:
        connection.execute(
            insert(journeys).values(
                journey_id="cart",
                name="Cart abandonment",
                definition="{}",
                version=1,
                status="active",
                created_at=0.0,
                updated_at=0.0,
            )
        )
        connection.execute(
            insert(campaigns).values(
                campaign_id="spring",
                name="Spring sale",
                definition="{}",
                status="sent",
                created_at=0.0,
                updated_at=0.0,
            )
        )
        connection.execute(
            insert(enrolments),
            [
                {
                    "enrolment_id": f"e{n}",
                    "journey_id": "cart",
                    "version": 1,
                    "user_id": f"j{n}",
                    "entry_key": "k",
                    "state": "completed",
                    "entered_at": DAY,
                }
                for n in range(6)
            ],
        )
    journey = {"source_kind": "journey", "source_id": "cart", "created_at": DAY}
    rows = [message_row(f"j{n}", status="sent", sent_at=DAY, **journey) for n in range(4)]
    rows.append(message_row("j4", status="skipped", **journey))
    rows[-1]["skip_reason"] = "no_consent"
    rows.append(message_row("j5", status="skipped", **journey))
    rows[-1]["skip_reason"] = "holdout"
    rows.append(message_row("j0", status="pending", **journey))
    rows.append(message_row("j1", status="dead", **journey))
    rows.append(message_row("c0", status="sent", sent_at=DAY, created_at=DAY))
    rows.append(message_row("c0", status="sent", sent_at=DAY, source_kind="test"))
    write_messages(store, *rows)
    for kind, person in (("open", "j0"), ("open", "j0"), ("click", "j0"), ("click", "j1")):
        record_event(store, MessageEvent(rows[int(person[1])]["message_id"], person, kind, DAY))
    record_event(store, MessageEvent(rows[2]["message_id"], "j2", "unsubscribe", DAY))
    record_event(store, MessageEvent(rows[6]["message_id"], "j0", "deferred", DAY))
    add_purchase(store, "j0", 2 * DAY, 40.0)
    add_purchase(store, "j0", 2.1 * DAY, 2.5)
    add_purchase(store, "j3", 3 * DAY, 10.0)


def test_journey_report(store: Store) -> None:
    _shop(store)
    report = source_report(store, policy_settings(), "journey", "cart", now=NOW).to_dict()
    assert report["name"] == "Cart abandonment"
    expected = {
        "entered": 6,
        "messages": 8,
        "sent": 4,
        "sent_people": 4,
        "waiting": 1,
        "failed": 1,
        "skipped": {"holdout": 1, "no_consent": 1},
        "skipped_total": 2,
        "deferred": 1,
        "opened": 1,
        "opened_people": 1,
        "clicked": 2,
        "clicked_people": 2,
        "unsubscribed": 1,
        "converted": 2,
        "purchases": 3,
        "revenue": 52.5,
    }
    assert {k: report[k] for k in expected} == expected
    assert report["opens_unreliable"] is True
    assert [(s["stage"], s["people"]) for s in report["funnel"]] == [
        ("entered", 6),
        ("sent", 4),
        ("opened", 1),
        ("clicked", 2),
        ("converted", 2),
    ]
    holdout = report["holdout"]
    assert holdout["treated"] == {"people": 4, "converted": 2, "rate": 0.5}
    assert holdout["holdout"] == {"people": 1, "converted": 0, "rate": 0.0}
    assert holdout["ci_low"] < holdout["difference"] == 0.5 < holdout["ci_high"]


def test_campaign_report_and_all(store: Store, tmp_path: Path) -> None:
    _shop(store)
    settings = policy_settings()
    campaign = source_report(store, settings, "campaign", "spring", now=NOW)
    assert (campaign.entered, campaign.sent, campaign.messages) == (1, 1, 1)  # no test send
    assert campaign.holdout is not None and campaign.holdout.difference is None
    reports = all_reports(store, settings, now=NOW)
    assert [(r.kind, r.source_id) for r in reports] == [("campaign", "spring"), ("journey", "cart")]
    # a period before anything happened
    early = source_report(store, settings, "journey", "cart", now=NOW, until=0.5 * DAY)
    assert (early.entered, early.messages, early.converted) == (0, 0, 0)
    with pytest.raises(ReportError, match="no journey 'nope'"):
        source_report(store, settings, "journey", "nope", now=NOW)
    path = funnel_plot(reports, tmp_path / "plots" / "funnel.png")
    with Image.open(path) as image:
        assert image.format == "PNG" and image.size[1] > image.size[0] * 0.5
