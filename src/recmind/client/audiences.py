"""Client methods for audiences (the ``marketing`` scope)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from recmind.api.schemas_audiences import AudienceOut
from recmind.client.base import BaseClient


class AudienceRoutes(BaseClient):
    """Likely buyers and look-alikes (``/v1/audiences``)."""

    def likely_buyers(
        self,
        *,
        window_days: float,
        top: int,
        item_ids: Sequence[str] | None = None,
        category: str | None = None,
        as_of: float | None = None,
    ) -> AudienceOut:
        """The ``top`` people most likely to buy ``item_ids`` (or in ``category``) in the
        ``window_days`` after ``as_of`` (epoch seconds; default now), best first. It takes
        seconds on a large store: give the client a timeout to match."""
        body: dict[str, Any] = {"window_days": window_days, "top": top}
        if item_ids is not None:
            body["item_ids"] = list(item_ids)
        if category is not None:
            body["category"] = category
        if as_of is not None:
            body["as_of"] = as_of
        return AudienceOut.model_validate(self._request("POST", "/v1/audiences/buyers", json=body))

    def lookalikes(
        self, seed_user_ids: Sequence[str], *, top: int, as_of: float | None = None
    ) -> AudienceOut:
        """The ``top`` people (seeds excluded) most like the seeds, best first."""
        body: dict[str, Any] = {"seed_user_ids": list(seed_user_ids), "top": top}
        if as_of is not None:
            body["as_of"] = as_of
        return AudienceOut.model_validate(
            self._request("POST", "/v1/audiences/lookalike", json=body)
        )
