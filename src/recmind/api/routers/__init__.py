"""Every router of the service, in the order the app includes them (one module each)."""

from __future__ import annotations

from fastapi import APIRouter

from recmind.api.routers import (
    audiences,
    customers,
    drafting,
    events,
    explanations,
    health,
    items,
    jobs,
    journeys,
    keys,
    models,
    privacy,
    recommendations,
    segments,
    users,
)

ROUTERS: list[APIRouter] = [
    health.router,
    events.router,
    items.router,
    users.router,
    privacy.router,
    keys.router,
    recommendations.router,
    explanations.router,
    jobs.router,
    models.router,
    drafting.router,
    segments.router,
    customers.router,
    audiences.router,
    journeys.router,
]
