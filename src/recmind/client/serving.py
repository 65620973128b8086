"""Client methods for recommendations, similar items and the model registry."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import quote

from recmind.api.schemas_serving import (
    ActivatedOut,
    JobOut,
    ModelsOut,
    RecommendationsOut,
    SimilarOut,
)
from recmind.client.base import BaseClient


def _id(value: str) -> str:
    """An id as one path segment."""
    return quote(str(value), safe="")


class ServingRoutes(BaseClient):
    """Recommendations for users and anonymous sessions, similar items, model versions."""

    def recommend(
        self,
        user_id: str,
        k: int = 10,
        *,
        category: Sequence[str] = (),
        exclude: Sequence[str] = (),
        exclude_seen: bool = True,
        in_stock: bool = False,
        diversity: float = 0.0,
        explain: bool = False,
    ) -> RecommendationsOut:
        """The top ``k`` for a person, from their events up to this moment."""
        params: dict[str, Any] = {
            "k": k,
            "category": list(category) or None,
            "exclude": list(exclude) or None,
            "exclude_seen": str(exclude_seen).lower(),
            "in_stock": str(in_stock).lower(),
            "diversity": diversity,
            "explain": str(explain).lower(),
        }
        body = self._request("GET", f"/v1/users/{_id(user_id)}/recommendations", params=params)
        return RecommendationsOut.model_validate(body)

    def recommend_session(
        self,
        item_ids: Sequence[str],
        k: int = 10,
        *,
        category: Sequence[str] = (),
        exclude: Sequence[str] = (),
        exclude_seen: bool = True,
        in_stock: bool = False,
        diversity: float = 0.0,
        explain: bool = False,
    ) -> RecommendationsOut:
        """The top ``k`` for an anonymous visitor; ``item_ids`` oldest first."""
        body = self._request(
            "POST",
            "/v1/recommendations",
            json={
                "item_ids": [str(i) for i in item_ids],
                "k": k,
                "category": list(category),
                "exclude": list(exclude),
                "exclude_seen": exclude_seen,
                "in_stock": in_stock,
                "diversity": diversity,
                "explain": explain,
            },
        )
        return RecommendationsOut.model_validate(body)

    def similar(self, item_id: str, k: int = 10) -> SimilarOut:
        """Items that go with ``item_id``."""
        body = self._request("GET", f"/v1/items/{_id(item_id)}/similar", params={"k": k})
        return SimilarOut.model_validate(body)

    def models(self) -> ModelsOut:
        """Saved model versions and which one is served."""
        return ModelsOut.model_validate(self._request("GET", "/v1/admin/models"))

    def activate_model(self, version: str) -> ActivatedOut:
        """Serve ``version`` now (rollback)."""
        body = self._request("POST", f"/v1/admin/models/{_id(version)}/activate")
        return ActivatedOut.model_validate(body)

    def train(self, model: str | None = None) -> JobOut:
        """Start training and publishing a new version; poll :meth:`job`."""
        body = self._request("POST", "/v1/admin/train", json={"model": model})
        return JobOut.model_validate(body)

    def job(self, job_id: str) -> JobOut:
        """A training job's status."""
        return JobOut.model_validate(self._request("GET", f"/v1/admin/jobs/{_id(job_id)}"))
