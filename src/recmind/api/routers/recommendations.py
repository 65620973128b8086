"""Recommendations: for a person, for an anonymous session, and similar items (``read``
scope). Answers come from the serving engine's current model version, with the person's
events read at request time."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Path, Query
from starlette.responses import Response

from recmind.api.deps import EngineDep, SettingsDep, require_scope
from recmind.api.errors import UnprocessableError, check_path_id
from recmind.api.responses import json_response
from recmind.api.schemas import ERROR_RESPONSES, ErrorOut, FieldProblem, Responses
from recmind.api.schemas_serving import (
    MAX_K,
    RecommendationQuery,
    RecommendationsOut,
    SessionIn,
    SimilarOut,
)
from recmind.config import Settings
from recmind.rec.base import Filters
from recmind.serving.results import NotReadyError, RecommendationResult, UnknownItemError

router = APIRouter(tags=["recommendations"], responses=ERROR_RESPONSES)

NOT_READY: Responses = {
    503: {"model": ErrorOut, "description": "No model is published yet (says how to fix it)."}
}
INVALID: Responses = {422: {"model": ErrorOut, "description": "A parameter is invalid (named)."}}
UserId = Annotated[str, Path(min_length=1, max_length=255, description="The person's id.")]
ItemId = Annotated[str, Path(min_length=1, max_length=255, description="The item's id.")]
K = Annotated[int, Query(ge=1, le=MAX_K, description="How many items.")]


def _body(result: RecommendationResult, **head: Any) -> dict[str, Any]:
    return {
        **head,
        "model": result.model,
        "version": result.version,
        "items": [item.as_dict() for item in result.items],
    }


def _not_ready(exc: NotReadyError) -> HTTPException:
    return HTTPException(503, str(exc))


def check_list_sizes(asked: RecommendationQuery | SessionIn, settings: Settings) -> None:
    """422 naming every list longer than the server's limit for it."""
    api = settings.api
    where = "body" if isinstance(asked, SessionIn) else "query"
    limits = [
        ("category", asked.category, api.max_filter_categories, "MAX_FILTER_CATEGORIES"),
        ("exclude", asked.exclude, api.max_exclude_items, "MAX_EXCLUDE_ITEMS"),
    ]
    if isinstance(asked, SessionIn):
        limits.append(("item_ids", asked.item_ids, api.max_session_items, "MAX_SESSION_ITEMS"))
    problems = [
        FieldProblem(
            loc=[where, name],
            msg=f"{len(values):,} values given; at most {limit:,} are accepted "
            f"(RECMIND_API__{setting})",
            type="too_long",
            input=f"{len(values)} values",
        )
        for name, values, limit, setting in limits
        if len(values) > limit
    ]
    if problems:
        raise UnprocessableError(problems)


def _filters(asked: RecommendationQuery | SessionIn) -> Filters:
    """The business filters a user's or a session's request asks for."""
    return Filters(
        exclude_seen=asked.exclude_seen,
        categories=tuple(asked.category),
        in_stock=asked.in_stock,
        exclude_items=tuple(asked.exclude),
    )


@router.get(
    "/v1/users/{user_id}/recommendations",
    response_model=RecommendationsOut,
    summary="The top k items for a person, from their events up to this moment",
    description=(
        "Reads the person's latest events at request time: an event stored a moment ago "
        "changes this list and its item is excluded at once. Unknown people get popular "
        "items (`personalized: false`). Items created after the model was trained may take "
        "a bounded share of the list (`source: fresh`), placed by text similarity."
    ),
    responses=NOT_READY | INVALID,
    dependencies=[Depends(require_scope("read"))],
)
def user_recommendations(
    engine: EngineDep,
    settings: SettingsDep,
    user_id: UserId,
    query: Annotated[RecommendationQuery, Query()],
) -> Response:
    check_path_id("user_id", user_id)
    check_list_sizes(query, settings)
    filters = _filters(query)
    try:
        result = engine.recommend(
            user_id, query.k, filters, diversity=query.diversity, explain=query.explain
        )
    except NotReadyError as exc:
        raise _not_ready(exc) from None
    return json_response(_body(result, user_id=user_id, personalized=result.personalized))


@router.post(
    "/v1/recommendations",
    response_model=RecommendationsOut,
    summary="The top k items for an anonymous session (a list of recent item ids)",
    description=(
        "For visitors without an account: `item_ids` are the items they engaged with, "
        "**oldest first**. Ids the model does not know are ignored (items created after "
        "training still count for text similarity); an empty session gets popular items."
    ),
    responses=NOT_READY | INVALID,
    dependencies=[Depends(require_scope("read"))],
)
def session_recommendations(engine: EngineDep, settings: SettingsDep, body: SessionIn) -> Response:
    check_list_sizes(body, settings)
    filters = _filters(body)
    try:
        result = engine.recommend_session(
            body.item_ids, body.k, filters, diversity=body.diversity, explain=body.explain
        )
    except NotReadyError as exc:
        raise _not_ready(exc) from None
    return json_response(_body(result, user_id=None, personalized=result.personalized))


@router.get(
    "/v1/items/{item_id}/similar",
    response_model=SimilarOut,
    summary="Items that go with an item",
    description=(
        "Ranked by the served model for a history of just this item; an item created "
        "after the model was trained is matched by its text."
    ),
    responses=NOT_READY | INVALID | {404: {"model": ErrorOut, "description": "No such item."}},
    dependencies=[Depends(require_scope("read"))],
)
def similar_items(engine: EngineDep, item_id: ItemId, k: K = 10) -> Response:
    check_path_id("item_id", item_id)
    try:
        result = engine.similar(item_id, k)
    except NotReadyError as exc:
        raise _not_ready(exc) from None
    except UnknownItemError:
        raise HTTPException(404, f"no item {item_id!r} in the catalogue") from None
    return json_response(_body(result, item_id=item_id))
