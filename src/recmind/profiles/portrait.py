"""A 2-3 sentence portrait of a person, written by the language model from their interest
tags and recent titles (with their ratings) only, checked by the claim checker against
those facts (no title or tag beyond them; "recently enjoyed" only of titles they rated
highly; no popularity; no words of the instructions), else written from a template."""

from __future__ import annotations

import re
from collections.abc import Sequence

from recmind.text.claims import Facts as ClaimFacts
from recmind.text.claims import HistoryFacts
from recmind.text.claims.grounded import SupportedFacts
from recmind.text.grounding import GroundedText, GroundingChecker, generate_grounded
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


def portrait_facts(
    tags: Sequence[str], titles: Sequence[str], history: Sequence[HistoryFacts] = ()
) -> SupportedFacts:
    """What a portrait may name, and the facts its claims are checked against: the titles
    as recent history (with ``history``'s ratings and tags where it has the title)."""
    given = {h.title: h for h in history}
    entries = [
        given.get(t, HistoryFacts(title=t)).model_copy(update={"recent": True})
        for t in titles[:MAX_TITLES]
    ]
    claims = ClaimFacts(history=entries, terms=list(tags[:MAX_TAGS]))
    return SupportedFacts.supported(claims, titles=titles[:MAX_TITLES], terms=tags[:MAX_TAGS])


def _rating(entry: HistoryFacts | None) -> str:
    if entry is None or entry.rating is None:
        return ""
    return f"{entry.rating:g}/{entry.rating_scale:g}"


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
    history: Sequence[HistoryFacts] = (),
) -> GroundedText:
    """Generate and check a portrait from ``tags`` (strongest first) and recent ``titles``
    (``history``: their ratings and tags, by title).

    The model sees at most ``MAX_TAGS`` tags and ``MAX_TITLES`` titles (titles with a
    trailing article moved to the front) with their ratings; anything it names beyond them,
    and any claim they do not support, rejects the text.
    """
    tags, titles = list(tags[:MAX_TAGS]), list(titles[:MAX_TITLES])
    facts = portrait_facts(tags, titles, history)
    given = {h.title: h for h in history}
    fallback = template_portrait(tags, titles)
    if not tags and not titles:
        return GroundedText(fallback, "fallback", 0, (), 0.0, 0)
    request = (prompts or default_prompts()).request(
        TEMPLATE,
        {
            "tags": tags,
            "titles": [display_title(t) for t in titles],
            "ratings": [_rating(given.get(t)) for t in titles],
            "language": language,
        },
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
