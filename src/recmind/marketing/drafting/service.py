"""Draft a segment for a shop: the rule, checked; what it means in words; how many it holds.

:class:`SegmentDrafter` reads the shop's vocabulary from its store once (the segment field
catalogue, categories, stored segments, shared attribute values: never a customer's record),
asks the model through :func:`~recmind.marketing.drafting.draft.draft_rule` with the segments
validator as the check, and, for a rule that passed, says it in words and counts its members
at the evaluation moment. Nothing is saved or run before the rule is valid.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from recmind.config import LLMSettings, Settings
from recmind.data.store import Store
from recmind.marketing.drafting.candidates import DEFAULT_ENCODER, CategoryIndex, category_index
from recmind.marketing.drafting.draft import Draft, draft_rule
from recmind.marketing.drafting.prompt import lists_every_category, messages
from recmind.marketing.drafting.shop import vocabulary_for
from recmind.marketing.drafting.vocabulary import Vocabulary
from recmind.marketing.segments.catalogue import load_catalogue
from recmind.marketing.segments.compiler import compile_rule
from recmind.marketing.segments.describe import describe
from recmind.marketing.segments.preview import count_members
from recmind.marketing.segments.repository import rules_lookup
from recmind.marketing.segments.rules import Rule, rule_to_json
from recmind.marketing.segments.validate import check_rule
from recmind.text.llm.factory import llm_settings
from recmind.text.llm.protocol import ChatMessage, GenerationRequest, Generator


@dataclass(frozen=True)
class DraftedSegment:
    """A drafted rule that passed validation, in words, with its live count."""

    rule: dict[str, Any]
    words: str
    count: int
    as_of: float
    draft: Draft

    def to_dict(self) -> dict[str, Any]:
        return {
            "request": self.draft.request,
            "rule": self.rule,
            "in_words": self.words,
            "count": self.count,
            "as_of": self.as_of,
            "attempts": self.draft.attempts,
            "rejected": list(self.draft.errors),
            "model": self.draft.model,
            "seconds": round(self.draft.seconds, 3),
        }


def member_ids(store: Store, rule: Rule, as_of: float) -> set[str]:
    """The ids of the customers ``rule`` selects at ``as_of``."""
    query = compile_rule(rule, as_of=as_of, dialect=store.dialect, rules_of=rules_lookup(store))
    with store.engine.connect() as connection:
        return {str(user_id) for user_id in connection.execute(query).scalars()}


class SegmentDrafter:
    """Drafts segments for one store's shop.

    Args:
        store: The shop's store (read for its vocabulary and for counts).
        generator: The model (``recmind.text.llm.factory.shared_generator``).
        as_of: Evaluation moment of counts (default: now, at each draft).
        currency: Said in the prompt so amounts are read right (e.g. ``USD``).
        encoder: Picks the categories shown with a request when the shop has too many to
            list (``None``: word matches only).
        timeout_s: Bound on one generation (the first one also reads the whole prompt).
    """

    def __init__(
        self,
        store: Store,
        generator: Generator,
        *,
        as_of: float | None = None,
        currency: str = "",
        encoder: str | None = DEFAULT_ENCODER,
        timeout_s: float | None = 300.0,
    ) -> None:
        self.store = store
        self.generator = generator
        self.fixed_as_of = as_of
        self.catalogue = load_catalogue(store)
        self.vocabulary: Vocabulary = vocabulary_for(store, self.catalogue, currency=currency)
        self.encoder_name = encoder if not lists_every_category(self.vocabulary) else None
        self._index: CategoryIndex | None = None
        self.timeout_s = timeout_s

    @property
    def as_of(self) -> float:
        return time.time() if self.fixed_as_of is None else self.fixed_as_of

    def check(self, data: Any) -> Rule:
        """The rule's JSON form validated against this shop (raises ``RuleError``)."""
        return check_rule(data, self.catalogue, rules_of=rules_lookup(self.store))

    def candidates(self, request: str) -> list[str]:
        """Categories shown with ``request`` (none when the prompt lists them all)."""
        if lists_every_category(self.vocabulary):
            return []
        if self._index is None:
            self._index = category_index(self.vocabulary.categories, self.encoder_name)
        return self._index.candidates(request)

    def prompt(self, request: str) -> list[ChatMessage]:
        """The conversation the model would be sent for ``request``."""
        return messages(self.vocabulary, request, self.candidates(request))

    def warm(self) -> float:
        """Read the prompt's shared prefix into the model now (a local model keeps it for
        the requests that follow); the seconds it took."""
        started = time.perf_counter()
        turns = messages(self.vocabulary, "-")
        self.generator.generate(
            GenerationRequest(messages=tuple(turns), max_tokens=1, timeout_s=None, use_cache=False)
        )
        return time.perf_counter() - started

    def draft(self, request: str, *, max_attempts: int = 2) -> DraftedSegment:
        """A validated rule for ``request``, in words, with its count.

        Raises:
            ValueError: The request is empty or too long.
            DraftError: The model gave no valid rule (the reasons are on the error).
        """
        drafted = draft_rule(
            request,
            self.vocabulary,
            self.generator,
            self.check,
            candidates=self.candidates(request),
            max_attempts=max_attempts,
            timeout_s=self.timeout_s,
        )
        rule = self.check(drafted.rule)
        as_of = self.as_of
        count = count_members(self.store, rule, as_of=as_of, rules_of=rules_lookup(self.store))
        return DraftedSegment(
            rule=rule_to_json(rule), words=describe(rule), count=count, as_of=as_of, draft=drafted
        )


DRAFTING_N_CTX = 4096
"""Context the drafting prompt needs (system turn, worked examples, request, answer)."""


def drafting_llm_settings(settings: Settings | LLMSettings | None = None) -> LLMSettings:
    """The configured LLM settings with a context window large enough for drafting."""
    config = llm_settings(settings)
    return config.model_copy(update={"n_ctx": max(config.n_ctx, DRAFTING_N_CTX)})
