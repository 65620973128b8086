"""``GET /v1/users/{user_id}/explanations/{item_id}``: why an item suits a person, with an
optional generated sentence (``read`` scope)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Path, Query
from starlette.responses import Response

from recmind.api.deps import ExplanationsDep, MetricsDep, require_scope
from recmind.api.errors import check_path_id
from recmind.api.explanations import ExplanationAnswer
from recmind.api.responses import json_response
from recmind.api.schemas import ERROR_RESPONSES, ErrorOut
from recmind.api.schemas_serving import ExplanationOut
from recmind.api.text_jobs import ACCEPTED, accepted, queue_full
from recmind.serving.generation import QueueFullError
from recmind.serving.results import NotReadyError, UnknownItemError

router = APIRouter(tags=["recommendations"], responses=ERROR_RESPONSES)
UserId = Annotated[str, Path(min_length=1, max_length=255, description="The person's id.")]
ItemId = Annotated[str, Path(min_length=1, max_length=255, description="The item's id.")]


def _body(user_id: str, answer: ExplanationAnswer) -> dict[str, object]:
    explanation = answer.explanation
    return {
        "user_id": user_id,
        "item_id": explanation.item_id,
        "title": explanation.title,
        "model": answer.model,
        "version": answer.version,
        "reason": explanation.reason,
        "because": [c.title for c in explanation.because],
        "shared": list(explanation.shared),
        "method": explanation.method,
        "sentence": explanation.sentence,
        "sentence_source": explanation.sentence_source,
        "sentence_note": answer.note,
    }


@router.get(
    "/v1/users/{user_id}/explanations/{item_id}",
    response_model=ExplanationOut,
    summary="Why an item suits a person (optionally one generated sentence)",
    description=(
        "The history items that count most for the item under the served model, the tags "
        "they share, and the template reason, from the person's events up to now. With "
        "`generate=true` the language model writes one sentence from those facts only, "
        "checked by the grounding checker, in a background job: 202 with the job while it is "
        "not ready, the sentence once it is."
    ),
    responses=ACCEPTED
    | {
        404: {"model": ErrorOut, "description": "The item is not in the served model."},
        422: {"model": ErrorOut, "description": "A parameter is invalid (named)."},
    },
    dependencies=[Depends(require_scope("read"))],
)
def explain_item(
    user_id: UserId,
    item_id: ItemId,
    explanations: ExplanationsDep,
    metrics: MetricsDep,
    generate: Annotated[bool, Query(description="Write a sentence with the LLM.")] = False,
) -> Response:
    check_path_id("user_id", user_id)
    check_path_id("item_id", item_id)
    try:
        answer = explanations.explain(user_id, item_id, generate=generate)
    except NotReadyError as exc:
        raise HTTPException(503, str(exc)) from None
    except UnknownItemError:
        raise HTTPException(404, f"no item {item_id!r} in the served model") from None
    except QueueFullError as exc:
        metrics.generation_refused.inc()
        raise queue_full(exc) from None
    if answer.job is not None:
        return accepted(answer.job)
    return json_response(_body(user_id, answer))
