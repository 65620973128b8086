"""Client methods for campaigns (``/v1/campaigns``, the ``marketing`` scope)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any
from urllib.parse import quote

from recmind.api.schemas_campaigns import (
    CampaignDefinition,
    CampaignList,
    CampaignOut,
    CampaignPreviewOut,
    TestSendOut,
)
from recmind.client.base import BaseClient


def _id(value: str) -> str:
    return quote(str(value), safe="")


def _body(campaign: CampaignDefinition | Mapping[str, Any]) -> dict[str, Any]:
    if isinstance(campaign, CampaignDefinition):
        return campaign.model_dump(mode="json", exclude_none=True)
    return dict(campaign)


class CampaignRoutes(BaseClient):
    """Campaigns: create, edit a draft, schedule, send, cancel, preview, test send."""

    def create_campaign(self, campaign: CampaignDefinition | Mapping[str, Any]) -> CampaignOut:
        """Store a campaign (a draft, or scheduled with ``schedule_at``); a mistake raises
        :class:`~recmind.client.base.ApiError` (422) naming the field."""
        return CampaignOut.model_validate(
            self._request("POST", "/v1/campaigns", json=_body(campaign))
        )

    def list_campaigns(self, status: str | None = None) -> CampaignList:
        params = {"status": status} if status is not None else None
        return CampaignList.model_validate(self._request("GET", "/v1/campaigns", params=params))

    def get_campaign(self, campaign_id: str) -> CampaignOut:
        """One campaign with its messages by status and skip reason."""
        return CampaignOut.model_validate(self._request("GET", f"/v1/campaigns/{_id(campaign_id)}"))

    def update_campaign(
        self, campaign_id: str, campaign: CampaignDefinition | Mapping[str, Any]
    ) -> CampaignOut:
        """Replace a draft's definition (409 once it is scheduled or later)."""
        path = f"/v1/campaigns/{_id(campaign_id)}"
        return CampaignOut.model_validate(self._request("PUT", path, json=_body(campaign)))

    def schedule_campaign(self, campaign_id: str, at: datetime) -> CampaignOut:
        """Send at ``at`` (a time-zone-aware moment)."""
        path = f"/v1/campaigns/{_id(campaign_id)}/schedule"
        return CampaignOut.model_validate(self._request("POST", path, json={"at": at.isoformat()}))

    def send_campaign(self, campaign_id: str) -> CampaignOut:
        """Send now: the worker starts it at its next round."""
        path = f"/v1/campaigns/{_id(campaign_id)}/send"
        return CampaignOut.model_validate(self._request("POST", path))

    def cancel_campaign(self, campaign_id: str) -> CampaignOut:
        path = f"/v1/campaigns/{_id(campaign_id)}/cancel"
        return CampaignOut.model_validate(self._request("POST", path))

    def preview_campaign(self, campaign_id: str, user_id: str) -> CampaignPreviewOut:
        """The message ``user_id`` would get (nothing is written)."""
        path = f"/v1/campaigns/{_id(campaign_id)}/preview"
        return CampaignPreviewOut.model_validate(
            self._request("GET", path, params={"user_id": user_id})
        )

    def test_campaign(self, campaign_id: str, user_id: str, to: str) -> TestSendOut:
        """Send ``user_id``'s message to ``to`` through the outbox (source kind test)."""
        path = f"/v1/campaigns/{_id(campaign_id)}/test"
        return TestSendOut.model_validate(
            self._request("POST", path, json={"user_id": user_id, "to": to})
        )
