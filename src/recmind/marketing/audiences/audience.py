"""An audience: people ranked best first, with their scores and how the ranking was made."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any


@dataclass(frozen=True)
class Audience:
    """People ranked best first, with their scores and how the ranking was chosen."""

    as_of: float
    user_ids: list[str]
    scores: list[float]
    model: str
    details: dict[str, Any] = field(default_factory=dict)

    def users(self) -> list[dict[str, Any]]:
        """``[{"user_id", "score"}, ...]`` best first."""
        return [{"user_id": u, "score": s} for u, s in zip(self.user_ids, self.scores, strict=True)]

    def to_json(self) -> dict[str, Any]:
        """``{"as_of", "users": [{"user_id", "score"}, ...]}``: ``as_of`` in ISO 8601 UTC."""
        return {"as_of": iso_moment(self.as_of), "users": self.users()}


def iso_moment(moment: float) -> str:
    """Epoch seconds as ISO 8601 in UTC (``2017-03-01T00:00:00+00:00``)."""
    return datetime.fromtimestamp(moment, tz=UTC).isoformat()
