"""``/v1/segments`` and ``/v1/customers`` over a real server on loopback (SQLite and
PostgreSQL), through the typed client: scopes, 422s naming the rule path, versions,
preview, refresh, members, CSV export, and erasure reaching all of them at once."""

from __future__ import annotations

import csv
import io

import pytest
from tests.api.conftest import LiveServer
from tests.marketing.segments import shop

from recmind.client import ApiError
from recmind.marketing.segments.builtins import BUILTINS

AS_OF = shop.AS_OF
BUYERS = {"event": {"type": "purchase", "within_days": 90}, "measure": "exists"}


def test_segments_need_the_marketing_scope(live: LiveServer) -> None:
    with live.client("read") as client, pytest.raises(ApiError) as caught:
        client.list_segments()
    assert caught.value.status == 403
    with live.client("marketing") as client:
        listed = client.list_segments()
    assert {s.segment_id for s in listed.segments} == set(BUILTINS)
    with live.client("marketing") as client, pytest.raises(ApiError) as caught:
        client.get_customer("anyone")
    assert caught.value.status == 404


def test_a_bad_rule_is_a_422_naming_the_rule_path(live: LiveServer) -> None:
    rule = {
        "all": [
            {"consent": "email"},
            {"event": {"type": "view", "within_days": 0}, "measure": "exists"},
            {"field": "nope", "op": "=", "value": 1},
        ]
    }
    with live.client("marketing") as client:
        with pytest.raises(ApiError) as caught:
            client.create_segment("Broken", rule)
        assert caught.value.status == 422
        problems = caught.value.detail
        assert [p["loc"] for p in problems] == [
            ["body", "rule", "all", 1, "event", "within_days"],
            ["body", "rule", "all", 2, "field"],
        ]
        assert problems[0]["input"] == 0
        assert "unknown field" in problems[1]["msg"]
        with pytest.raises(ApiError) as caught:
            client.preview_rule({"all": [{"colour": "red"}]})
        assert caught.value.status == 422
        assert caught.value.detail[0]["loc"] == ["body", "rule", "all", 0]
        assert "Broken" not in {s.name for s in client.list_segments().segments}


def test_segment_lifecycle(live: LiveServer) -> None:
    shop.fill(live.store)
    with live.client("marketing") as client:
        made = client.create_segment("Recent buyers", BUYERS, description="bought in 90 days")
        assert made.segment_id == "recent-buyers"
        assert made.in_words == "purchased in the last 90 days"
        assert made.members == 0 and made.refreshed_at is None
        with pytest.raises(ApiError) as caught:
            client.create_segment("Recent buyers", BUYERS)
        assert caught.value.status == 409

        preview = client.preview_segment("recent-buyers", as_of=AS_OF, sample=3)
        assert 0 < preview.count < preview.customers
        assert len(preview.sample) == 3
        assert preview.distributions["monetary_total"]["set"] >= 0
        assert client.preview_rule(BUYERS, as_of=AS_OF).count == preview.count

        refreshed = client.refresh_segment("recent-buyers", as_of=AS_OF)
        assert (refreshed.members, refreshed.entered, refreshed.exited) == (preview.count,) * 2 + (
            0,
        )
        with pytest.raises(ApiError) as caught:
            client.refresh_segment("recent-buyers", as_of=AS_OF - 10)
        assert caught.value.status == 409

        first = client.segment_members("recent-buyers", limit=2)
        rest = client.segment_members("recent-buyers", offset=2, limit=1000)
        assert first.total == preview.count
        ids = [m.user_id for m in first.members + rest.members]
        assert ids == sorted(ids) and len(ids) == preview.count

        text = client.export_segment("recent-buyers")
        rows = list(csv.DictReader(io.StringIO(text)))
        assert [r["user_id"] for r in rows] == ids

        member = ids[0]
        customer = client.get_customer(member)
        assert [s.segment_id for s in customer.segments] == ["recent-buyers"]

        changed = client.update_segment("recent-buyers", rule={"consent": "email"})
        assert changed.version == 2
        assert client.get_segment("recent-buyers").rule == {"consent": "email"}
        client.delete_segment("recent-buyers")
        with pytest.raises(ApiError) as caught:
            client.get_segment("recent-buyers")
        assert caught.value.status == 404
        with pytest.raises(ApiError) as caught:
            client.export_segment("recent-buyers")
        assert caught.value.status == 404


def test_erased_customers_vanish_everywhere_at_once(live: LiveServer) -> None:
    shop.fill(live.store)
    with live.client("marketing") as client:
        client.create_segment("Everyone", {"all": []}, segment_id="everyone")
        client.refresh_segment("everyone", as_of=AS_OF)
        victim = "u06"
        known = client.get_customer(victim)
        assert known.profile is not None and known.segments
        assert victim in client.export_segment("everyone")
        before = client.segment_members("everyone", limit=1000).total
    with live.client("admin") as admin:
        admin.erase_user(victim)
    with live.client("marketing") as client:
        with pytest.raises(ApiError) as caught:
            client.get_customer(victim)
        assert caught.value.status == 404
        assert victim not in client.export_segment("everyone")
        page = client.segment_members("everyone", limit=1000)
        assert page.total == before - 1
        assert victim not in {m.user_id for m in page.members}
        assert victim not in {
            str(row["user_id"])
            for row in client.preview_rule({"all": []}, as_of=AS_OF, sample=100).sample
        }
