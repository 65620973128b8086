"""Client methods for consent, suppressions and marketing reports (the ``marketing``
scope)."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from recmind.api.schemas_policy import (
    ConsentList,
    ReportList,
    SuppressionOut,
    SuppressionPage,
)
from recmind.client.base import ApiError, BaseClient


def _id(value: str) -> str:
    return quote(str(value), safe="")


class PolicyRoutes(BaseClient):
    """Consent per channel, the suppression list, and journey and campaign reports."""

    def get_consent(self, user_id: str) -> ConsentList:
        """The consent in force on every channel, and where it comes from."""
        return ConsentList.model_validate(self._request("GET", f"/v1/users/{_id(user_id)}/consent"))

    def set_consent(
        self, user_id: str, channel: str, granted: bool, *, source: str | None = None
    ) -> ConsentList:
        """Record a person's word on ``channel`` (email, webhook or onsite)."""
        body: dict[str, Any] = {"channel": channel, "granted": granted}
        if source is not None:
            body["source"] = source
        return ConsentList.model_validate(
            self._request("PUT", f"/v1/users/{_id(user_id)}/consent", json=body)
        )

    def list_suppressions(
        self,
        *,
        user_id: str | None = None,
        channel: str | None = None,
        reason: str | None = None,
        offset: int = 0,
        limit: int = 100,
    ) -> SuppressionPage:
        params = {
            "user_id": user_id,
            "channel": channel,
            "reason": reason,
            "offset": offset,
            "limit": limit,
        }
        return SuppressionPage.model_validate(
            self._request("GET", "/v1/suppressions", params=params)
        )

    def add_suppression(
        self,
        user_id: str,
        *,
        channel: str = "*",
        reason: str = "manual",
        source: str | None = None,
    ) -> SuppressionOut:
        """Suppress ``user_id`` on ``channel`` (``*``: all); an existing row is returned as
        it is (its first reason kept)."""
        body: dict[str, Any] = {"user_id": user_id, "channel": channel, "reason": reason}
        if source is not None:
            body["source"] = source
        return SuppressionOut.model_validate(self._request("POST", "/v1/suppressions", json=body))

    def remove_suppression(self, user_id: str, channel: str) -> None:
        """Lift a suppression (:class:`ApiError` 404 when there is none)."""
        self._request("DELETE", f"/v1/suppressions/{_id(user_id)}/{_id(channel)}")

    def marketing_reports(
        self,
        *,
        journey_id: str | None = None,
        campaign_id: str | None = None,
        since: float | None = None,
        until: float | None = None,
    ) -> ReportList:
        """Reports of one journey, one campaign, or (neither given) all of them."""
        params = {
            "journey_id": journey_id,
            "campaign_id": campaign_id,
            "since": since,
            "until": until,
        }
        return ReportList.model_validate(
            self._request("GET", "/v1/marketing/reports", params=params)
        )

    def marketing_funnel_png(
        self,
        *,
        journey_id: str | None = None,
        campaign_id: str | None = None,
        since: float | None = None,
        until: float | None = None,
    ) -> bytes:
        """The funnel plot of the same reports, as PNG bytes."""
        params = {
            "journey_id": journey_id,
            "campaign_id": campaign_id,
            "since": since,
            "until": until,
        }
        response = self.raw("GET", "/v1/marketing/reports/funnel.png", params=params)
        if response.status_code >= 400:
            raise ApiError(
                response.status_code,
                response.json().get("detail", response.text),
                response.headers.get("x-request-id"),
                response.headers,
            )
        return response.content
