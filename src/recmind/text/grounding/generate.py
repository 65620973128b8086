"""Generate a text that passes the grounding check, or fall back to one built from the facts.

Each attempt is tidied (wrapping quotes, labels and markdown removed, cut to whole
sentences) and checked. A failed attempt is retried with a new seed and the violations fed
back ("you named X, which is not in the facts"); after ``max_attempts`` the fallback, a
template sentence made of the facts themselves, is returned instead. Nobody reads an
unchecked generated text.
"""

from __future__ import annotations

import logging
import re
import time
from collections import Counter
from dataclasses import dataclass, replace
from typing import Literal

from recmind.text.grounding.checker import Facts, GroundingChecker, GroundingReport, Violation
from recmind.text.grounding.matching import normalise
from recmind.text.llm.protocol import ChatMessage, GenerationError, GenerationRequest, Generator

logger = logging.getLogger(__name__)

ABBREVIATIONS = ("mr", "mrs", "ms", "dr", "st", "vs", "jr", "sr", "vol")
_OPEN_QUOTES = {'"': '"', "“": "”", "《": "》", "「": "」", "«": "»"}
_LABEL = re.compile(r"^\s*(?:sure[^\n]*?[:!.]\s*|here(?:'s| is)[^\n]*?:\s*)", re.IGNORECASE)
_FIELD = re.compile(r"^\s*(?:sentence|answer|portrait|explanation|reason)\s*:\s*", re.IGNORECASE)
_CJK_END = "。！？"
RETRY_TEMPERATURE = 0.7
"""At least this much sampling on a retry, so it does not repeat the rejected answer."""
RETRY_INSTRUCTION = (
    "Your answer was rejected: {problems}. Write it again. Name only the titles and tags "
    "listed above, exactly as written; no other names, numbers or details."
)


def split_sentences(text: str) -> list[str]:
    """Sentences of ``text``: a ``.``, ``!`` or ``?`` before a space (or the end) ends one,
    unless it is inside quotes or ends an abbreviation (``Dr.``); ``。！？`` always do."""
    sentences: list[str] = []
    start = 0
    closing: str | None = None
    for i, char in enumerate(text):
        if closing is not None:
            if char == closing:
                closing = None
            continue
        if char in _OPEN_QUOTES:
            closing = _OPEN_QUOTES[char]
            continue
        at_end = i + 1 == len(text) or text[i + 1].isspace()
        if char in _CJK_END or (char in ".!?" and at_end):
            word = re.findall(r"(\w+)$", text[start:i])
            if char == "." and word and word[0].lower() in ABBREVIATIONS:
                continue
            sentences.append(text[start : i + 1].strip())
            start = i + 1
    rest = text[start:].strip()
    if rest:
        sentences.append(rest)
    return [s for s in sentences if s]


def tidy(text: str, *, max_sentences: int | None = None, complete_only: bool = False) -> str:
    """A generated answer as a reader should see it: one paragraph, no preface ("Sure!
    Here is..."), no label, no markdown emphasis, no wrapping quotes, at most
    ``max_sentences`` sentences, and (``complete_only``) no trailing unfinished sentence."""
    text = text.replace("**", "").replace("__", "").strip()
    for _ in range(2):
        text = _LABEL.sub("", text, count=1)
    text = _FIELD.sub("", text, count=1)
    text = " ".join(text.split())
    if len(text) >= 2 and text[0] in _OPEN_QUOTES and text[-1] == _OPEN_QUOTES[text[0]]:
        inner = text[1:-1]
        if text[0] not in inner:
            text = inner.strip()
    sentences = split_sentences(text)
    if complete_only and len(sentences) > 1 and sentences[-1][-1] not in ".!?" + _CJK_END:
        sentences = sentences[:-1]
    if max_sentences is not None:
        sentences = sentences[:max_sentences]
    return "".join(s if s[-1] in _CJK_END else s + " " for s in sentences).strip()


