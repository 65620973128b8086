"""Segments: ``/v1/segments`` (``marketing`` scope).

Stored, versioned rules; previews of any rule; membership refreshed on demand (with
entered/exited times), listed in pages and exported as CSV. A bad rule is a 422 whose
problems name the rule path (``["body", "rule", "all", 1, "event", "within_days"]``).
The built-in segments are installed the first time the list is read from a store with
no segment.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Response
from fastapi.responses import StreamingResponse

from recmind.api.deps import StoreDep, require_scope
from recmind.api.errors import UnprocessableError
from recmind.api.schemas import ERROR_RESPONSES, ErrorOut, FieldProblem, Responses
from recmind.api.schemas_marketing import (
    MembersPage,
    PreviewIn,
    PreviewOut,
    RefreshOut,
    SegmentIn,
    SegmentList,
    SegmentOut,
    SegmentUpdate,
)
from recmind.data.store import Store
from recmind.marketing.segments import RuleError, describe
from recmind.marketing.segments.builtins import ensure_builtins
from recmind.marketing.segments.export import csv_lines
from recmind.marketing.segments.membership import members_page, refresh_segment
from recmind.marketing.segments.preview import preview
from recmind.marketing.segments.repository import (
    Segment,
    SegmentConflictError,
    SegmentNotFoundError,
    check_for,
    create_segment,
    delete_segment,
    get_segment,
    list_segments,
    rules_lookup,
    update_segment,
)

router = APIRouter(
    tags=["segments"],
    responses=ERROR_RESPONSES,
    dependencies=[Depends(require_scope("marketing"))],
)
SegmentId = Annotated[
    str,
    Path(pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$", description="The segment's id."),
]
AsOf = Annotated[float | None, Query(description="Evaluation moment, epoch seconds (default now).")]
NOT_FOUND: Responses = {404: {"model": ErrorOut, "description": "No such segment."}}
INVALID: Responses = {422: {"model": ErrorOut, "description": "The rule (path named) or a field."}}
CONFLICT: Responses = {
    409: {"model": ErrorOut, "description": "Name taken, segment in use, or an earlier moment."}
}


def rule_problems(exc: RuleError) -> UnprocessableError:
    """The 422 for a bad rule: one problem per rule path."""
    return UnprocessableError(
        [
            FieldProblem(
                loc=["body", "rule", *p.path],
                msg=p.message,
                type=p.kind,
                input=p.value,
            )
            for p in exc.problems
        ]
    )


def _members(store: Store, segment: Segment) -> int:
    return members_page(store, segment.segment_id, limit=0)[0]


def _out(store: Store, segment: Segment) -> dict[str, Any]:
    return segment.to_dict() | {
        "in_words": describe(segment.parsed),
        "members": _members(store, segment),
    }


def _get(store: Store, segment_id: str) -> Segment:
    try:
        return get_segment(store, segment_id)
    except SegmentNotFoundError as exc:
        raise HTTPException(404, str(exc)) from exc


@router.get("/v1/segments", response_model=SegmentList, summary="Every segment")
def get_segments(store: StoreDep) -> dict[str, Any]:
    ensure_builtins(store)
    return {"segments": [_out(store, s) for s in list_segments(store)]}


@router.post(
    "/v1/segments",
    response_model=SegmentOut,
    status_code=201,
    summary="Create a segment",
    responses=INVALID | CONFLICT,
)
def post_segment(store: StoreDep, body: SegmentIn) -> dict[str, Any]:
    try:
        made = create_segment(
            store,
            body.name,
            body.rule,
            description=body.description,
            segment_id=body.segment_id,
        )
    except RuleError as exc:
        raise rule_problems(exc) from exc
    except SegmentConflictError as exc:
        raise HTTPException(409, str(exc)) from exc
    return _out(store, made)


@router.post(
    "/v1/segments/preview",
    response_model=PreviewOut,
    summary="Preview a rule: count, sample, distributions",
    responses=INVALID,
)
def post_preview(store: StoreDep, body: PreviewIn) -> dict[str, Any]:
    try:
        rule = check_for(store, body.rule)
    except RuleError as exc:
        raise rule_problems(exc) from exc
    found = preview(
        store, rule, as_of=body.as_of, rules_of=rules_lookup(store), sample_size=body.sample
    )
    return found.to_dict()


@router.get(
    "/v1/segments/{segment_id}",
    response_model=SegmentOut,
    summary="One segment",
    responses=NOT_FOUND,
)
def get_one(store: StoreDep, segment_id: SegmentId) -> dict[str, Any]:
    return _out(store, _get(store, segment_id))


@router.put(
    "/v1/segments/{segment_id}",
    response_model=SegmentOut,
    summary="Change a segment (a changed rule is a new version)",
    responses=NOT_FOUND | INVALID | CONFLICT,
)
def put_segment(store: StoreDep, segment_id: SegmentId, body: SegmentUpdate) -> dict[str, Any]:
    try:
        changed = update_segment(
            store, segment_id, rule=body.rule, name=body.name, description=body.description
        )
    except SegmentNotFoundError as exc:
        raise HTTPException(404, str(exc)) from exc
    except RuleError as exc:
        raise rule_problems(exc) from exc
    except SegmentConflictError as exc:
        raise HTTPException(409, str(exc)) from exc
    return _out(store, changed)


@router.delete(
    "/v1/segments/{segment_id}",
    status_code=204,
    summary="Delete a segment, its versions and membership history",
    responses=NOT_FOUND | CONFLICT,
)
def remove_segment(store: StoreDep, segment_id: SegmentId) -> Response:
    try:
        delete_segment(store, segment_id)
    except SegmentNotFoundError as exc:
        raise HTTPException(404, str(exc)) from exc
    except SegmentConflictError as exc:
        raise HTTPException(409, str(exc)) from exc
    return Response(status_code=204)


@router.get(
    "/v1/segments/{segment_id}/preview",
    response_model=PreviewOut,
    summary="Preview a stored segment's rule now (or as of a moment)",
    responses=NOT_FOUND,
)
def get_preview(
    store: StoreDep,
    segment_id: SegmentId,
    as_of: AsOf = None,
    sample: Annotated[int, Query(ge=0, le=100, description="People in the sample.")] = 10,
) -> dict[str, Any]:
    segment = _get(store, segment_id)
    found = preview(
        store, segment.parsed, as_of=as_of, rules_of=rules_lookup(store), sample_size=sample
    )
    return found.to_dict()


@router.post(
    "/v1/segments/{segment_id}/refresh",
    response_model=RefreshOut,
    summary="Materialise membership now (or as of a later moment)",
    responses=NOT_FOUND | CONFLICT,
)
def post_refresh(store: StoreDep, segment_id: SegmentId, as_of: AsOf = None) -> dict[str, Any]:
    _get(store, segment_id)
    try:
        return refresh_segment(store, segment_id, as_of=as_of).to_dict()
    except SegmentNotFoundError as exc:
        raise HTTPException(404, str(exc)) from exc
    except SegmentConflictError as exc:
        raise HTTPException(409, str(exc)) from exc


@router.get(
    "/v1/segments/{segment_id}/members",
    response_model=MembersPage,
    summary="Current members (as of the last refresh), in user id order",
    responses=NOT_FOUND,
)
def get_members(
    store: StoreDep,
    segment_id: SegmentId,
    offset: Annotated[int, Query(ge=0, le=10**9)] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> dict[str, Any]:
    _get(store, segment_id)
    total, rows = members_page(store, segment_id, offset=offset, limit=limit)
    return {
        "segment_id": segment_id,
        "total": total,
        "offset": offset,
        "limit": limit,
        "members": rows,
    }


@router.get(
    "/v1/segments/{segment_id}/export.csv",
    summary="Current members as CSV",
    description=(
        "Columns: user_id, email (only where the person consented to marketing e-mail), "
        "entered_at (ISO), recency_days, order_count, monetary_total, expected_spend, "
        "churn_risk."
    ),
    response_class=StreamingResponse,
    responses=NOT_FOUND | {200: {"content": {"text/csv": {}}, "description": "The CSV."}},
)
def get_export(store: StoreDep, segment_id: SegmentId) -> StreamingResponse:
    _get(store, segment_id)
    return StreamingResponse(
        csv_lines(store, segment_id),
        media_type="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{segment_id}.csv"'},
    )
