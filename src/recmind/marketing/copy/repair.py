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
from recmind.marketing.copy.review import FIRST_PERSON, LEAKS, PROBE_NAME, copies_example
from recmind.marketing.copy.slots import SlotError, fill, problems, without_slots
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
    if problems(sentence, values, context.quoted_attributes()):
        return True
    own = without_slots(sentence)
    if LEAKS.search(own) or context.brand.avoided_in(sentence) or FIRST_PERSON.search(own):
        return True
    if copies_example(sentence, list(context.brand.examples)):
        return True
    try:
        filled = fill(sentence, values)
    except SlotError:
        return True
    return not check(filled, facts).ok


def repair(parts: Mapping[str, str], context: CopyContext, spec: KindSpec) -> dict[str, str] | None:
    """``parts`` without their faulty sentences, or None when nothing could be dropped
    (no faulty sentence found on its own, or a part would lose too much)."""
    values = context.slot_values()
    facts = context.facts()
    if context.shared:
        values.setdefault("name", None)
        values["name"] = values["name"] or PROBE_NAME
        facts = facts.model_copy(update={"recipient": values["name"]})
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
