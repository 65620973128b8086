"""Typed Python client of the recmind REST service.

``Client(base_url, api_key)`` speaks to ``recmind serve``; one mixin per group of routes
(``data``: events, items, users, privacy; ``serving``: recommendations, similar items, models).
"""

from __future__ import annotations

from recmind.client.base import ApiError, BaseClient
from recmind.client.data import DataRoutes
from recmind.client.serving import ServingRoutes


class Client(DataRoutes, ServingRoutes, BaseClient):
    """Every route of the service (see ``/docs`` on a running server)."""


__all__ = ["ApiError", "Client"]
