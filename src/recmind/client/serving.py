"""Client methods for recommendations, similar items and the model registry."""

from __future__ import annotations

from recmind.client.base import BaseClient


class ServingRoutes(BaseClient):
    """Recommendations for users and anonymous sessions, similar items, model versions."""
