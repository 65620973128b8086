"""Client methods for segments and customers (the ``marketing`` scope)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from recmind.api.schemas_drafting import DraftOut
from recmind.api.schemas_marketing import (
    CustomerOut,
    MembersPage,
    PreviewOut,
    RefreshOut,
    SegmentList,
    SegmentOut,
)
from recmind.client.base import ApiError, BaseClient


def _id(value: str) -> str:
    return quote(str(value), safe="")


class MarketingRoutes(BaseClient):
    """Segments (stored rules, previews, membership, CSV export) and customers."""

    def list_segments(self) -> SegmentList:
        return SegmentList.model_validate(self._request("GET", "/v1/segments"))

    def create_segment(
        self,
        name: str,
        rule: Mapping[str, Any],
        *,
        description: str | None = None,
        segment_id: str | None = None,
    ) -> SegmentOut:
        """Store a segment; a bad rule raises :class:`ApiError` (422) naming the rule path."""
        body: dict[str, Any] = {"name": name, "rule": dict(rule)}
        if description is not None:
            body["description"] = description
        if segment_id is not None:
            body["segment_id"] = segment_id
        return SegmentOut.model_validate(self._request("POST", "/v1/segments", json=body))

    def get_segment(self, segment_id: str) -> SegmentOut:
        return SegmentOut.model_validate(self._request("GET", f"/v1/segments/{_id(segment_id)}"))

    def update_segment(
        self,
        segment_id: str,
        *,
        rule: Mapping[str, Any] | None = None,
        name: str | None = None,
        description: str | None = None,
    ) -> SegmentOut:
        """Change a segment (a changed rule is a new version)."""
        body: dict[str, Any] = {}
        if rule is not None:
            body["rule"] = dict(rule)
        if name is not None:
            body["name"] = name
        if description is not None:
            body["description"] = description
        return SegmentOut.model_validate(
            self._request("PUT", f"/v1/segments/{_id(segment_id)}", json=body)
        )

    def delete_segment(self, segment_id: str) -> None:
        self._request("DELETE", f"/v1/segments/{_id(segment_id)}")

    def preview_rule(
        self, rule: Mapping[str, Any], *, as_of: float | None = None, sample: int = 10
    ) -> PreviewOut:
        """Count, sample and distributions of a rule (nothing stored)."""
        body: dict[str, Any] = {"rule": dict(rule), "sample": sample}
        if as_of is not None:
            body["as_of"] = as_of
        return PreviewOut.model_validate(self._request("POST", "/v1/segments/preview", json=body))

    def draft_segment(self, text: str, *, as_of: float | None = None) -> DraftOut:
        """A rule drafted from plain English or Chinese, validated, in words, with its count
        (nothing stored); no valid draft raises :class:`ApiError` (422) saying why."""
        body: dict[str, Any] = {"text": text}
        if as_of is not None:
            body["as_of"] = as_of
        return DraftOut.model_validate(self._request("POST", "/v1/segments/draft", json=body))

    def preview_segment(
        self, segment_id: str, *, as_of: float | None = None, sample: int = 10
    ) -> PreviewOut:
        params = {"as_of": as_of, "sample": sample}
        return PreviewOut.model_validate(
            self._request("GET", f"/v1/segments/{_id(segment_id)}/preview", params=params)
        )

    def refresh_segment(self, segment_id: str, *, as_of: float | None = None) -> RefreshOut:
        """Materialise the segment's membership now (or as of a later moment)."""
        return RefreshOut.model_validate(
            self._request(
                "POST", f"/v1/segments/{_id(segment_id)}/refresh", params={"as_of": as_of}
            )
        )

    def segment_members(self, segment_id: str, *, offset: int = 0, limit: int = 100) -> MembersPage:
        params = {"offset": offset, "limit": limit}
        return MembersPage.model_validate(
            self._request("GET", f"/v1/segments/{_id(segment_id)}/members", params=params)
        )

    def export_segment(self, segment_id: str) -> str:
        """The current members as CSV text."""
        response = self.raw("GET", f"/v1/segments/{_id(segment_id)}/export.csv")
        if response.status_code >= 400:
            try:
                detail = response.json().get("detail", response.text)
            except ValueError:
                detail = response.text
            raise ApiError(
                response.status_code, detail, response.headers.get("x-request-id"), response.headers
            )
        return response.text

    def get_customer(self, user_id: str) -> CustomerOut:
        """A customer's features, predictions and current segments."""
        return CustomerOut.model_validate(self._request("GET", f"/v1/customers/{_id(user_id)}"))
