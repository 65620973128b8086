"""Client methods for events, items, users, profiles and privacy routes."""

from __future__ import annotations

from recmind.client.base import BaseClient


class DataRoutes(BaseClient):
    """Ingestion, catalogue, users, profile, export and erasure."""
