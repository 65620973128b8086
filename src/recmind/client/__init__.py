"""Typed Python client of the recmind REST service.

``Client(base_url, api_key)`` speaks to ``recmind serve``; one mixin per group of routes
(``data``: events, items, users, privacy; ``serving``: recommendations, similar items, models;
``jobs``: texts the language model writes in the background, and waiting for them;
``marketing``: segments and customers; ``audiences``: likely buyers and look-alikes;
``journeys``: triggered flows, their versions and statistics; ``campaigns``: one-off and
scheduled sends, previews and test sends; ``copy``: marketing copy written by the
language model, every claim checked; ``policy``: consent,
suppressions and marketing reports; ``outbox``: outgoing messages, retries, and a person's
on-site messages; ``experiments``: A/B/n tests and bandits, assignments and readouts).
"""

from __future__ import annotations

from recmind.client.audiences import AudienceRoutes
from recmind.client.base import ApiError, BaseClient
from recmind.client.campaigns import CampaignRoutes
from recmind.client.copy import CopyRoutes
from recmind.client.data import DataRoutes
from recmind.client.experiments import ExperimentRoutes
from recmind.client.jobs import JobFailedError, JobRoutes, JobTimeoutError
from recmind.client.journeys import JourneyRoutes
from recmind.client.marketing import MarketingRoutes
from recmind.client.outbox import OutboxRoutes
from recmind.client.policy import PolicyRoutes
from recmind.client.serving import ServingRoutes


class Client(
    DataRoutes,
    ServingRoutes,
    JobRoutes,
    MarketingRoutes,
    AudienceRoutes,
    JourneyRoutes,
    CampaignRoutes,
    CopyRoutes,
    PolicyRoutes,
    OutboxRoutes,
    ExperimentRoutes,
    BaseClient,
):
    """Every route of the service (see ``/docs`` on a running server)."""


__all__ = ["ApiError", "Client", "JobFailedError", "JobTimeoutError"]
