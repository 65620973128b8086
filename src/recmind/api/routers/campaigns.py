"""Campaigns: ``/v1/campaigns`` (``marketing`` scope).

Create (a draft, or scheduled when ``schedule_at`` is given), edit while a draft, schedule,
send now (scheduled at this moment: ``recmind worker`` runs it), cancel, preview any
person's message (nothing written) and send a test to any address (through the outbox and
the real channel). A bad campaign is a 422 naming the field; a change the campaign's state
forbids (editing one that is sending) is a 409.
"""

from __future__ import annotations

import time
import weakref
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Path, Query
from starlette.concurrency import run_in_threadpool

from recmind.api.deps import EngineDep, SettingsDep, StoreDep, require_scope
from recmind.api.errors import UnprocessableError
from recmind.api.schemas import ERROR_RESPONSES, ErrorOut, FieldProblem, Responses
from recmind.api.schemas_campaigns import (
    CampaignDefinition,
    CampaignList,
    CampaignOut,
    CampaignPreviewOut,
    ScheduleIn,
    TestSendIn,
    TestSendOut,
)
from recmind.config import Settings
from recmind.data.online_checks import text_problem
from recmind.data.store import Store
from recmind.marketing.campaigns.preview import preview, test_send
from recmind.marketing.campaigns.repository import (
    STATUSES,
    Campaign,
    CampaignError,
    CampaignNotFoundError,
    CampaignStateError,
    campaign_stats,
    cancel_campaign,
    create_campaign,
    get_campaign,
    list_campaigns,
    schedule_campaign,
    update_campaign,
)
from recmind.marketing.content.compose import OutboxComposer
from recmind.serving.engine import ServingEngine
from recmind.serving.message_recommender import ServedRecommender, served_recommender

