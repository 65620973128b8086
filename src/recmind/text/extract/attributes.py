"""Attributes from descriptions and reviews by a language model, into a validated schema.

The model is constrained to the schema's JSON (a grammar for the local backend, a JSON
schema for an OpenAI-compatible one), the answer is validated by pydantic, and an invalid
answer is retried with the validation error fed back (``max_attempts`` at most). Then every
extracted value must be *supported by the text*: a string's content words all occur in it
(in any case, singular or plural), a number occurs in it. Unsupported values are fed back
once more; whatever is still unsupported after the last attempt is dropped (a list loses
the element, an optional field becomes ``None``), so no invented attribute leaves here.
Fields typed ``Literal``, enums and booleans are choices, not quotes, and are not checked.
"""

from __future__ import annotations

import enum
import json
import logging
import typing
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated, Any, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from recmind.text.extract.keyphrases import english_stop_words
from recmind.text.grounding.matching import CJK, normalise, numbers_in, singular
from recmind.text.llm.prompts import PromptLibrary, default_prompts
from recmind.text.llm.protocol import ChatMessage, GenerationRequest, Generator

logger = logging.getLogger(__name__)

M = TypeVar("M", bound=BaseModel)
TEMPLATE = "extract_attributes"
Phrase = Annotated[str, StringConstraints(min_length=1, max_length=40)]
"""A short value: bounded so a constrained generation cannot ramble inside one string."""


class ProductAttributes(BaseModel):
    """What a shopper reads about a product, as written in its text (the default schema)."""

    model_config = ConfigDict(extra="forbid")

    materials: list[Phrase] = Field(default_factory=list, max_length=4, description="fabrics")
    colors: list[Phrase] = Field(default_factory=list, max_length=4, description="colours")
    fit: Phrase | None = Field(default=None, description="how it fits, e.g. runs small")
    occasions: list[Phrase] = Field(
        default_factory=list, max_length=3, description="when to wear or use it"
    )
    features: list[Phrase] = Field(
        default_factory=list, max_length=4, description="parts or details, e.g. pockets"
    )


class ExtractionError(RuntimeError):
    """No attempt produced a valid answer."""

    def __init__(self, message: str, errors: list[str]) -> None:
        super().__init__(message)
        self.errors = errors


@dataclass(frozen=True)
class Extraction(Generic[M]):
    """An extraction with how it went.

    Attributes:
        value: The validated attributes, every checked value supported by the text.
        attempts: Generations used.
        dropped: Paths of values removed because the text does not support them.
        errors: What was wrong with each rejected attempt.
    """

    value: M
    attempts: int
    dropped: tuple[str, ...]
    errors: tuple[str, ...]


def _is_choice(annotation: Any) -> bool:
    """A ``Literal``, an enum or a bool (possibly optional or in a list)."""
    if annotation is bool or (isinstance(annotation, type) and issubclass(annotation, enum.Enum)):
        return True
    if typing.get_origin(annotation) is Literal:
        return True
    return any(_is_choice(arg) for arg in typing.get_args(annotation))


def supported(value: str | float, text: str) -> bool:
    """Whether ``text`` supports ``value``: a number occurs in it; every content word of a
    string does (singular or plural), or the whole string does (Chinese)."""
    if isinstance(value, int | float):
        return float(value) in numbers_in(text)
    key = normalise(value)
    if not key:
        return True
    source = normalise(text)
    if f" {key} " in f" {source} ":
        return True
    if CJK.search(key):
        return key.replace(" ", "") in source.replace(" ", "")
    words = {w for w in source.split()} | {singular(w) for w in source.split()}
    content = [w for w in key.split() if w not in english_stop_words()]
    return bool(content) and all(w in words or singular(w) in words for w in content)


def _unsupported(model: BaseModel, text: str, prefix: str = "") -> Iterator[tuple[str, Any]]:
    """``(path, value)`` of every checked value the text does not support."""
    for name, info in type(model).model_fields.items():
        value = getattr(model, name)
        if _is_choice(info.annotation):
            continue
        path = f"{prefix}{name}"
        items = value if isinstance(value, list) else [value]
        for index, item in enumerate(items):
            where = f"{path}[{index}]" if isinstance(value, list) else path
            if isinstance(item, BaseModel):
                yield from _unsupported(item, text, f"{where}.")
            elif (
                isinstance(item, str | int | float)
                and not isinstance(item, bool)
                and not supported(item, text)
            ):
                yield where, item


