"""Client methods for journeys (``/v1/journeys``, the ``marketing`` scope)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import quote

from recmind.api.schemas_journeys import (
    JourneyApplied,
    JourneyChecked,
    JourneyDetail,
    JourneyList,
    JourneyOut,
    JourneyVersions,
)
from recmind.client.base import ApiError, BaseClient

YAML = "application/yaml"


def _id(value: str) -> str:
    return quote(str(value), safe="")


class JourneyRoutes(BaseClient):
    """Journeys: apply (JSON or the YAML file), read with statistics, versions, status."""

    def _send_journey(self, path: str, journey: Mapping[str, Any] | str | Path) -> Any:
        """POST a journey as JSON (a mapping) or as YAML/JSON text (a string, or a file)."""
        if isinstance(journey, Mapping):
            response = self.raw("POST", path, json=dict(journey))
        else:
            text = journey.read_text(encoding="utf-8") if isinstance(journey, Path) else journey
            suffix = journey.suffix.lower() if isinstance(journey, Path) else ""
            kind = "application/json" if suffix == ".json" else YAML
            response = self.raw(
                "POST", path, content=text.encode("utf-8"), headers={"Content-Type": kind}
            )
        if response.status_code >= 400:
            try:
                detail = response.json().get("detail", response.text)
            except ValueError:
                detail = response.text
            raise ApiError(
                response.status_code, detail, response.headers.get("x-request-id"), response.headers
            )
        return response.json()

    def apply_journey(self, journey: Mapping[str, Any] | str | Path) -> JourneyApplied:
        """Store a journey (a mapping, YAML or JSON text, or a file): ``outcome`` says
        created, updated (a new version) or unchanged. A bad journey raises
        :class:`ApiError` (422) whose ``detail`` lists each problem with its step and field."""
        return JourneyApplied.model_validate(self._send_journey("/v1/journeys", journey))

    def validate_journey(self, journey: Mapping[str, Any] | str | Path) -> JourneyChecked:
        """Check a journey against the server's store without storing it (422 when bad)."""
        return JourneyChecked.model_validate(self._send_journey("/v1/journeys/validate", journey))

    def list_journeys(self) -> JourneyList:
        return JourneyList.model_validate(self._request("GET", "/v1/journeys"))

    def get_journey(self, journey_id: str, *, version: int | None = None) -> JourneyDetail:
        """A journey (current or ``version``) with its statistics and list of versions."""
        return JourneyDetail.model_validate(
            self._request("GET", f"/v1/journeys/{_id(journey_id)}", params={"version": version})
        )

    def journey_versions(self, journey_id: str) -> JourneyVersions:
        return JourneyVersions.model_validate(
            self._request("GET", f"/v1/journeys/{_id(journey_id)}/versions")
        )

    def pause_journey(self, journey_id: str) -> JourneyOut:
        return JourneyOut.model_validate(
            self._request("POST", f"/v1/journeys/{_id(journey_id)}/pause")
        )

    def resume_journey(self, journey_id: str) -> JourneyOut:
        return JourneyOut.model_validate(
            self._request("POST", f"/v1/journeys/{_id(journey_id)}/resume")
        )

    def archive_journey(self, journey_id: str) -> JourneyOut:
        return JourneyOut.model_validate(
            self._request("POST", f"/v1/journeys/{_id(journey_id)}/archive")
        )

    def journey_schema(self, *, choices: bool = False) -> dict[str, Any]:
        """The JSON Schema of journey files (``choices``: with the server's segment ids and
        template names)."""
        found: dict[str, Any] = self._request(
            "GET", "/v1/journeys/schema", params={"choices": choices or None}
        )
        return found
