"""``POST /v1/copy/generate`` (``marketing`` scope): marketing copy written by the language
model from the store's facts, every claim checked, else the template fallback.

Writing takes the model seconds to minutes, so it runs on the background generation worker:
the first request answers ``202`` with the job (poll ``/v1/jobs/{id}``, or ask again), and
once the copy is written the same request answers ``200`` with it. ``llm: false`` writes
the template fallback at once. An unknown item, person or review is a 422 naming it.
"""

from __future__ import annotations

import time
import weakref
from typing import Any

import orjson
from fastapi import APIRouter, Depends, HTTPException
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from recmind.api.deps import EngineDep, GenerationDep, SettingsDep, StoreDep, require_scope
from recmind.api.errors import UnprocessableError
from recmind.api.responses import json_response
from recmind.api.schemas import ERROR_RESPONSES, FieldProblem
from recmind.api.schemas_copy import CopyIn, CopyOut
from recmind.api.text_jobs import ACCEPTED, accepted, queue_full
from recmind.config import Settings
from recmind.data.store import Store
from recmind.data.tombstones import erased_at
from recmind.marketing.copy.context import CopyContext
from recmind.marketing.copy.options import Offer
from recmind.marketing.copy.service import CopyError, CopyWriter
from recmind.serving.engine import ServingEngine
from recmind.serving.generation import QueueFullError, TextOutcome
from recmind.serving.message_recommender import ServedRecommender, served_recommender
from recmind.text.llm.protocol import Generator

router = APIRouter(
    tags=["copy"],
    responses=ERROR_RESPONSES,
    dependencies=[Depends(require_scope("marketing"))],
)
_recommenders: weakref.WeakKeyDictionary[ServingEngine, ServedRecommender] = (
    weakref.WeakKeyDictionary()
)


def _writer(
    store: Store, settings: Settings, engine: ServingEngine, generator: Generator | None
) -> CopyWriter:
    recommender = _recommenders.get(engine)
    if recommender is None:
        recommender = _recommenders.setdefault(engine, served_recommender(engine))
    return CopyWriter(store, settings, generator, recommender=recommender)


def _context(writer: CopyWriter, body: CopyIn) -> CopyContext:
    offer = None if body.offer is None else Offer(**body.offer.model_dump())
    try:
        return writer.context(
            body.type,
            item_ids=body.item_ids,
            user_id=body.user_id,
            language=body.language,
            offer=offer,
            review_id=body.review_id,
        )
    except CopyError as exc:
        raise UnprocessableError(
            [FieldProblem(loc=["body"], msg=str(exc), type="copy_request", input=None)]
        ) from exc


@router.post(
    "/v1/copy/generate",
    response_model=CopyOut,
    summary="Marketing copy from the store's facts, every claim checked",
    responses=ACCEPTED,
)
async def post_generate(
    body: CopyIn,
    store: StoreDep,
    settings: SettingsDep,
    engine: EngineDep,
    generation: GenerationDep,
) -> Any:
    writer = _writer(store, settings, engine, None)
    context = await run_in_threadpool(_context, writer, body)
    if not body.llm:
        result = await run_in_threadpool(writer.write, context)
        return json_response(result.to_dict())
    key = f"copy:{context.digest()}"
    kept = generation.text(key)
    if kept is not None:
        return Response(kept.text, media_type="application/json")
    problem = generation.generator_error
    if problem is not None:
        raise HTTPException(503, f"no language model available: {problem}")
    started = time.time()
    owner = body.user_id or ""

    def write(generator: Generator) -> TextOutcome:
        result = _writer(store, settings, engine, generator).write(context)
        text = orjson.dumps(result.to_dict()).decode()
        return TextOutcome(text, result.source, "; ".join(result.reasons) or None)

    def commit(_: TextOutcome) -> bool:
        """Nothing kept about a person erased since their data was read."""
        if not owner:
            return True
        when = erased_at(store, owner, settings.api.secret)
        return when is None or when < started

    try:
        job = generation.submit("copy", key, owner, write, commit)
    except QueueFullError as exc:
        raise queue_full(exc) from exc
    return accepted(job)
