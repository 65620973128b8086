"""Whether a draft may go out: its slots, the brand's avoided words, its language, its
length, and every factual claim of the filled text (:func:`recmind.text.claims.check`).

:func:`review` takes a draft's parts (slot text), returns them cut to their limits and
filled from the store, or the reasons it was rejected, in words the model is sent back.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from recmind.marketing.copy.context import CopyContext
from recmind.marketing.copy.kinds import KindSpec
from recmind.marketing.copy.limits import cut_to
from recmind.marketing.copy.slots import SlotError, fill, problems, slots_in, without_slots
from recmind.text.claims import Claim, Facts, check
from recmind.text.grounding.matching import CJK

LEAKS = re.compile(
    r"(?i)\b(item[1-9]|the customer likes|audience:|lead with:|shop promises|slots?|rules:"
    r"|write in (english|simplified chinese))\b"
)
"""Words of the prompt that must not reach a reader (outside slots)."""
FIRST_PERSON = re.compile(r"(?i)\b(?:I|I'm|I've|me|my|mine)\b|(?<!自)我(?!们)")
"""A customer's voice ("I love it"): copy speaks as the shop (we), a review reply included."""
COPIED_WORDS = 6
"""A run of this many words (or twice as many Chinese characters) taken from one of the
brand's example texts is copying, not writing in its voice."""
PROBE_NAME = "Alex"
"""The first name a shared variant is checked with (and once without any name)."""


@dataclass(frozen=True)
class Review:
    """A draft reviewed: ``parts`` (slot text, cut), ``filled`` (what a reader sees),
    ``reasons`` it may not go out (empty: it may), ``claims`` of the filled text, and the
    parts that were cut to their limits."""

    parts: dict[str, str]
    filled: dict[str, str]
    reasons: tuple[str, ...]
    claims: tuple[Claim, ...] = ()
    cut: tuple[str, ...] = field(default=())

    @property
    def ok(self) -> bool:
        return not self.reasons


def joined(parts: Mapping[str, str]) -> str:
    """The parts as one text for the checker (one line each)."""
    return "\n".join(parts.values())


def _language_problem(parts: Mapping[str, str], language: str) -> str | None:
    own = " ".join(without_slots(t) for t in parts.values())
    cjk = len(CJK.findall(own))
    letters = sum(c.isalpha() for c in own)
    if language == "zh" and cjk < max(2, letters // 4):
        return "write in Simplified Chinese"
    if language == "en" and cjk > 0:
        return "write in English only (no Chinese characters)"
    return None


def _runs(words: list[str], size: int) -> set[tuple[str, ...]]:
    return {tuple(words[i : i + size]) for i in range(len(words) - size + 1)}


def copies_example(text: str, examples: list[str]) -> bool:
    """Whether ``text`` repeats a long run of words of one of the brand's ``examples``."""
    own = without_slots(text)
    ours = _runs(re.findall(r"[a-z']+", own.lower()), COPIED_WORDS)
    ours_cjk = "".join(c for c in own if CJK.match(c))
    span = 2 * COPIED_WORDS
    for example in examples:
        if ours & _runs(re.findall(r"[a-z']+", example.lower()), COPIED_WORDS):
            return True
        theirs = "".join(c for c in example if CJK.match(c))
        if any(theirs[i : i + span] in ours_cjk for i in range(len(theirs) - span + 1)):
            return True
    return False


def _checked(filled: Mapping[str, str], facts: Facts) -> tuple[list[str], tuple[Claim, ...]]:
    verdict = check(joined(filled), facts)
    reasons = [f"unsupported claim {c.text!r} ({c.kind}: {c.reason})" for c in verdict.unsupported]
    return reasons, verdict.claims


def check_filled(
    filled: Mapping[str, str], facts: Facts
) -> tuple[tuple[str, ...], tuple[Claim, ...]]:
    """The reasons a filled text may not go out (its unsupported claims), and its claims."""
    reasons, claims = _checked(filled, facts)
    return tuple(reasons), claims


def review_values(context: CopyContext) -> dict[str, str | None]:
    """The slot values a draft is reviewed with: a shared variant gets :data:`PROBE_NAME`."""
    values = context.slot_values()
    if context.shared and values.get("name") is None:
        values["name"] = PROBE_NAME
    return values


def review_facts(context: CopyContext, values: Mapping[str, str | None]) -> Facts:
    """The facts a draft's claims are checked against (a shared variant's recipient is the
    probe name it is reviewed with)."""
    facts = context.facts()
    if context.shared:
        facts = facts.model_copy(update={"recipient": values["name"]})
    return facts


def text_problems(
    text: str, context: CopyContext, values: Mapping[str, str | None], generated: bool = True
) -> list[str]:
    """What is wrong with one text of a draft before its claims are checked: its slots, the
    prompt's words, avoided words and, for ``generated`` text, one person's voice and words
    copied from the brand's examples."""
    found = problems(text, values, context.quoted_attributes())
    own = without_slots(text)
    leaked = LEAKS.findall(own)
    if leaked:
        shown = ", ".join(dict.fromkeys(m[0] for m in leaked))
        found.append(f"the prompt's own words are not copy ({shown})")
    avoided = context.brand.avoided_in(text)
    if avoided:
        found.append(f"never use {', '.join(avoided)}")
    if generated and FIRST_PERSON.search(own):
        found.append("write as the shop (we, our), never as one person (I, my)")
    if generated and copies_example(text, list(context.brand.examples)):
        found.append("the shop's example texts show the voice: do not copy them")
    return found


def review(
    parts: Mapping[str, str], context: CopyContext, spec: KindSpec, *, generated: bool = True
) -> Review:
    """Review a draft (see the module's docstring); the language is checked only for
    ``generated`` drafts (a template may quote English attributes in Chinese copy)."""
    values = review_values(context)
    reasons: list[str] = []
    for part in spec.parts:
        text = parts.get(part, "").strip()
        if not text:
            reasons.append(f"the {part} is empty")
            continue
        reasons += [f"{part}: {p}" for p in text_problems(text, context, values, generated)]
    language = _language_problem(parts, context.language) if generated else None
    if language:
        reasons.append(language)
    if reasons:
        return Review(dict(parts), {}, tuple(dict.fromkeys(reasons)))
    cut: list[str] = []
    fitted: dict[str, str] = {}
    for part in spec.parts:
        text = " ".join(parts[part].split()) if part != "body" else parts[part].strip()
        short = cut_to(text, spec.limits[part], values)
        if short != text:
            cut.append(part)
        if not short:
            reasons.append(f"the {part} is far too long: at most {spec.limits[part].chars}")
        fitted[part] = short
    if reasons:
        return Review(fitted, {}, tuple(reasons), cut=tuple(cut))
    try:
        filled = {p: fill(t, values) for p, t in fitted.items()}
    except SlotError as exc:
        return Review(fitted, {}, (str(exc),), cut=tuple(cut))
    facts = review_facts(context, values)
    found, claims = _checked(filled, facts)
    if context.shared and not found and any("name" in slots_in(t) for t in fitted.values()):
        nameless = {p: fill(t, {**values, "name": None}) for p, t in fitted.items()}
        found, _ = _checked(nameless, facts.model_copy(update={"recipient": None}))
    for part in spec.parts:
        if not spec.limits[part].fits(filled[part]):
            found.append(f"the {part} is longer than {spec.limits[part].chars} characters")
    return Review(fitted, filled, tuple(dict.fromkeys(found)), claims, tuple(cut))