def form_violations(text: str) -> list[Violation]:
    """What is wrong with the form of a tidied text: cut off mid-sentence, or a phrase of
    three or more words repeated three times (or one of two repeated four times)."""
    found = []
    stripped = text.rstrip("\"'”’)」》 ")
    if text.strip() and stripped[-1:] not in tuple(".!?" + _CJK_END):
        found.append(Violation("incomplete", text[-30:], "ends mid-sentence"))
    words = normalise(text).split()
    for size, limit in ((3, 3), (2, 4)):
        grams = Counter(tuple(words[i : i + size]) for i in range(len(words) - size + 1))
        repeated = [g for g, n in grams.items() if n >= limit]
        if repeated:
            phrase = " ".join(repeated[0])
            found.append(Violation("repetition", phrase, f"said {grams[repeated[0]]} times"))
            break
    return found


@dataclass(frozen=True)
class GroundedText:
    """What :func:`generate_grounded` returns.

    Attributes:
        text: The text to show: a checked generation, or the fallback.
        source: ``"llm"`` or ``"fallback"``.
        attempts: Generations tried.
        reports: The grounding verdict on each attempt, in order.
        seconds: Wall time of all attempts.
        tokens: Tokens generated over all attempts.
    """

    text: str
    source: Literal["llm", "fallback"]
    attempts: int
    reports: tuple[GroundingReport, ...]
    seconds: float
    tokens: int

    @property
    def first_ok(self) -> bool:
        """Whether the first generation passed (the pass rate before the filter)."""
        return bool(self.reports) and self.reports[0].ok


def _retry(
    request: GenerationRequest, answer: str, report: GroundingReport, attempt: int
) -> GenerationRequest:
    seed = (request.seed if request.seed is not None else 0) + 1000 * attempt
    turns = (
        *request.messages,
        ChatMessage("assistant", answer or "(nothing)"),
        ChatMessage("user", RETRY_INSTRUCTION.format(problems=report.feedback())),
    )
    return replace(
        request, messages=turns, seed=seed, temperature=max(request.temperature, RETRY_TEMPERATURE)
    )


def generate_grounded(
    generator: Generator,
    request: GenerationRequest,
    facts: Facts,
    *,
    fallback: str,
    checker: GroundingChecker | None = None,
    max_attempts: int = 3,
    max_sentences: int | None = None,
    feedback: bool = True,
) -> GroundedText:
    """Generate with ``request`` until the text passes ``checker`` against ``facts``.

    Args:
        generator: Any generator (local or remote).
        request: A chat request whose prompt states the facts.
        facts: What the text may name.
        fallback: Returned when no attempt passes (build it from the facts).
        checker: The checker (default: one without a vocabulary).
        max_attempts: Generations at most (>= 1).
        max_sentences: Cut each attempt to this many sentences.
        feedback: Tell the model what was wrong when retrying (else only the seed changes).
    """
    if max_attempts < 1:
        raise ValueError(f"max_attempts must be >= 1, got {max_attempts}")
    if not request.messages:
        raise ValueError("generate_grounded needs a chat request")
    checker = checker or GroundingChecker()
    reports: list[GroundingReport] = []
    tokens = 0
    start = time.perf_counter()
    current = request
    for attempt in range(max_attempts):
        try:
            result = generator.generate(current)
        except GenerationError as exc:
            logger.warning("generation failed (attempt %d): %s", attempt + 1, exc)
            reports.append(GroundingReport((Violation("empty", "", str(exc)),)))
            break
        tokens += result.tokens
        text = tidy(
            result.text, max_sentences=max_sentences, complete_only=result.finish_reason != "stop"
        )
        report = checker.check(text, facts)
        form = form_violations(text) if text.strip() else []
        if form:
            report = replace(report, violations=(*report.violations, *form))
        reports.append(report)
        if report.ok:
            elapsed = time.perf_counter() - start
            return GroundedText(text, "llm", attempt + 1, tuple(reports), elapsed, tokens)
        logger.debug("attempt %d rejected: %s", attempt + 1, report.feedback())
        if feedback:
            current = _retry(request, text, report, attempt + 1)
        else:
            seed = (request.seed if request.seed is not None else 0) + 1000 * (attempt + 1)
            current = replace(
                request, seed=seed, temperature=max(request.temperature, RETRY_TEMPERATURE)
            )
    fallback_report = checker.check(fallback, facts)
    if not fallback_report.ok:
        logger.warning("the fallback text is not grounded: %s", fallback_report.feedback())
    elapsed = time.perf_counter() - start
    return GroundedText(fallback, "fallback", len(reports), tuple(reports), elapsed, tokens)
