"""``/v1/audiences`` over a real server on loopback (SQLite and PostgreSQL), through the
typed client: the marketing scope, the same audience as the CLI's functions, the planted
twins found, and 422s naming the field."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.api.conftest import LiveServer
from tests.marketing.shop_log import DAY, START, item_id, shop_events, shop_items
from tests.marketing.test_lookalike import SEEDS, TWINS, planted

from recmind.client import ApiError
from recmind.data.bundle import DataBundle
from recmind.data.importer import import_bundle
from recmind.marketing.audiences import BuyersConfig, buyers_from_store

AS_OF = START + 110 * DAY
TARGETS = [item_id(4, i) for i in range(3)]


def fill(live: LiveServer, tmp_path: Path) -> None:
    bundle = DataBundle(name="shop", items=shop_items(), events=planted(shop_events(n_users=90)))
    import_bundle(live.store, bundle, quarantine_dir=tmp_path / "quarantine")


def test_audiences_need_the_marketing_scope(live: LiveServer) -> None:
    with live.client("read") as client, pytest.raises(ApiError) as caught:
        client.lookalikes(["anyone"], top=3)
    assert caught.value.status == 403


def test_buyers_and_lookalikes(live: LiveServer, tmp_path: Path) -> None:
    fill(live, tmp_path)
    with live.client("marketing", timeout=120.0) as client:
        found = client.likely_buyers(item_ids=TARGETS, window_days=14, top=6, as_of=AS_OF)
        twins = client.lookalikes(SEEDS, top=4, as_of=AS_OF)
        by_category = client.likely_buyers(category="food/c4", window_days=14, top=3, as_of=AS_OF)
    expected = buyers_from_store(
        live.store, BuyersConfig(window_days=14, top=6), as_of=AS_OF, item_ids=TARGETS
    )
    assert found.as_of == "2017-11-01T02:40:00+00:00"
    assert [u.user_id for u in found.users] == expected.user_ids
    assert {u.user_id for u in twins.users} == set(TWINS)
    assert len(by_category.users) == 3


def test_bad_requests_name_the_field(live: LiveServer, tmp_path: Path) -> None:
    fill(live, tmp_path)
    with live.client("marketing") as client:
        for call, field in [
            (lambda: client.likely_buyers(window_days=7, top=3), "item_ids"),
            (lambda: client.likely_buyers(item_ids=["zz"], window_days=7, top=3), "item_ids"),
            (lambda: client.likely_buyers(category="drinks", window_days=7, top=3), "category"),
            (lambda: client.likely_buyers(item_ids=TARGETS, window_days=0, top=3), "window_days"),
            (lambda: client.lookalikes(["ghost"], top=3), "seed_user_ids"),
            (lambda: client.lookalikes(["a\x00"], top=3), "seed_user_ids"),
            (lambda: client.likely_buyers(category="\x00", window_days=7, top=3), "category"),
        ]:
            with pytest.raises(ApiError) as caught:
                call()
            assert caught.value.status == 422
            assert caught.value.detail[0]["loc"][:2] == ["body", field]
