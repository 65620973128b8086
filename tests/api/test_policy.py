"""Consent, suppressions and marketing reports over REST and the typed client (the
``marketing`` scope); bad input is a 422 naming the field."""

from __future__ import annotations

import pytest
from sqlalchemy import insert
from tests.api.conftest import LiveServer
from tests.marketing.policy.people import add_purchase, add_users, message_row, write_messages

from recmind.client import ApiError, Client
from recmind.data.schema import journeys
from recmind.marketing.policy.decide import Skip, decide

NOON = 12 * 3600.0


def test_consent(live: LiveServer, client: Client) -> None:
    add_users(live.store, "ann", consent_email=None)
    found = {c.channel: c for c in client.get_consent("ann").consents}
    assert (found["email"].granted, found["email"].source) == (False, "default")
    assert (found["onsite"].granted, found["webhook"].granted) == (True, False)
    changed = client.set_consent("ann", "email", True, source="signup form")
    email = next(c for c in changed.consents if c.channel == "email")
    assert (email.granted, email.source, email.note) == (True, "consents", "signup form")
    client.set_consent("ann", "email", False)
    assert decide(live.store, live.settings, message_row("ann"), now=NOON) == Skip("no_consent")
    with pytest.raises(ApiError) as raised:
        client.set_consent("ann", "sms", True)
    assert raised.value.status == 422
    assert raised.value.detail[0]["loc"] == ["body", "channel"]


def test_suppressions(live: LiveServer, client: Client) -> None:
    add_users(live.store, "bob")
    added = client.add_suppression("bob", channel="email", reason="bounced", source="550")
    assert (added.user_id, added.channel, added.reason, added.source) == (
        "bob",
        "email",
        "bounced",
        "550",
    )
    status, body = client._request_with_status(
        "POST", "/v1/suppressions", json={"user_id": "bob", "channel": "email"}
    )
    assert (status, body["reason"]) == (200, "bounced")
    client.add_suppression("carl")  # every channel, manual
    assert decide(live.store, live.settings, message_row("bob"), now=NOON) == Skip(
        "suppressed:bounced"
    )
    page = client.list_suppressions()
    assert page.total == 2
    assert {(s.user_id, s.channel) for s in page.suppressions} == {("bob", "email"), ("carl", "*")}
    assert client.list_suppressions(reason="manual").total == 1
    client.remove_suppression("carl", "*")
    with pytest.raises(ApiError) as raised:
        client.remove_suppression("carl", "*")
    assert raised.value.status == 404
    with pytest.raises(ApiError) as raised:
        client.add_suppression("bob", reason="spam")
    assert raised.value.status == 422 and raised.value.detail[0]["loc"] == ["body", "reason"]
    with pytest.raises(ApiError) as raised:
        client.list_suppressions(channel="sms")
    assert raised.value.status == 422 and raised.value.detail[0]["loc"] == ["query", "channel"]


def test_reports(live: LiveServer, client: Client) -> None:
    with live.store.engine.begin() as connection:
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
    journey = {"source_kind": "journey", "source_id": "cart"}
    write_messages(
        live.store,
        message_row("ann", status="sent", sent_at=100.0, created_at=100.0, **journey),
        message_row("bob", status="skipped", created_at=100.0, **journey),
    )
    add_purchase(live.store, "ann", 200.0, 25.0)
    reports = client.marketing_reports(journey_id="cart").reports
    assert len(reports) == 1
    report = reports[0]
    assert (report.name, report.sent, report.converted, report.revenue) == (
        "Cart abandonment",
        1,
        1,
        25.0,
    )
    assert report.skipped == {"unspecified": 1} and report.opens_unreliable
    assert [r.id for r in client.marketing_reports().reports] == ["cart"]
    png = client.marketing_funnel_png(journey_id="cart")
    assert png.startswith(b"\x89PNG")
    with pytest.raises(ApiError) as raised:
        client.marketing_reports(campaign_id="nope")
    assert raised.value.status == 404
    with pytest.raises(ApiError) as raised:
        client.marketing_reports(journey_id="cart", campaign_id="x")
    assert raised.value.status == 422


def test_text_the_store_cannot_hold_is_a_422_naming_the_field(client: Client) -> None:
    cases = [
        ("GET", "/v1/suppressions", {"params": {"user_id": "a\x00b"}}, ["query", "user_id"]),
        ("GET", "/v1/suppressions", {"params": {"offset": 10**20}}, ["query", "offset"]),
        ("POST", "/v1/suppressions", {"json": {"user_id": "a\x00"}}, ["body", "user_id"]),
        (
            "PUT",
            "/v1/users/ann/consent",
            {"json": {"channel": "email", "granted": True, "source": "\x00"}},
            ["body", "source"],
        ),
        (
            "GET",
            "/v1/marketing/reports",
            {"params": {"journey_id": "\x00"}},
            ["query", "journey_id"],
        ),
    ]
    for method, path, options, loc in cases:
        response = client.raw(method, path, **options)
        assert response.status_code == 422, (path, response.text)
        assert response.json()["detail"][0]["loc"] == loc
