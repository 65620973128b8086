"""Edit a rejected draft instead of throwing it away: drop the sentences that carry its
problems (an unsupported claim, a number outside a slot, a prompt leak, an avoided word,
one person's voice, words copied from the brand's examples),
keep the rest, and let :func:`~recmind.marketing.copy.review.review` judge the result.

A part is edited only when it has several sentences and keeps at least one of them and
:data:`MIN_KEPT_SHARE` of its characters; a part of one sentence (a subject, a headline,
most push texts) cannot be edited and the draft stays rejected. Removing a sentence never
adds a claim, and the edited draft is reviewed in full again (claims, slots, language,
lengths), so an edit cannot let through what the whole-text check would refuse.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from recmind.marketing.copy.context import CopyContext
from recmind.marketing.copy.kinds import KindSpec
from recmind.marketing.copy.review import review_facts, review_values, text_problems
from recmind.marketing.copy.slots import SlotError, fill
from recmind.text.claims import Facts, check

MIN_KEPT_SHARE = 0.4
"""An edited part keeps at least this share of its characters (else the draft is not
worth keeping and is regenerated or replaced by the template)."""
_SENTENCE_END = re.compile(r"(?<=[.!?。！？])\s*(?=\S)")


def sentences(text: str) -> list[str]:
    """``text`` split after each sentence's closing mark (English and Chinese)."""
    return [s for s in (p.strip() for p in _SENTENCE_END.split(text)) if s]


def _faulty(
    sentence: str, context: CopyContext, values: Mapping[str, str | None], facts: Facts
) -> bool:
    if text_problems(sentence, context, values):
        return True
    try:
        filled = fill(sentence, values)
    except SlotError:
        return True
    return not check(filled, facts).ok


def repair(parts: Mapping[str, str], context: CopyContext, spec: KindSpec) -> dict[str, str] | None:
    """``parts`` without their faulty sentences, or None when nothing could be dropped
    (no faulty sentence found on its own, or a part would lose too much)."""
    values = review_values(context)
    facts = review_facts(context, values)
    edited: dict[str, str] = {}
    changed = False
    for part in spec.parts:
        text = parts.get(part, "").strip()
        pieces = sentences(text)
        kept = [s for s in pieces if not _faulty(s, context, values, facts)]
        if len(kept) == len(pieces):
            edited[part] = text
            continue
        joiner = "" if context.language == "zh" else " "
        shorter = joiner.join(kept)
        if not kept or len(shorter) < MIN_KEPT_SHARE * len(text):
            return None
        edited[part] = shorter
        changed = True
    return edited if changed else None