router = APIRouter(
    tags=["campaigns"],
    responses=ERROR_RESPONSES,
    dependencies=[Depends(require_scope("marketing"))],
)
CampaignId = Annotated[
    str, Path(pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$", description="The campaign's id.")
]
NOT_FOUND: Responses = {404: {"model": ErrorOut, "description": "No such campaign."}}
INVALID: Responses = {422: {"model": ErrorOut, "description": "The field that is wrong."}}
CONFLICT: Responses = {
    409: {"model": ErrorOut, "description": "Not allowed in the campaign's state."}
}


def _out(store: Store, campaign: Campaign) -> dict[str, Any]:
    return campaign.to_dict() | {"stats": campaign_stats(store, campaign.campaign_id)}


def _invalid(exc: CampaignError) -> UnprocessableError:
    loc: list[str | int] = ["body", *exc.field.split(".")]
    return UnprocessableError([FieldProblem(loc=loc, msg=exc.message, type="unknown_reference")])


def _get(store: Store, campaign_id: str) -> Campaign:
    try:
        return get_campaign(store, campaign_id)
    except CampaignNotFoundError as exc:
        raise HTTPException(404, str(exc)) from exc


_recommenders: weakref.WeakKeyDictionary[ServingEngine, ServedRecommender] = (
    weakref.WeakKeyDictionary()
)
"""One message recommender per serving engine (its caches live as long as the engine)."""


def _composer(store: Store, settings: Settings, engine: ServingEngine) -> OutboxComposer:
    recommender = _recommenders.get(engine)
    if recommender is None:
        recommender = _recommenders.setdefault(engine, served_recommender(engine))
    return OutboxComposer(store, settings, recommender)


@router.get("/v1/campaigns", response_model=CampaignList, summary="Every campaign")
def get_campaigns(
    store: StoreDep,
    status: Annotated[str | None, Query(description=f"One of {', '.join(STATUSES)}.")] = None,
) -> dict[str, Any]:
    if status is not None and status not in STATUSES:
        raise UnprocessableError(
            [
                FieldProblem(
                    loc=["query", "status"],
                    msg=f"one of {', '.join(STATUSES)}",
                    type="enum",
                    input=status,
                )
            ]
        )
    return {"campaigns": [_out(store, c) for c in list_campaigns(store, status)]}


@router.post(
    "/v1/campaigns",
    response_model=CampaignOut,
    status_code=201,
    summary="Create a campaign (a draft, or scheduled with schedule_at)",
    responses=INVALID,
)
def post_campaign(
    store: StoreDep, settings: SettingsDep, body: CampaignDefinition
) -> dict[str, Any]:
    try:
        return _out(store, create_campaign(store, settings, body))
    except CampaignError as exc:
        raise _invalid(exc) from exc


@router.get(
    "/v1/campaigns/{campaign_id}",
    response_model=CampaignOut,
    summary="One campaign, with its messages by status",
    responses=NOT_FOUND,
)
def get_one(store: StoreDep, campaign_id: CampaignId) -> dict[str, Any]:
    return _out(store, _get(store, campaign_id))


@router.put(
    "/v1/campaigns/{campaign_id}",
    response_model=CampaignOut,
    summary="Replace a draft's definition",
    responses=NOT_FOUND | INVALID | CONFLICT,
)
def put_campaign(
    store: StoreDep, settings: SettingsDep, campaign_id: CampaignId, body: CampaignDefinition
) -> dict[str, Any]:
    _get(store, campaign_id)
    try:
        return _out(store, update_campaign(store, settings, campaign_id, body))
    except CampaignError as exc:
        raise _invalid(exc) from exc
    except CampaignStateError as exc:
        raise HTTPException(409, str(exc)) from exc


def _schedule(store: Store, campaign_id: str, at: float) -> dict[str, Any]:
    _get(store, campaign_id)
    try:
        return _out(store, schedule_campaign(store, campaign_id, at))
    except CampaignStateError as exc:
        raise HTTPException(409, str(exc)) from exc


@router.post(
    "/v1/campaigns/{campaign_id}/schedule",
    response_model=CampaignOut,
    summary="Send at a moment",
    responses=NOT_FOUND | INVALID | CONFLICT,
)
def post_schedule(store: StoreDep, campaign_id: CampaignId, body: ScheduleIn) -> dict[str, Any]:
    return _schedule(store, campaign_id, body.at.timestamp())


@router.post(
    "/v1/campaigns/{campaign_id}/send",
    response_model=CampaignOut,
    summary="Send now (the worker starts it at its next round)",
    responses=NOT_FOUND | CONFLICT,
)
def post_send(store: StoreDep, campaign_id: CampaignId) -> dict[str, Any]:
    return _schedule(store, campaign_id, time.time())


@router.post(
    "/v1/campaigns/{campaign_id}/cancel",
    response_model=CampaignOut,
    summary="Cancel (a sending campaign stops after its current batch)",
    responses=NOT_FOUND | CONFLICT,
)
def post_cancel(store: StoreDep, campaign_id: CampaignId) -> dict[str, Any]:
    _get(store, campaign_id)
    try:
        return _out(store, cancel_campaign(store, campaign_id))
    except CampaignStateError as exc:
        raise HTTPException(409, str(exc)) from exc


@router.get(
    "/v1/campaigns/{campaign_id}/preview",
    response_model=CampaignPreviewOut,
    summary="The message one person would get (nothing is written)",
    responses=NOT_FOUND,
)
async def get_preview(
    store: StoreDep,
    settings: SettingsDep,
    engine: EngineDep,
    campaign_id: CampaignId,
    user_id: Annotated[str, Query(min_length=1, max_length=255, description="The person.")],
) -> dict[str, Any]:
    campaign = _get(store, campaign_id)
    if text_problem(user_id):
        raise UnprocessableError(
            [
                FieldProblem(
                    loc=["query", "user_id"],
                    msg="text the store cannot hold",
                    type="value_error",
                    input=user_id,
                )
            ]
        )
    composer = _composer(store, settings, engine)
    found = await run_in_threadpool(preview, composer, campaign, user_id, now=time.time())
    return found.to_dict()


@router.post(
    "/v1/campaigns/{campaign_id}/test",
    response_model=TestSendOut,
    status_code=202,
    summary="Send one person's message to an address of yours (through the outbox)",
    responses=NOT_FOUND | INVALID,
)
async def post_test(
    store: StoreDep,
    settings: SettingsDep,
    engine: EngineDep,
    campaign_id: CampaignId,
    body: TestSendIn,
) -> dict[str, Any]:
    campaign = _get(store, campaign_id)
    composer = _composer(store, settings, engine)
    try:
        message_id, reason = await run_in_threadpool(
            test_send, composer, campaign, body.user_id, body.to, now=time.time()
        )
    except ValueError as exc:
        raise UnprocessableError(
            [FieldProblem(loc=["body", "to"], msg=str(exc), type="value_error", input=body.to)]
        ) from exc
    return {"message_id": message_id, "skip_reason": reason}
