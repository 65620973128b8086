"""Orders over the API: create/replace/patch with the importer's validation (422 naming the
field), a person's orders, scopes, export and erasure with the person (SQLite and
PostgreSQL)."""

from __future__ import annotations

from typing import Any

import pytest
from tests.api.conftest import LiveServer

from recmind.client import ApiError, Client

ORDER: dict[str, Any] = {
    "user_id": "u1",
    "created_at": "2026-03-01T10:00:00Z",
    "status": "paid",
    "lines": [{"item_id": "sku-1", "quantity": 2, "unit_price": 19.9}],
    "total": 39.8,
    "currency": "USD",
}


@pytest.fixture
def shop(client: Client) -> Client:
    client.put_item("sku-1", title="Red shirt", price=19.9)
    client.put_item("sku-2", title="Blue jeans", price=49.5)
    return client


def test_order_lifecycle(shop: Client) -> None:
    created = shop.raw("PUT", "/v1/orders/o-1", json=ORDER)
    assert created.status_code == 201, created.text
    order = shop.get_order("o-1")
    assert (order.user_id, order.status, order.total, order.currency) == ("u1", "paid", 39.8, "USD")
    assert [(line.item_id, line.quantity, line.unit_price) for line in order.lines] == [
        ("sku-1", 2, 19.9)
    ]
    assert shop.get_user("u1").user_id == "u1"  # the person was created
    assert shop.raw("PUT", "/v1/orders/o-1", json=ORDER).status_code == 200
    shipped = shop.patch_order(
        "o-1", status="shipped", carrier="Parcelink", tracking_number="PL1", expected_delivery=2e9
    )
    assert (shipped.status, shipped.carrier, shipped.tracking_number) == (
        "shipped",
        "Parcelink",
        "PL1",
    )
    assert shipped.expected_delivery == 2e9 and shipped.total == 39.8
    assert shop.raw("PATCH", "/v1/orders/nope", json={"status": "paid"}).status_code == 404
    with pytest.raises(ApiError) as missing:
        shop.get_order("nope")
    assert missing.value.status == 404


def test_a_persons_orders_are_only_theirs(shop: Client) -> None:
    shop.put_order("o-old", **{**ORDER, "created_at": 1.7e9})
    shop.put_order("o-new", **{**ORDER, "created_at": 1.75e9})
    shop.put_order("o-other", **{**ORDER, "user_id": "u2"})
    page = shop.user_orders("u1")
    assert page.total == 2 and [o.order_id for o in page.orders] == ["o-new", "o-old"]
    assert [o.order_id for o in shop.user_orders("u1", limit=1, offset=1).orders] == ["o-old"]
    assert shop.user_orders("nobody").total == 0


@pytest.mark.parametrize(
    ("change", "field", "reason"),
    [
        ({"status": "lost"}, "status", "unknown_order_status"),
        ({"lines": []}, "lines", "malformed_lines"),
        ({"lines": [{"item_id": "ghost", "quantity": 1, "unit_price": 1}]}, "lines", None),
        ({"lines": "[{not json"}, "lines", "malformed_lines"),
        ({"total": -1}, "total", "negative_value"),
        ({"currency": "dollars"}, "currency", "invalid_currency"),
        ({"created_at": None}, "created_at", "missing_required"),
        ({"carrier": "a\x00b"}, "carrier", "invalid_text"),
        ({"lines": [{"item_id": "\x00", "quantity": 1, "unit_price": 1}]}, "lines", None),
        ({"user_id": "\x00"}, "user_id", "invalid_text"),
        ({"lines": [{"item_id": "sku-1", "quantity": 10**400, "unit_price": 1}]}, "lines", None),
        ({"lines": [{"item_id": "sku-1", "quantity": 1, "unit_price": 10**400}]}, "lines", None),
        ({"lines": [{"item_id": 10**300, "quantity": 1, "unit_price": 1}]}, "lines", None),
        ({"total": 10**400}, "total", None),
        ({"created_at": 10**400}, "created_at", None),
    ],
)
def test_orders_the_importer_rejects_are_refused_naming_the_field(
    shop: Client, change: dict[str, Any], field: str, reason: str | None
) -> None:
    response = shop.raw("PUT", "/v1/orders/o-bad", json={**ORDER, **change})
    assert response.status_code == 422, response.text
    problem = response.json()["detail"][0]
    assert problem["loc"] == ["body", field]
    assert reason is None or problem["type"] == reason
    assert shop.raw("GET", "/v1/orders/o-bad").status_code == 404


def test_ids_the_store_cannot_hold_are_422(shop: Client) -> None:
    for path in ("/v1/orders/a%00b", "/v1/users/a%00b/orders", "/v1/orders/%20x"):
        assert shop.raw("GET", path).status_code == 422, path
    assert shop.raw("PUT", "/v1/orders/a%00b", json=ORDER).status_code == 422
    assert shop.raw("PUT", "/v1/orders/x", json={**ORDER, "colour": "red"}).status_code == 422


def test_scopes(sqlite_live: LiveServer) -> None:
    with sqlite_live.client() as admin:
        admin.put_item("sku-1", title="Red shirt")
    with sqlite_live.client("read") as reader:
        assert reader.raw("PUT", "/v1/orders/o", json=ORDER).status_code == 403
        assert reader.raw("GET", "/v1/users/u1/orders").status_code == 200
    with sqlite_live.client("ingest") as writer:
        assert writer.raw("PUT", "/v1/orders/o", json=ORDER).status_code == 201
    with sqlite_live.client(None) as nobody:
        assert nobody.raw("GET", "/v1/orders/o").status_code == 401


def test_orders_are_exported_and_erased_with_the_person(shop: Client) -> None:
    shop.put_order("o-1", **ORDER)
    shop.put_order("o-2", **{**ORDER, "user_id": "u2"})
    exported = shop.export_user("u1")
    assert [o.order_id for o in exported.orders] == ["o-1"]
    erased = shop.erase_user("u1")
    assert (erased.user_row, erased.orders) == (True, 1)
    assert shop.user_orders("u1").total == 0
    assert shop.raw("GET", "/v1/orders/o-1").status_code == 404
    assert shop.get_order("o-2").user_id == "u2"
