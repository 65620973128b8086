"""Client methods for events, items, users, orders, profiles, privacy, keys and health
routes."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import quote

from recmind.api.schemas import (
    ErasureOut,
    IngestResult,
    ItemOut,
    ItemPage,
    KeyCreated,
    KeyOut,
    OrderOut,
    OrderPage,
    ProfileOut,
    Readiness,
    UserExport,
    UserOut,
)
from recmind.client.base import BaseClient
from recmind.client.jobs import DEFAULT_WAIT_S, until_ready


def _id(value: str) -> str:
    """An id as one path segment."""
    return quote(str(value), safe="")


class DataRoutes(BaseClient):
    """Ingestion, catalogue, users, profile, export and erasure, keys, health."""

    # -- events --------------------------------------------------------------------------

    def send_events(self, events: Sequence[Mapping[str, Any]]) -> IngestResult:
        """Post a batch; the verdict on every row (rejected rows are listed, not raised)."""
        body = self._request("POST", "/v1/events", json={"events": list(events)})
        return IngestResult.model_validate(body)

    def send_event(self, event: Mapping[str, Any]) -> IngestResult:
        """Post one event."""
        return IngestResult.model_validate(self._request("POST", "/v1/events", json=event))

    # -- items ---------------------------------------------------------------------------

    def put_item(self, item_id: str, **fields: Any) -> ItemOut:
        """Create or replace an item (fields not given are cleared)."""
        return ItemOut.model_validate(
            self._request("PUT", f"/v1/items/{_id(item_id)}", json=fields)
        )

    def patch_item(self, item_id: str, **fields: Any) -> ItemOut:
        """Change some fields of an item."""
        return ItemOut.model_validate(
            self._request("PATCH", f"/v1/items/{_id(item_id)}", json=fields)
        )

    def get_item(self, item_id: str) -> ItemOut:
        return ItemOut.model_validate(self._request("GET", f"/v1/items/{_id(item_id)}"))

    def delete_item(self, item_id: str) -> None:
        self._request("DELETE", f"/v1/items/{_id(item_id)}")

    def list_items(self, limit: int = 100, offset: int = 0) -> ItemPage:
        body = self._request("GET", "/v1/items", params={"limit": limit, "offset": offset})
        return ItemPage.model_validate(body)

    # -- users ---------------------------------------------------------------------------

    def put_user(self, user_id: str, **fields: Any) -> UserOut:
        """Create or replace a user (fields not given are cleared, ``created_at`` kept)."""
        return UserOut.model_validate(
            self._request("PUT", f"/v1/users/{_id(user_id)}", json=fields)
        )

    def patch_user(self, user_id: str, **fields: Any) -> UserOut:
        return UserOut.model_validate(
            self._request("PATCH", f"/v1/users/{_id(user_id)}", json=fields)
        )

    def get_user(self, user_id: str) -> UserOut:
        return UserOut.model_validate(self._request("GET", f"/v1/users/{_id(user_id)}"))

    def profile(
        self,
        user_id: str,
        *,
        generate: bool = False,
        recent: int = 5,
        timeout: float = DEFAULT_WAIT_S,
    ) -> ProfileOut:
        """Interest tags, portrait and recent activity. With ``generate`` the language model
        writes the portrait in a background job: this waits for it (at most ``timeout``
        seconds; see :mod:`recmind.client.jobs`)."""
        path = f"/v1/users/{_id(user_id)}/profile"
        params = {"generate": str(generate).lower(), "recent": recent}
        body = until_ready(self, path, params, timeout)
        return ProfileOut.model_validate(body)

    # -- orders --------------------------------------------------------------------------

    def put_order(self, order_id: str, **fields: Any) -> OrderOut:
        """Create or replace an order (fields not given are cleared)."""
        return OrderOut.model_validate(
            self._request("PUT", f"/v1/orders/{_id(order_id)}", json=fields)
        )

    def patch_order(self, order_id: str, **fields: Any) -> OrderOut:
        """Change some fields of an order (a status, a tracking number)."""
        return OrderOut.model_validate(
            self._request("PATCH", f"/v1/orders/{_id(order_id)}", json=fields)
        )

    def get_order(self, order_id: str) -> OrderOut:
        return OrderOut.model_validate(self._request("GET", f"/v1/orders/{_id(order_id)}"))

    def user_orders(self, user_id: str, limit: int = 100, offset: int = 0) -> OrderPage:
        """The person's orders, newest first."""
        params = {"limit": limit, "offset": offset}
        body = self._request("GET", f"/v1/users/{_id(user_id)}/orders", params=params)
        return OrderPage.model_validate(body)

    # -- privacy -------------------------------------------------------------------------

    def export_user(self, user_id: str) -> UserExport:
        """Everything stored about the user (``admin`` scope)."""
        body = self._request("GET", f"/v1/users/{_id(user_id)}/export")
        return UserExport.model_validate(body)

    def erase_user(self, user_id: str) -> ErasureOut:
        """Erase the user everywhere (``admin`` scope)."""
        body = self._request("DELETE", f"/v1/users/{_id(user_id)}")
        return ErasureOut.model_validate(body)

    # -- keys ----------------------------------------------------------------------------

    def create_key(self, scopes: Sequence[str], name: str | None = None) -> KeyCreated:
        body = self._request("POST", "/v1/keys", json={"scopes": list(scopes), "name": name})
        return KeyCreated.model_validate(body)

    def list_keys(self) -> list[KeyOut]:
        return [KeyOut.model_validate(k) for k in self._request("GET", "/v1/keys")]

    def revoke_key(self, key_id: str) -> KeyOut:
        return KeyOut.model_validate(self._request("DELETE", f"/v1/keys/{_id(key_id)}"))

    # -- health --------------------------------------------------------------------------

    def health(self) -> bool:
        """The process answers."""
        return self.raw("GET", "/healthz").status_code == 200

    def readiness(self) -> Readiness:
        """Whether the store answers and a model is served (never raises for 503)."""
        return Readiness.model_validate(self.raw("GET", "/readyz").json())

    def metrics(self) -> str:
        """The Prometheus exposition text."""
        response = self.raw("GET", "/metrics")
        response.raise_for_status()
        return response.text
