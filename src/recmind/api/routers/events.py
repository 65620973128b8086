"""``POST /v1/events``: one event or a batch, a verdict per row, acknowledged once durable."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request, Response
from starlette.concurrency import run_in_threadpool

from recmind.api.deps import EngineDep, IngesterDep, MetricsDep, SettingsDep, require_scope
from recmind.api.responses import json_response
from recmind.api.schemas import ERROR_RESPONSES, ErrorOut, EventIn, IngestResult, RowRejection
from recmind.config import Settings
from recmind.data.event_writes import EventsOutcome
from recmind.data.group_commit import GroupCommitter
from recmind.data.online_quarantine import quarantine_rejections
from recmind.serving.engine import ServingEngine

router = APIRouter(tags=["events"])

_EVENT_SCHEMA = EventIn.model_json_schema()
_EVENT_SCHEMA["additionalProperties"] = False
_BODY_SCHEMA: dict[str, Any] = {
    "anyOf": [
        _EVENT_SCHEMA,
        {
            "title": "EventBatchIn",
            "type": "object",
            "properties": {"events": {"type": "array", "items": _EVENT_SCHEMA}},
            "required": ["events"],
            "additionalProperties": False,
        },
    ]
}


def _parse(body: bytes, limit: int) -> list[Any]:
    """The event objects of a body (one event, or ``{"events": [...]}``)."""
    if not body.strip():
        raise HTTPException(422, 'the body is empty: send an event or {"events": [...]}')
    try:
        # The standard parser, not orjson: it keeps integers past 64 bits exact (ids).
        parsed = json.loads(body)
    except (ValueError, RecursionError) as exc:
        raise HTTPException(400, f"the body is not valid JSON: {exc}") from exc
    if not isinstance(parsed, dict):
        raise HTTPException(422, 'the body must be an event object or {"events": [...]}')
    if "events" not in parsed:
        return [parsed]
    extra = sorted(str(k) for k in parsed if k != "events")
    if extra:
        raise HTTPException(422, f"unknown field(s) {extra} next to events")
    events = parsed["events"]
    if not isinstance(events, list):
        raise HTTPException(422, "events must be a list of event objects")
    if len(events) > limit:
        raise HTTPException(
            413, f"{len(events):,} events in one request; at most {limit:,} are accepted"
        )
    return events


def _ingest(
    writer: GroupCommitter,
    engine: ServingEngine,
    settings: Settings,
    events: list[Any],
    source: str,
) -> tuple[EventsOutcome, int]:
    """Store the events, quarantine the rejected ones; the outcome and how many old
    quarantine rows the cap dropped."""
    outcome = writer.ingest(events)
    held = quarantine_rejections(
        settings.quarantine_dir,
        "events",
        source,
        outcome.rejected,
        max_bytes=settings.api.quarantine_max_bytes,
    )
    if outcome.user_ids:
        engine.events_ingested(outcome.user_ids)
    return outcome, held.dropped_rows


def _result(outcome: EventsOutcome) -> dict[str, Any]:
    rejected = [
        RowRejection(
            index=r.index, field=r.field, value=r.value, reason=r.reason, message=r.message
        ).model_dump()
        for r in outcome.rejected
    ]
    return {
        "received": outcome.received,
        "accepted": len(outcome.accepted),
        "duplicates": len(outcome.duplicates),
        "rejected": rejected,
        "users_created": outcome.users_created,
        "event_ids": outcome.event_ids,
        "duplicate_indices": outcome.duplicates,
    }


@router.post(
    "/v1/events",
    response_model=IngestResult,
    summary="Ingest one event or a batch",
    description=(
        'Send one event object, or `{"events": [...]}` (at most '
        "`RECMIND_API__MAX_BATCH_EVENTS`, 10,000 by default). Every row is validated like an "
        "imported file's; rejected rows are listed with index, field, value and reason (and "
        "written to the quarantine), the others stored. Idempotent by `event_id` (derived "
        "from user, item, type, time and query when absent). The answer comes only after "
        "the batch is committed to the store."
    ),
    openapi_extra={
        "requestBody": {"required": True, "content": {"application/json": {"schema": _BODY_SCHEMA}}}
    },
    responses={
        **ERROR_RESPONSES,
        400: {"model": ErrorOut, "description": "The body is not JSON."},
        422: {"model": ErrorOut, "description": "The body is neither an event nor a batch."},
    },
    dependencies=[Depends(require_scope("ingest"))],
)
async def post_events(
    request: Request,
    settings: SettingsDep,
    engine: EngineDep,
    ingester: IngesterDep,
    metrics: MetricsDep,
) -> Response:
    events = _parse(await request.body(), settings.api.max_batch_events)
    source = f"POST /v1/events request {request.state.request_id}"
    outcome, dropped = await run_in_threadpool(_ingest, ingester, engine, settings, events, source)
    if dropped:
        metrics.quarantine_dropped.inc(dropped)
    if outcome.accepted:
        metrics.events_ingested.inc(len(outcome.accepted))
    if outcome.duplicates:
        metrics.events_duplicate.inc(len(outcome.duplicates))
    for rejection in outcome.rejected:
        metrics.rows_rejected.labels("events", rejection.reason).inc()
    return json_response(_result(outcome))
