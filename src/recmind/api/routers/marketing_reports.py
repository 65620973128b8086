"""Marketing reports: ``/v1/marketing/reports`` and its funnel plot (``marketing`` scope).

Per journey and per campaign: entered, sent, skipped by reason, deferred, opened (unreliable),
clicked, converted (last touch) with revenue, unsubscribed, and the conversion compared with
the global holdout. Without ``journey_id`` or ``campaign_id``: every journey and campaign.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Response

from recmind.api.deps import SettingsDep, StoreDep, require_scope
from recmind.api.errors import UnprocessableError
from recmind.api.schemas import ERROR_RESPONSES, ErrorOut, FieldProblem, Responses
from recmind.api.schemas_policy import ReportList
from recmind.api.stored_text import StoredText
from recmind.config import Settings
from recmind.data.store import Store
from recmind.marketing.tracking.plot import funnel_plot
from recmind.marketing.tracking.report import (
    ReportError,
    SourceReport,
    all_reports,
    source_report,
)

router = APIRouter(
    tags=["marketing reports"],
    responses=ERROR_RESPONSES,
    dependencies=[Depends(require_scope("marketing"))],
)
SourceId = Annotated[StoredText | None, Query(min_length=1, max_length=64)]
Moment = Annotated[float | None, Query(description="Epoch seconds.")]
NOT_FOUND: Responses = {404: {"model": ErrorOut, "description": "No such journey or campaign."}}


def _reports(
    store: Store,
    settings: Settings,
    *,
    journey_id: str | None,
    campaign_id: str | None,
    since: float | None,
    until: float | None,
) -> list[SourceReport]:
    if journey_id is not None and campaign_id is not None:
        problem = FieldProblem(
            loc=["query", "campaign_id"],
            msg="give journey_id or campaign_id, not both",
            type="conflicting_fields",
            input=campaign_id,
        )
        raise UnprocessableError([problem])
    now = time.time()
    try:
        if journey_id is not None:
            return [
                source_report(
                    store, settings, "journey", journey_id, now=now, since=since, until=until
                )
            ]
        if campaign_id is not None:
            return [
                source_report(
                    store, settings, "campaign", campaign_id, now=now, since=since, until=until
                )
            ]
    except ReportError as exc:
        raise HTTPException(404, str(exc)) from exc
    return all_reports(store, settings, now=now, since=since, until=until)


@router.get(
    "/v1/marketing/reports",
    response_model=ReportList,
    summary="Journey and campaign reports",
    responses=NOT_FOUND,
)
def get_reports(
    *,
    store: StoreDep,
    settings: SettingsDep,
    journey_id: SourceId = None,
    campaign_id: SourceId = None,
    since: Moment = None,
    until: Moment = None,
) -> dict[str, Any]:
    reports = _reports(
        store, settings, journey_id=journey_id, campaign_id=campaign_id, since=since, until=until
    )
    return {"reports": [r.to_dict() for r in reports]}


@router.get(
    "/v1/marketing/reports/funnel.png",
    summary="The funnel plot of the same reports (PNG)",
    response_class=Response,
    responses=NOT_FOUND | {200: {"content": {"image/png": {}}}},
)
def get_funnel_plot(
    *,
    store: StoreDep,
    settings: SettingsDep,
    journey_id: SourceId = None,
    campaign_id: SourceId = None,
    since: Moment = None,
    until: Moment = None,
) -> Response:
    reports = _reports(
        store, settings, journey_id=journey_id, campaign_id=campaign_id, since=since, until=until
    )
    if not reports:
        raise HTTPException(404, "no journey or campaign to plot")
    with tempfile.TemporaryDirectory(prefix="recmind-funnel-") as folder:
        path = funnel_plot(reports, Path(folder) / "funnel.png")
        return Response(path.read_bytes(), media_type="image/png")
