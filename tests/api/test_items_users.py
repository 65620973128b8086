"""Items and users over the API: the importer's validation (422 naming field and value),
create/replace/patch/delete, paging."""

from __future__ import annotations

import pytest
from tests.api.conftest import LiveServer
from tests.data.conftest import ITEMS, USERS

from recmind.client import ApiError, Client


def test_item_lifecycle(client: Client) -> None:
    created = client.raw(
        "PUT",
        "/v1/items/sku-1",
        json={
            "title": "Red shirt",
            "price": "19.90",
            "stock": 3.0,
            "category": "Tops/Knits",
            "attributes": {"size": "M"},
        },
    )
    assert created.status_code == 201
    item = client.get_item("sku-1")
    assert (item.title, item.price, item.stock, item.attributes) == (
        "Red shirt",
        19.9,
        3,
        {"size": "M"},
    )
    assert client.raw("PUT", "/v1/items/sku-1", json={"title": "Red shirt"}).status_code == 200
    replaced = client.get_item("sku-1")
    assert replaced.price is None and replaced.attributes == {}
    patched = client.patch_item("sku-1", stock=7, description="Soft cotton")
    assert (patched.title, patched.stock, patched.description) == ("Red shirt", 7, "Soft cotton")
    client.delete_item("sku-1")
    with pytest.raises(ApiError) as missing:
        client.get_item("sku-1")
    assert missing.value.status == 404
    assert client.raw("DELETE", "/v1/items/sku-1").status_code == 404
    assert client.raw("PATCH", "/v1/items/sku-1", json={"stock": 1}).status_code == 404


@pytest.mark.parametrize(
    "row", [r for r in ITEMS if isinstance(r.expect, tuple)], ids=lambda r: r.expect[1]
)
def test_items_the_importer_rejects_are_refused_naming_field_and_value(
    sqlite_live: LiveServer, row: object
) -> None:
    values = dict(row.values)  # type: ignore[attr-defined]
    field, reason = row.expect  # type: ignore[attr-defined]
    item_id = values.pop("item_id") or "blank-id"
    values.pop("color", None)
    if field == "item_id":
        item_id = " "
    with sqlite_live.client("ingest") as c:
        response = c.raw("PUT", f"/v1/items/{item_id}", json=values)
    assert response.status_code == 422, response.text
    problem = response.json()["detail"][0]
    assert problem["loc"][-1] == field
    if field != "item_id":
        assert problem["type"] == reason
        assert problem["input"] == values.get(field)


@pytest.mark.parametrize(
    ("body", "field", "reason"),
    [
        ({"title": "x", "stock": 10**30}, "stock", "too_large"),
        ({"title": "x", "language": "l" * 40}, "language", "too_long"),
        ({"title": "nul \x00 byte"}, "title", "invalid_text"),
        ({"title": "x", "colour": "red"}, "colour", "extra_forbidden"),
        ({"title": "x", "price": float("inf")}, "price", "wrong_type"),
    ],
)
def test_values_the_store_cannot_hold(
    sqlite_live: LiveServer, body: dict[str, object], field: str, reason: str
) -> None:
    with sqlite_live.client("ingest") as c:
        import json

        response = c.raw(
            "PUT",
            "/v1/items/i1",
            content=json.dumps(body).encode(),
            headers={"Content-Type": "application/json"},
        )
    assert response.status_code == 422, response.text
    problem = response.json()["detail"][0]
    assert problem["loc"][-1] == field
    assert problem["type"] == reason


def test_a_patch_cannot_leave_an_invalid_item(client: Client) -> None:
    client.put_item("i1", title="Shirt", price=5)
    response = client.raw("PATCH", "/v1/items/i1", json={"title": None})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "title"]
    assert client.get_item("i1").title == "Shirt"


def test_items_page_in_id_order(client: Client) -> None:
    for n in (3, 1, 2):
        client.put_item(f"i{n}", title=f"Item {n}")
    page = client.list_items(limit=2, offset=1)
    assert [i.item_id for i in page.items] == ["i2", "i3"]
    assert (page.total, page.limit, page.offset) == (3, 2, 1)
    assert client.raw("GET", "/v1/items", params={"limit": 0}).status_code == 422


def test_user_lifecycle_and_consent(client: Client) -> None:
    created = client.raw(
        "PUT",
        "/v1/users/u1",
        json={
            "email": "a@example.com",
            "consent_email": "yes",
            "timezone": "Europe/Paris",
            "created_at": "2024-01-01T00:00:00Z",
            "attributes": {"plan": "gold"},
        },
    )
    assert created.status_code == 201
    user = client.get_user("u1")
    assert (user.consent_email, user.created_at, user.attributes) == (
        True,
        1704067200.0,
        {"plan": "gold"},
    )
    replaced = client.put_user("u1", consent_email=False)
    assert replaced.consent_email is False
    assert replaced.email is None
    assert replaced.created_at == 1704067200.0  # kept on replace
    assert client.patch_user("u1", email="b@example.com").consent_email is False
    fresh = client.put_user("u2")
    assert fresh.created_at is not None


@pytest.mark.parametrize(
    "row", [r for r in USERS if isinstance(r.expect, tuple)], ids=lambda r: r.expect[1]
)
def test_users_the_importer_rejects_are_refused(sqlite_live: LiveServer, row: object) -> None:
    values = dict(row.values)  # type: ignore[attr-defined]
    field, reason = row.expect  # type: ignore[attr-defined]
    user_id = values.pop("user_id") or " "
    values.pop("plan", None)
    with sqlite_live.client("ingest") as c:
        response = c.raw("PUT", f"/v1/users/{user_id}", json=values)
    assert response.status_code == 422, response.text
    problem = response.json()["detail"][0]
    assert problem["loc"][-1] == field
    if field != "user_id":
        assert problem["type"] == reason
        assert problem["input"] == values[field]


def test_unknown_user_and_item_are_404(client: Client) -> None:
    for path in ("/v1/users/nobody", "/v1/items/nothing", "/v1/users/nobody/profile"):
        response = client.raw("GET", path)
        assert response.status_code == 404
        assert "detail" in response.json()
    assert client.raw("PATCH", "/v1/users/nobody", json={"email": "x"}).status_code == 404
