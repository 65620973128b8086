"""Slots: the facts a generated text may hold, filled from the store after generation.

The model never sees a price, a discount, a code, a date or the person's name: the prompt
names them as slots and the model writes the slot where the value goes::

    "Hi {{name}}, {{title:item1}} is {{price:item1}} this week with {{code}}."

:func:`slots_in` finds them, :func:`problems` says what is wrong with a text's slots (an
unknown slot, a slot without a value here, a stray brace, a number written outside a slot),
and :func:`fill` puts the store's values in. A person without a known first name loses
``{{name}}`` with the words that only frame it ("Hi {{name}}," -> "Hi,").
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

SLOT = re.compile(r"\{\{\s*([a-z_]+)(?::\s*(item[1-9]))?\s*\}\}")
"""``{{kind}}`` or ``{{kind:itemN}}``."""
NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_FULLWIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")


def slot_name(kind: str, item: int | None = None) -> str:
    """The slot as written in a text: ``{{price:item1}}`` for ``("price", 1)``."""
    return f"{{{{{kind}}}}}" if item is None else f"{{{{{kind}:item{item}}}}}"


def _key(match: re.Match[str]) -> str:
    kind, item = match.group(1), match.group(2)
    return kind if item is None else f"{kind}:{item}"


def slots_in(text: str) -> list[str]:
    """The slots of ``text`` as keys (``price:item1``, ``name``), in order."""
    return [_key(m) for m in SLOT.finditer(text)]


def without_slots(text: str) -> str:
    """``text`` with every slot removed (what the model wrote itself)."""
    return SLOT.sub(" ", text)


def numbers_outside(text: str, allowed: Iterable[str] = ()) -> list[str]:
    """Numbers the model wrote outside slots, except those in ``allowed`` texts (an
    attribute the facts give, like "100% merino wool")."""
    own = without_slots(text).translate(_FULLWIDTH_DIGITS)
    permitted = {n for a in allowed for n in NUMBER.findall(a.translate(_FULLWIDTH_DIGITS))}
    return [n for n in NUMBER.findall(own) if n not in permitted]


def problems(text: str, values: Mapping[str, str | None], allowed: Iterable[str] = ()) -> list[str]:
    """What is wrong with the slots of ``text`` given the slot values here (empty: nothing).

    ``values`` maps every slot key the text may use to its value (None: the slot exists
    but has no value for this text, e.g. no first name).
    """
    found: list[str] = []
    for key in dict.fromkeys(slots_in(text)):
        if key not in values:
            known = ", ".join("{{" + k + "}}" for k in values)
            found.append(f"the slot {{{{{key}}}}} does not exist here (use only: {known})")
    rest = SLOT.sub("", text)
    if "{" in rest or "}" in rest:
        found.append("write slots exactly as given, e.g. {{name}}; no other braces")
    numbers = numbers_outside(text, allowed)
    if numbers:
        shown = ", ".join(dict.fromkeys(numbers))
        found.append(
            f"numbers written outside slots ({shown}): prices, discounts, codes and dates "
            "are slots such as {{price:item1}}, {{discount}}, {{code}}, {{ends}}"
        )
    return found


_NAME_FRAMES = (
    # (pattern around the slot, replacement) applied in order, English then Chinese
    (re.compile(r"(?i)\b(hi|hello|hey|dear)\s+\{\{\s*name\s*\}\}"), r"\1"),
    (re.compile(r"^\s*\{\{\s*name\s*\}\}\s*[,:!]\s*(\w)"), None),
    (re.compile(r",\s*\{\{\s*name\s*\}\}(?=[\s.!?,]|$)"), ""),
    (re.compile(r"亲爱的\s*\{\{\s*name\s*\}\}"), "亲爱的顾客"),
    (re.compile(r"\{\{\s*name\s*\}\}\s*[，,]\s*"), ""),
)


def drop_name(text: str) -> str:
    """``text`` without the ``{{name}}`` slot and the words that only frame it."""
    for pattern, replacement in _NAME_FRAMES:
        if replacement is None:
            text = pattern.sub(lambda m: m.group(1).upper(), text)
        else:
            text = pattern.sub(replacement, text)
    text = SLOT.sub(lambda m: "" if m.group(1) == "name" else m.group(0), text)
    return re.sub(r"[ \t]{2,}", " ", re.sub(r"\s+([,.!?])", r"\1", text)).strip()


class SlotError(ValueError):
    """A slot without a value."""


def fill(text: str, values: Mapping[str, str | None]) -> str:
    """``text`` with every slot replaced by its value; ``{{name}}`` without a value is
    dropped with its frame (see :func:`drop_name`).

    Raises:
        SlotError: A slot other than ``name`` has no value.
    """
    if "name" in set(slots_in(text)) and not values.get("name"):
        text = drop_name(text)

    def value(match: re.Match[str]) -> str:
        key = _key(match)
        found = values.get(key)
        if not found:
            raise SlotError(f"the slot {{{{{key}}}}} has no value here")
        return found

    return SLOT.sub(value, text)


def filled_length(text: str, values: Mapping[str, str | None]) -> int:
    """The length ``text`` will have once filled (0 for a slot without a value)."""
    return len(SLOT.sub(lambda m: values.get(_key(m)) or "", text))
