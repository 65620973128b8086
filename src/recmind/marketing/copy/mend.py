"""Mend a local model's answer before review, where the fix is certain and says nothing new:

* a multi-part answer that lacks exactly one short part (an email's button, one ad
  headline or description, a subject or a preheader) gets the template fallback's part;
  a missing body is never made up;
* a discount the model wrote as a number ("15% off", "save 15%") becomes the offer's
  ``{{discount}}`` slot when the offer has one (the only discount there is), so the value
  comes from the store.

Each mend is returned as a note; the copy is then recorded as edited (never as grounded at
the first attempt) and goes through the same review as any answer.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from recmind.marketing.copy.context import CopyContext
from recmind.marketing.copy.fallback import fallback_parts
from recmind.marketing.copy.kinds import KindSpec

NEVER_FILLED = frozenset({"body", "text"})
"""Parts a template never stands in for inside a generated answer."""
_DISCOUNT = re.compile(
    r"(?i)(?<![\w.])\d{1,2}(?:\.\d+)?\s?(?:%|percent)(?=\s?(?:off|discount)\b)"
    r"|(?<=save )\d{1,2}(?:\.\d+)?\s?(?:%|percent)"
    r"|(?<=save up to )\d{1,2}(?:\.\d+)?\s?(?:%|percent)"
)


def missing_part(
    found: Mapping[str, str], context: CopyContext, spec: KindSpec
) -> tuple[dict[str, str], str] | None:
    """``found`` with its one missing short part taken from the template, and the note;
    None when nothing or more than one part is missing, or the body is."""
    missing = [p for p in spec.parts if not found.get(p, "").strip()]
    if len(missing) != 1 or missing[0] in NEVER_FILLED:
        return None
    part = missing[0]
    filled = {**found, part: fallback_parts(context, spec)[part]}
    return filled, f"the {spec.labels[part]} line was missing: the template's was used"


def discount_slots(
    parts: Mapping[str, str], context: CopyContext
) -> tuple[dict[str, str], str] | None:
    """``parts`` with each written-out discount replaced by ``{{discount}}``, and the note;
    None when there is no offer discount or nothing to replace."""
    if context.language != "en" or context.slot_values().get("discount") is None:
        return None
    mended = {p: _DISCOUNT.sub("{{discount}}", t) for p, t in parts.items()}
    if mended == dict(parts):
        return None
    return mended, "a discount written as a number was replaced by the offer's"
