"""A 2-3 sentence portrait of a person, written by the language model from their interest
tags and recent titles only, checked against those facts, else written from a template."""

from __future__ import annotations

import re
from collections.abc import Sequence

from recmind.text.grounding import (
    Facts,
    GroundedText,
    GroundingChecker,
    generate_grounded,
)
from recmind.text.grounding.matching import display_title
from recmind.text.llm.prompts import PromptLibrary, default_prompts
from recmind.text.llm.protocol import Generator

TEMPLATE = "profile_portrait"
MAX_TAGS = 5
MAX_TITLES = 4
_DECADE = re.compile(r"^\d{3}0s$")


def _join(words: Sequence[str]) -> str:
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]


def template_portrait(tags: Sequence[str], titles: Sequence[str]) -> str:
    """The portrait made of the facts themselves (used when generation fails or is off):
    the strongest tags, the decades among them, and the latest titles."""
    if not tags and not titles:
        return "No activity yet."
    decades = [t for t in tags[:MAX_TAGS] if _DECADE.match(t)]
    topics = [t for t in tags[:MAX_TAGS] if not _DECADE.match(t)]
    sentences = []
    if topics:
        sentence = f"Mostly drawn to {_join(topics[:3])}"
        if decades:
            sentence += f", above all from the {_join(decades[:2])}"
        sentences.append(sentence + ".")
        if len(topics) > 3:
            sentences.append(f"Also interested in {_join(topics[3:])}.")
    elif decades:
        sentences.append(f"Mostly drawn to titles from the {_join(decades[:2])}.")
    if titles:
        quoted = [f'"{display_title(t)}"' for t in titles[:3]]
        sentences.append(f"Recently: {_join(quoted)}.")
    return " ".join(sentences)


def portrait_facts(tags: Sequence[str], titles: Sequence[str]) -> Facts:
    """What a portrait may name."""
    return Facts.of(titles=titles[:MAX_TITLES], terms=tags[:MAX_TAGS])


def write_portrait(
    tags: Sequence[str],
    titles: Sequence[str],
    generator: Generator,
    *,
    checker: GroundingChecker | None = None,
    language: str = "English",
    max_attempts: int = 3,
    max_tokens: int = 90,
    seed: int | None = None,
    timeout_s: float | None = 60.0,
    prompts: PromptLibrary | None = None,
) -> GroundedText:
    """Generate and check a portrait from ``tags`` (strongest first) and recent ``titles``.

    The model sees at most ``MAX_TAGS`` tags and ``MAX_TITLES`` titles (titles with a
    trailing article moved to the front); anything it names beyond them rejects the text.
    """
    tags, titles = list(tags[:MAX_TAGS]), list(titles[:MAX_TITLES])
    facts = portrait_facts(tags, titles)
    fallback = template_portrait(tags, titles)
    if not tags and not titles:
        return GroundedText(fallback, "fallback", 0, (), 0.0, 0)
    request = (prompts or default_prompts()).request(
        TEMPLATE,
        {"tags": tags, "titles": [display_title(t) for t in titles], "language": language},
        max_tokens=max_tokens,
        temperature=0.2,
        seed=seed,
        timeout_s=timeout_s,
    )
    return generate_grounded(
        generator,
        request,
        facts,
        fallback=fallback,
        checker=checker,
        max_attempts=max_attempts,
        max_sentences=3,
    )
