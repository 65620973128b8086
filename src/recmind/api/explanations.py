"""Why an item suits a person, for the API: the template reason from the served model and
the person's live history, and (``generate=true``) one sentence written by the language
model from those facts only, checked by the grounding checker.

The sentence is written by the background generation worker, never on a request thread:
the request gets the job to poll when the sentence is not ready, the sentence itself when
it is kept. Kept sentences are keyed by the model version, the person, the item and the
facts, so a new event or a new version asks for a new one. A sentence finished after the
person's erasure (by this process or another) is not kept.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass, replace
from typing import Final, Literal

import orjson

from recmind.config import Settings
from recmind.rec.explain import Explanation
from recmind.serving.current import NOT_READY
from recmind.serving.engine import ServingEngine
from recmind.serving.generation import GenerationJob, GenerationJobs, TextOutcome
from recmind.serving.results import NotReadyError, UnknownItemError
from recmind.text.llm.protocol import Generator

EXPLANATION_KIND: Final = "explanation"


@dataclass(frozen=True)
class ExplanationAnswer:
    """The explanation (with its sentence once written), the version that ranks the item,
    why a sentence was asked for but not given (``note``), or the job writing it."""

    explanation: Explanation
    model: str
    version: str
    note: str | None = None
    job: GenerationJob | None = None


def _facts_key(version: str, user_id: str, explanation: Explanation) -> str:
    facts = explanation.facts()
    payload = orjson.dumps(
        [version, user_id, explanation.item_id, list(facts.titles), list(facts.terms)]
    )
    return f"{EXPLANATION_KIND}:{hashlib.sha256(payload).hexdigest()}"


class ExplanationService:
    """Explains served recommendations; sentences come from the generation worker."""

    def __init__(self, engine: ServingEngine, generation: GenerationJobs, settings: Settings):
        self.engine = engine
        self.generation = generation
        self.settings = settings

    def explain(self, user_id: str, item_id: str, *, generate: bool = False) -> ExplanationAnswer:
        """Why ``item_id`` suits ``user_id`` now.

        Raises:
            NotReadyError: No model is served yet.
            UnknownItemError: The item is not a present item of the served model.
            QueueFullError: The sentence must be written but the generation queue is full.
        """
        started = time.time()
        state = self.engine.state
        if state is None:
            raise NotReadyError(NOT_READY)
        served = state.served
        index = served.item_index.get(item_id)
        if index is None or not state.catalog.present[index]:
            raise UnknownItemError(item_id)
        history = self.engine.history(user_id, state)
        live = state.resources.explainer()
        explanation = live.explanation(history, index, state.catalog)
        answer = ExplanationAnswer(explanation, served.name, served.version)
        if not generate:
            return answer
        key = _facts_key(served.version, user_id, explanation)
        kept = self.generation.text(key)
        if kept is not None:
            written = replace(explanation, sentence=kept.text, sentence_source=_source(kept))
            return replace(answer, explanation=written, note=kept.note)
        problem = self.generation.generator_error
        if problem is not None:
            return replace(answer, note=f"no language model available: {problem}")
        seed = self.settings.seed

        def write(generator: Generator) -> TextOutcome:
            done = live.explainer.with_sentence(explanation, generator, seed=seed)
            grounded = done.sentence_source == "llm"
            note = None if grounded else "no generated sentence passed the grounding check"
            return TextOutcome(
                done.sentence or done.reason, "llm" if grounded else "fallback", note
            )

        def keep(_: TextOutcome) -> bool:
            """False (nothing kept) when the person was erased since their history was read."""
            when = self.engine.erasure.erased_at(user_id)
            return when is None or when < started

        job = self.generation.submit(EXPLANATION_KIND, key, user_id, write, keep)
        return replace(answer, job=job)


def _source(text: TextOutcome) -> Literal["llm", "fallback"]:
    return "llm" if text.source == "llm" else "fallback"
