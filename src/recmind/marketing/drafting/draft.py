"""Ask the model for a rule, check it, and ask once more with the reason when it is wrong.

The answer is constrained by the vocabulary's JSON schema (a local model decodes under the
grammar llama.cpp derives from it; a remote one is asked for that schema), then parsed and
checked by the caller's ``check`` (the segments validator: known fields, types, windows,
categories, segments). A draft that fails is sent back once with the error text; when the
second answer fails too, :class:`DraftError` says why. No unchecked rule is ever returned.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from recmind.marketing.drafting.prompt import messages
from recmind.marketing.drafting.vocabulary import Vocabulary, rule_schema
from recmind.text.llm.protocol import ChatMessage, GenerationRequest, Generator

logger = logging.getLogger(__name__)

MAX_REQUEST_CHARS = 500
Check = Callable[[Any], Any]
"""Validates a rule's JSON form: returns it checked, raises ``ValueError`` saying why not."""


class DraftError(ValueError):
    """No valid rule could be drafted; ``errors`` holds each attempt's reason."""

    def __init__(self, message: str, errors: Sequence[str] = (), answers: Sequence[str] = ()):
        super().__init__(message)
        self.errors = tuple(errors)
        self.answers = tuple(answers)


@dataclass(frozen=True)
class Draft:
    """A validated rule drafted from a request.

    Attributes:
        request: The request as given.
        rule: The rule's JSON form, checked by the validator.
        attempts: Generations it took (1, or 2 after a rejected first answer).
        errors: Why earlier answers were rejected.
        answers: The model's raw answers, in order.
        seconds: Wall time of the generations.
        candidates: Categories offered to the model with this request.
        model: The model that drafted it.
    """

    request: str
    rule: dict[str, Any]
    attempts: int
    errors: tuple[str, ...] = ()
    answers: tuple[str, ...] = ()
    seconds: float = 0.0
    candidates: tuple[str, ...] = ()
    model: str = ""
    prompt_tokens: int = field(default=0, compare=False)


def _reject_reason(answer: str, finish_reason: str, check: Check) -> tuple[Any, str | None]:
    """(checked rule, None) or (None, why the answer is not a valid rule)."""
    if finish_reason != "stop":
        return None, f"the answer was cut off ({finish_reason}) before the rule was complete"
    try:
        data = json.loads(answer)
    except ValueError as exc:
        return None, f"the answer is not JSON ({exc})"
    if not isinstance(data, dict):
        return None, f"the answer must be one JSON object, got {type(data).__name__}"
    try:
        check(data)
    except ValueError as exc:
        return None, str(exc)
    return data, None


def draft_rule(
    request: str,
    vocabulary: Vocabulary,
    generator: Generator,
    check: Check,
    *,
    candidates: Sequence[str] = (),
    max_attempts: int = 2,
    max_tokens: int = 320,
    timeout_s: float | None = 120.0,
    seed: int | None = None,
) -> Draft:
    """Draft a checked rule for ``request`` (English or Chinese).

    Args:
        request: What the marketer wants, in words.
        vocabulary: What the shop's rules may name (see :func:`vocabulary_for`).
        generator: The model.
        check: The validator; raises ``ValueError`` with the reason for a bad rule.
        candidates: Categories that may fit the request (shown with it when the shop has
            too many categories to list them all).
        max_attempts: Generations before giving up (the second one is told the error).
        max_tokens: Bound on one answer.
        timeout_s: Bound on one generation.
        seed: Sampling seed (default: the generator's).

    Raises:
        ValueError: The request is empty or too long.
        DraftError: No attempt gave a valid rule (every reason is in ``errors``).
    """
    text = request.strip()
    if not text:
        raise ValueError("the request is empty: say which customers the segment should hold")
    if len(text) > MAX_REQUEST_CHARS:
        raise ValueError(f"the request is {len(text)} characters long; at most {MAX_REQUEST_CHARS}")
    if max_attempts < 1:
        raise ValueError(f"max_attempts must be >= 1, got {max_attempts}")
    turns = messages(vocabulary, text, candidates)
    schema = rule_schema(vocabulary)
    errors: list[str] = []
    answers: list[str] = []
    seconds = 0.0
    prompt_tokens = 0
    model = ""
    for attempt in range(max_attempts):
        result = generator.generate(
            GenerationRequest(
                messages=tuple(turns),
                max_tokens=max_tokens,
                temperature=0.0 if attempt == 0 else 0.2,
                seed=seed,
                timeout_s=timeout_s,
                json_schema=schema,
            )
        )
        seconds += result.seconds
        prompt_tokens = max(prompt_tokens, result.prompt_tokens)
        model = result.model
        answers.append(result.text)
        rule, reason = _reject_reason(result.text.strip(), result.finish_reason, check)
        if reason is None:
            return Draft(
                request=text,
                rule=rule,
                attempts=attempt + 1,
                errors=tuple(errors),
                answers=tuple(answers),
                seconds=seconds,
                candidates=tuple(candidates),
                model=model,
                prompt_tokens=prompt_tokens,
            )
        logger.info("draft attempt %d rejected: %s", attempt + 1, reason)
        errors.append(reason)
        turns += [
            ChatMessage("assistant", result.text),
            ChatMessage(
                "user",
                f"That rule is invalid: {reason}. Reply with a corrected rule for the same "
                "request, JSON only.",
            ),
        ]
    raise DraftError(
        f"could not draft a valid rule in {max_attempts} attempts: {errors[-1]}",
        errors,
        answers,
    )
