"""Client methods for experiments (``/v1/experiments``, the ``marketing`` scope)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from recmind.api.schemas_experiments import (
    AssignmentOut,
    ExperimentList,
    ExperimentOut,
    ReadoutOut,
)
from recmind.client.base import ApiError, BaseClient
from recmind.marketing.experiments.definition import ExperimentDefinition


def _id(value: str) -> str:
    return quote(str(value), safe="")


class ExperimentRoutes(BaseClient):
    """Experiments: create, start, stop, assign people, read out (JSON and PNG)."""

    def create_experiment(
        self, experiment: ExperimentDefinition | Mapping[str, Any], *, start: bool = False
    ) -> ExperimentOut:
        """Store an experiment (a draft, or running with ``start``); a mistake raises
        :class:`~recmind.client.base.ApiError` (422 naming the field, 409 for a taken id)."""
        if isinstance(experiment, ExperimentDefinition):
            body = experiment.model_dump(mode="json", exclude_none=True)
        else:
            body = dict(experiment)
        body["start"] = start
        return ExperimentOut.model_validate(self._request("POST", "/v1/experiments", json=body))

    def list_experiments(self, status: str | None = None) -> ExperimentList:
        params = {"status": status} if status is not None else None
        return ExperimentList.model_validate(self._request("GET", "/v1/experiments", params=params))

    def get_experiment(self, experiment_id: str) -> ExperimentOut:
        """One experiment with its exposures per variant."""
        path = f"/v1/experiments/{_id(experiment_id)}"
        return ExperimentOut.model_validate(self._request("GET", path))

    def start_experiment(self, experiment_id: str) -> ExperimentOut:
        path = f"/v1/experiments/{_id(experiment_id)}/start"
        return ExperimentOut.model_validate(self._request("POST", path))

    def stop_experiment(self, experiment_id: str, *, winner: str | None = None) -> ExperimentOut:
        """Stop; from then on everyone gets ``winner`` (default: the control)."""
        path = f"/v1/experiments/{_id(experiment_id)}/stop"
        return ExperimentOut.model_validate(self._request("POST", path, json={"winner": winner}))

    def assign(
        self,
        experiment_id: str,
        user_id: str,
        *,
        key: str | None = None,
        context: Mapping[str, Any] | None = None,
    ) -> AssignmentOut:
        """``user_id``'s variant (None: in the global holdout), logged while it runs."""
        path = f"/v1/experiments/{_id(experiment_id)}/assign"
        body: dict[str, Any] = {"user_id": user_id, "key": key}
        if context is not None:
            body["context"] = dict(context)
        return AssignmentOut.model_validate(self._request("POST", path, json=body))

    def experiment_readout(self, experiment_id: str, *, at: float | None = None) -> ReadoutOut:
        """The readout (``blocked`` true: a sample-ratio mismatch, no test shown)."""
        path = f"/v1/experiments/{_id(experiment_id)}/readout"
        return ReadoutOut.model_validate(self._request("GET", path, params={"at": at}))

    def experiment_readout_png(self, experiment_id: str, *, at: float | None = None) -> bytes:
        """The readout's picture, as PNG bytes."""
        path = f"/v1/experiments/{_id(experiment_id)}/readout.png"
        response = self.raw("GET", path, params={"at": at})
        if response.status_code >= 400:
            raise ApiError(
                response.status_code,
                response.json().get("detail", response.text),
                response.headers.get("x-request-id"),
                response.headers,
            )
        return response.content