def _cleaned(model: M, bad: list[tuple[str, Any]]) -> M:
    """``model`` without the unsupported values (list elements removed, scalars ``None``)
    and without repeated strings in lists."""
    data = model.model_dump()
    for path, _ in sorted(bad, key=lambda p: p[0], reverse=True):
        parts = path.replace("]", "").replace("[", ".").split(".")
        node: Any = data
        for part in parts[:-1]:
            node = node[int(part)] if isinstance(node, list) else node[part]
        last = parts[-1]
        if isinstance(node, list):
            del node[int(last)]
        else:
            node[last] = None
    return type(model).model_validate(_deduplicated(data))


def _deduplicated(data: Any) -> Any:
    if isinstance(data, dict):
        return {k: _deduplicated(v) for k, v in data.items()}
    if isinstance(data, list):
        seen: set[str] = set()
        out = []
        for item in data:
            key = normalise(item) if isinstance(item, str) else None
            if key is not None and key in seen:
                continue
            if key is not None:
                seen.add(key)
            out.append(_deduplicated(item))
        return out
    return data


def _validation_feedback(exc: ValidationError) -> str:
    problems = [f"{'.'.join(map(str, e['loc'])) or 'answer'}: {e['msg']}" for e in exc.errors()]
    return "; ".join(problems[:5])


def _field_lines(schema: type[BaseModel]) -> list[str]:
    return [
        f"{name}: {info.description}" if info.description else name
        for name, info in schema.model_fields.items()
    ]


def extract_attributes_detailed(
    text: str,
    schema: type[M],
    generator: Generator,
    *,
    max_attempts: int = 3,
    max_tokens: int = 200,
    timeout_s: float | None = 60.0,
    seed: int | None = None,
    prompts: PromptLibrary | None = None,
) -> Extraction[M]:
    """Extract ``schema`` from ``text`` (see the module docstring); with the attempt count,
    the dropped values and the errors.

    Raises:
        ExtractionError: No attempt gave JSON that validates against ``schema``.
    """
    if max_attempts < 1:
        raise ValueError(f"max_attempts must be >= 1, got {max_attempts}")
    json_schema = schema.model_json_schema()
    facts = {
        "text": text,
        "schema": json.dumps(json_schema, ensure_ascii=False),
        "fields": _field_lines(schema),
    }
    messages = list((prompts or default_prompts()).messages(TEMPLATE, **facts))
    errors: list[str] = []
    best: M | None = None
    bad: list[tuple[str, Any]] = []
    base_seed = seed if seed is not None else generator.default_seed
    for attempt in range(max_attempts):
        request = GenerationRequest(
            messages=tuple(messages),
            max_tokens=max_tokens,
            temperature=0.0 if attempt == 0 else 0.3,
            seed=base_seed + attempt,
            timeout_s=timeout_s,
            json_schema=json_schema,
        )
        answer = generator.generate(request).text
        logger.debug("extraction attempt %d answered %r", attempt + 1, answer)
        try:
            value = schema.model_validate_json(answer)
        except ValidationError as exc:
            feedback = f"The JSON was invalid ({_validation_feedback(exc)})."
        else:
            bad = list(_unsupported(value, text))
            best = value
            if not bad:
                return Extraction(_cleaned(value, []), attempt + 1, (), tuple(errors))
            listed = ", ".join(f"{p} = {v!r}" for p, v in bad[:8])
            feedback = f"These values are not in the text: {listed}."
        errors.append(feedback)
        logger.debug("extraction attempt %d rejected: %s", attempt + 1, feedback)
        messages += [
            ChatMessage("assistant", answer),
            ChatMessage("user", f"{feedback} Reply again with corrected JSON only."),
        ]
    if best is None:
        raise ExtractionError(f"no valid answer in {max_attempts} attempts", errors)
    try:
        pruned = _cleaned(best, bad)
    except ValidationError as exc:
        raise ExtractionError(f"a required value is not in the text: {exc}", errors) from exc
    return Extraction(pruned, max_attempts, tuple(p for p, _ in bad), tuple(errors))


def extract_attributes(
    text: str,
    schema: type[M],
    generator: Generator,
    *,
    max_attempts: int = 3,
    max_tokens: int = 200,
    timeout_s: float | None = 60.0,
    seed: int | None = None,
) -> M:
    """Attributes of ``text`` as a validated ``schema`` instance whose every checked value is
    supported by the text (see :func:`extract_attributes_detailed`)."""
    return extract_attributes_detailed(
        text,
        schema,
        generator,
        max_attempts=max_attempts,
        max_tokens=max_tokens,
        timeout_s=timeout_s,
        seed=seed,
    ).value
