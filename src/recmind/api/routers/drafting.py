"""``POST /v1/segments/draft`` (``marketing`` scope): a segment rule drafted by the language
model from plain English or Chinese, validated, in words, with its live count.

Nothing is stored: the person approves by storing the rule (``POST /v1/segments``). A
request the model could not turn into a valid rule is a 422 naming why (each rejected
answer's validation error). The drafting model is built on first use with a context large
enough for the drafting prompt, and kept; drafts are answered one at a time.
"""

from __future__ import annotations

import threading
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request

from recmind.api.deps import StoreDep, require_scope
from recmind.api.errors import UnprocessableError
from recmind.api.schemas import ERROR_RESPONSES, ErrorOut, FieldProblem, Responses
from recmind.api.schemas_drafting import DraftIn, DraftOut
from recmind.marketing.drafting import DraftError, SegmentDrafter, drafting_llm_settings
from recmind.text.llm.factory import create_generator
from recmind.text.llm.gguf_assets import ModelAssetError
from recmind.text.llm.protocol import GenerationError, Generator

router = APIRouter(
    tags=["segments"],
    responses=ERROR_RESPONSES,
    dependencies=[Depends(require_scope("marketing"))],
)
_lock = threading.Lock()
RESPONSES: Responses = {
    422: {"model": ErrorOut, "description": "No valid rule could be drafted (why is named)."},
    503: {"model": ErrorOut, "description": "No language model is available."},
}


def drafting_generator(request: Request) -> Generator:
    """The app's drafting model, built once (without the generation cache)."""
    with _lock:
        found: Generator | None = getattr(request.app.state, "drafting_generator", None)
        if found is None:
            settings = request.app.state.settings
            config = drafting_llm_settings(settings).model_copy(update={"cache": False})
            try:
                found = create_generator(config, seed=settings.seed, home=settings.home)
            except (ModelAssetError, GenerationError, KeyError, FileNotFoundError) as exc:
                raise HTTPException(503, f"no language model to draft with: {exc}") from exc
            request.app.state.drafting_generator = found
        return found


@router.post(
    "/v1/segments/draft",
    response_model=DraftOut,
    summary="Draft a segment rule from plain language (validated, not stored)",
    responses=RESPONSES,
)
def post_draft(request: Request, store: StoreDep, body: DraftIn) -> dict[str, Any]:
    generator = drafting_generator(request)
    drafter = SegmentDrafter(store, generator, as_of=body.as_of)
    try:
        drafted = drafter.draft(body.text)
    except DraftError as exc:
        raise UnprocessableError(
            [
                FieldProblem(
                    loc=["body", "text"],
                    msg=f"{exc}" + "".join(f"; rejected: {e}" for e in exc.errors[:-1]),
                    type="draft_failed",
                    input=body.text,
                )
            ]
        ) from exc
    except ValueError as exc:
        raise UnprocessableError(
            [FieldProblem(loc=["body", "text"], msg=str(exc), type="value_error", input=body.text)]
        ) from exc
    except GenerationError as exc:
        raise HTTPException(503, f"the language model failed: {exc}") from exc
    out = drafted.to_dict()
    return {
        "request": out["request"],
        "rule": out["rule"],
        "in_words": out["in_words"],
        "count": out["count"],
        "as_of": out["as_of"],
        "attempts": out["attempts"],
        "rejected": out["rejected"],
        "model": out["model"],
        "seconds": out["seconds"],
    }
