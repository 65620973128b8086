"""Every router of the service, in the order the app includes them (one module each)."""

from __future__ import annotations

from fastapi import APIRouter

from recmind.api.routers import (
    audiences,
    campaigns,
    copy,
    customers,
    drafting,
    events,
    experiments,
    explanations,
    health,
    items,
    jobs,
    journeys,
    keys,
    marketing_reports,
    messages,
    models,
    orders,
    outbox,
    policy,
    privacy,
    recommendations,
    segments,
    tracking,
    users,
)

ROUTERS: list[APIRouter] = [
    health.router,
    tracking.router,
    events.router,
    items.router,
    users.router,
    orders.router,
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
    policy.router,
    marketing_reports.router,
    journeys.router,
    campaigns.router,
    copy.router,
    experiments.router,
    outbox.router,
    messages.router,
]
