"""Write one piece of copy: generate, review, regenerate once with the reasons, else fall
back to the template; nothing leaves here unchecked.

1. The prompt template of the kind is rendered from the context (words and slots only) and
   the model answers under the kind's bounds (``max_tokens``, ``timeout_s``, a seed;
   multi-part kinds as labelled lines from the local model, as JSON under the kind's schema
   from other backends). Requests are cached by the generation cache.
2. :func:`~recmind.marketing.copy.review.review` checks the answer's slots, avoided words,
   language and length (cutting at a word boundary, never inside a slot), fills the slots
   from the store and runs the claim checker on the filled text.
   Certain fixes come first (:mod:`.mend`): one missing short part from the template, a
   discount written as a number made the offer's slot; such copy is recorded as edited.
3. A rejected answer whose faults sit in sentences that can be cut out is edited
   (:mod:`.repair`) and reviewed in full again; recorded in ``edited``, and not counted as
   grounded at the first attempt.
4. Otherwise a rejected answer is sent back once with the reasons; when the second is rejected too,
   the kind's fallback template (:mod:`.fallback`) is reviewed the same way and used,
   recorded as ``fallback``. A context whose fallback fails the checker too (a fact the
   template itself would misstate) gives ``source="rejected"``: the caller must not send.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from recmind.marketing.copy.context import CopyContext
from recmind.marketing.copy.fallback import fallback_parts
from recmind.marketing.copy.kinds import KindSpec, kind_spec
from recmind.marketing.copy.mend import discount_slots, missing_part
from recmind.marketing.copy.repair import repair
from recmind.marketing.copy.review import Review, review
from recmind.text.claims import Claim
from recmind.text.llm.local import LocalGGUFGenerator
from recmind.text.llm.prompts import PromptLibrary
from recmind.text.llm.protocol import (
    ChatMessage,
    GenerationError,
    GenerationRequest,
    GenerationResult,
    Generator,
)

logger = logging.getLogger(__name__)

PROMPTS_DIR = Path(__file__).parent / "prompts"
Source = Literal["llm", "fallback", "rejected"]
_LABEL = re.compile(
    r"^\s*(?:subject|sms|text|push|slogan|reply|description|标语|短信)\s*[:：]\s*", re.I
)
_QUOTES = "\"'“”「」『』"
_EMOJI = re.compile("[\U0001f000-\U0001faff\u2600-\u27bf\ufe0f\u200d]")


def _clean(text: str) -> str:
    """A generated part without emoji and quotes around it, its spaces collapsed."""
    return " ".join(_EMOJI.sub("", text).split()).strip(_QUOTES).strip()


_prompts: PromptLibrary | None = None


def copy_prompts() -> PromptLibrary:
    """The copy prompt templates (``marketing/copy/prompts``), then the bundled ones."""
    global _prompts  # noqa: PLW0603
    if _prompts is None:
        _prompts = PromptLibrary([PROMPTS_DIR])
    return _prompts


@dataclass(frozen=True)
class CopyResult:
    """One piece of copy and how it came to be.

    Attributes:
        kind: What it is.
        language: Its language.
        source: ``llm`` (a generation passed), ``fallback`` (the template passed) or
            ``rejected`` (nothing passed: not to be sent).
        parts: The text of each part as a reader sees it (slots filled).
        template: The same with its slots (what variants keep and fill per person).
        attempts: Generations made (0 when none could run).
        rejected: Why each rejected generation was rejected, in order.
        claims: The claims the checker found in the final text (all supported).
        cut: Parts cut to their length limit.
        seconds: Wall time of the generations.
        llm_calls: Generations that ran the model (cache hits not counted).
        model: The model asked.
        reasons: Why the final text could not go out (``rejected`` only).
        edited: Why sentences were cut out of the generation that was sent (empty: it
            went out as written; see :mod:`.repair`).
    """

    kind: str
    language: str
    source: Source
    parts: dict[str, str]
    template: dict[str, str]
    attempts: int
    rejected: tuple[tuple[str, ...], ...] = ()
    claims: tuple[Claim, ...] = ()
    cut: tuple[str, ...] = ()
    seconds: float = 0.0
    llm_calls: int = 0
    model: str = ""
    reasons: tuple[str, ...] = field(default=())
    edited: tuple[str, ...] = field(default=())

    @property
    def first_attempt_grounded(self) -> bool:
        """The first generation passed every check as written (no sentence cut out)."""
        return self.source == "llm" and self.attempts == 1 and not self.edited

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "language": self.language,
            "source": self.source,
            "parts": self.parts,
            "template": self.template,
            "attempts": self.attempts,
            "rejected": [list(r) for r in self.rejected],
            "claims": [c.to_dict() for c in self.claims],
            "cut": list(self.cut),
            "seconds": round(self.seconds, 3),
            "llm_calls": self.llm_calls,
            "model": self.model,
            "reasons": list(self.reasons),
            "edited": list(self.edited),
        }


def _plain(text: str, finish: str, spec: KindSpec) -> tuple[dict[str, str], str | None]:
    text = _LABEL.sub("", text.strip())
    text = text.strip().strip(_QUOTES).strip()
    lines = text.splitlines() or [""]
    text = _clean(lines[0] if spec.kind == "slogan" else text)
    if finish == "length":
        ends = [m.end() for m in re.finditer(r"[.!?。！？](?=\s|$)", text)]
        if not ends:
            return {}, "the text was cut off: write a shorter one"
        text = text[: ends[-1]]
    return {"text": text}, None


def _json(text: str, spec: KindSpec) -> tuple[dict[str, str], str | None]:
    try:
        data = json.loads(text)
    except ValueError as exc:
        return {}, f"the answer is not JSON ({exc})"
    if not isinstance(data, dict):
        return {}, "answer with one JSON object"
    missing = [p for p in spec.parts if not isinstance(data.get(p), str)]
    if missing:
        return {}, f"the answer lacks {', '.join(missing)}"
    return {p: str(data[p]) for p in spec.parts}, None


def labelled(text: str, spec: KindSpec) -> dict[str, str]:
    """The parts of a labelled answer (``Subject: ...``; a part may go on over the next
    lines until the next label), each cleaned; a part not found is empty."""
    by_label = {label.lower(): part for part, label in spec.labels.items()}
    found: dict[str, list[str]] = {}
    current: str | None = None
    for line in text.splitlines():
        label, sep, value = line.partition(":")
        part = by_label.get(label.strip().strip("*#").strip().lower()) if sep else None
        if part is not None and part not in found:
            current = part
            found[part] = [value.strip()]
        elif current is not None and line.strip():
            found[current].append(line.strip())
    parts = {p: " ".join(v for v in found.get(p, []) if v) for p in spec.parts}
    return {p: _clean(t) for p, t in parts.items()}


def _lines(text: str, spec: KindSpec) -> tuple[dict[str, str], str | None]:
    parts = labelled(text, spec)
    missing = [spec.labels[p] for p in spec.parts if not parts[p]]
    if missing:
        wanted = ", ".join(f"{label}:" for label in spec.labels.values())
        return {}, f"the answer lacks {', '.join(missing)} (one line each: {wanted})"
    return parts, None


def _parts(text: str, finish: str, spec: KindSpec) -> tuple[dict[str, str], str | None]:
    if finish != "stop":
        return {}, "the answer was cut off before every part was written: write shorter texts"
    text = text.strip()
    return _json(text, spec) if text.startswith("{") else _lines(text, spec)


def parse(result: GenerationResult, spec: KindSpec) -> tuple[dict[str, str], str | None]:
    """The parts of a generation, or why it cannot be read."""
    if result.finish_reason == "timeout":
        return {}, "the generation timed out"
    if spec.json:
        return _parts(result.text, result.finish_reason, spec)
    return _plain(result.text, result.finish_reason, spec)


def is_local(generator: Generator) -> bool:
    """Whether ``generator`` is the local backend (possibly behind the cache): it answers
    multi-part kinds as labelled lines; other backends are asked for a JSON schema."""
    seen: Generator | None = generator
    for _ in range(5):
        if isinstance(seen, LocalGGUFGenerator):
            return True
        seen = getattr(seen, "inner", None)
    return False


def _retry_turn(reasons: tuple[str, ...], spec: KindSpec, lines: bool) -> str:
    listed = "; ".join(reasons[:6])
    shape = "the text only"
    if spec.json:
        shape = "the same labelled lines" if lines else "the same JSON object"
    return (
        f"That answer was rejected: {listed}. Write it again as {shape}: state only the "
        "facts given and write every value as its slot."
    )


def prompt_messages(
    context: CopyContext,
    spec: KindSpec,
    *,
    lines: bool = True,
    prompts: PromptLibrary | None = None,
) -> tuple[ChatMessage, ...]:
    """The chat the model is sent for ``context`` (``lines``: multi-part answers as
    labelled lines, else as JSON)."""
    data = {**context.prompt_data(), "labels": list(spec.labels.values()), "lines": lines}
    return (prompts or copy_prompts()).messages(spec.template, **data)


def write_copy(
    context: CopyContext,
    generator: Generator | None,
    *,
    push_max_chars: int = 160,
    seed: int | None = None,
    timeout_s: float | None = 120.0,
    max_attempts: int = 2,
    temperature: float = 0.4,
    prompts: PromptLibrary | None = None,
) -> CopyResult:
    """Write the copy ``context`` asks for (see the module's docstring).

    ``generator`` None: the fallback template only (no model available or wanted).
    """
    spec = kind_spec(context.kind, push_max_chars=push_max_chars)
    if spec.needs_items and not context.items:
        raise ValueError(f"{context.kind} copy needs an item")
    lines = generator is not None and is_local(generator)
    turns = list(prompt_messages(context, spec, lines=lines, prompts=prompts))
    rejected: list[tuple[str, ...]] = []
    seconds, calls, attempts, model = 0.0, 0, 0, ""
    base_seed = seed if seed is not None else (generator.default_seed if generator else 0)
    for attempt in range(max_attempts if generator is not None else 0):
        request = GenerationRequest(
            messages=tuple(turns),
            max_tokens=spec.max_tokens,
            temperature=temperature,
            seed=base_seed + attempt,
            timeout_s=timeout_s,
            json_schema=None if lines else spec.schema(),
            stop=() if spec.json else ("\n\n",),
        )
        try:
            result = generator.generate(request)  # type: ignore[union-attr]
        except GenerationError as exc:
            logger.warning("copy generation failed: %s", exc)
            rejected.append((f"the model failed: {exc}",))
            break
        attempts += 1
        seconds += result.seconds
        calls += 0 if result.cached else 1
        model = result.model
        parts, problem = parse(result, spec)
        notes: list[str] = []
        if problem is not None and lines and spec.json and result.finish_reason == "stop":
            mended = missing_part(labelled(result.text, spec), context, spec)
            if mended is not None:
                (parts, note), problem = mended, None
                notes.append(note)
        if problem is None:
            slotted = discount_slots(parts, context)
            if slotted is not None:
                parts, note = slotted
                notes.append(note)
        verdict = review(parts, context, spec) if problem is None else None
        if verdict is not None and verdict.ok and notes:
            return _result(
                context,
                "llm",
                verdict,
                attempts=attempts,
                rejected=rejected,
                spent=(seconds, calls, model),
                edited=tuple(notes),
            )
        if verdict is not None and verdict.ok:
            return _result(
                context,
                "llm",
                verdict,
                attempts=attempts,
                rejected=rejected,
                spent=(seconds, calls, model),
            )
        reasons = (problem,) if problem is not None else verdict.reasons  # type: ignore[union-attr]
        edited = _edited(verdict, context, spec) if verdict is not None else None
        if edited is not None:
            return _result(
                context,
                "llm",
                edited,
                attempts=attempts,
                rejected=rejected,
                spent=(seconds, calls, model),
                edited=tuple(notes) + reasons,
            )
        rejected.append(reasons)
        logger.info("copy attempt %d rejected: %s", attempt + 1, "; ".join(reasons))
        if result.finish_reason == "timeout":
            break
        turns += [
            ChatMessage("assistant", result.text),
            ChatMessage("user", _retry_turn(reasons, spec, lines)),
        ]
    fallback = review(fallback_parts(context, spec), context, spec, generated=False)
    source: Source = "fallback" if fallback.ok else "rejected"
    return _result(
        context,
        source,
        fallback,
        attempts=attempts,
        rejected=rejected,
        spent=(seconds, calls, model),
    )


def _edited(verdict: Review, context: CopyContext, spec: KindSpec) -> Review | None:
    """The rejected draft with its faulty sentences cut out, when that passes review."""
    shorter = repair(verdict.parts, context, spec)
    if shorter is None:
        return None
    again = review(shorter, context, spec)
    return again if again.ok else None


def _result(
    context: CopyContext,
    source: Source,
    verdict: Review,
    *,
    attempts: int,
    rejected: list[tuple[str, ...]],
    spent: tuple[float, int, str],
    edited: tuple[str, ...] = (),
) -> CopyResult:
    seconds, calls, model = spent
    return CopyResult(
        kind=context.kind,
        language=context.language,
        source=source,
        parts=verdict.filled if verdict.ok else {},
        template=verdict.parts,
        attempts=attempts,
        rejected=tuple(rejected),
        claims=verdict.claims,
        cut=verdict.cut,
        seconds=seconds,
        llm_calls=calls,
        model=model,
        reasons=verdict.reasons,
        edited=edited,
    )
