"""The conversation that asks the model for a rule.

The system turn explains the rule format, lists the fields with what they mean, the event
types, the shop's categories (all of them when there are few; otherwise the top-level ones,
and each request then carries the categories that may fit it) and the house conventions.
Worked examples from an imaginary shop follow as user/assistant turns; the request comes
last, so every request of a shop shares one prompt prefix (a local model keeps it cached).

Nothing here reads customers: the prompt is built from a :class:`Vocabulary` only.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any

from recmind.marketing.drafting.examples import EXAMPLE_SHOP, EXAMPLES
from recmind.marketing.drafting.vocabulary import FieldDoc, Vocabulary
from recmind.text.llm.protocol import ChatMessage

LIST_ALL_CATEGORIES = 60
"""Up to this many categories are all listed in the system turn."""

RULE_FORMAT = """\
Rule format (JSON):
{"all": [RULE, ...]}  every rule holds     {"any": [RULE, ...]}  at least one holds
{"not": RULE}  the rule does not hold
{"field": NAME, "op": OP, "value": V}  a customer field; OP is one of = != < <= > >=,
  "between" with V = [low, high], "in" / "not in" with V = a list, "is set" / "is not set"
{"event": EVENT, "measure": "exists"}  the customer had at least one such event
{"event": EVENT, "measure": "count" or "sum", "op": OP, "value": V}  how many such events, or
  the money of such purchases, compared with V
  EVENT = {"type": T, "category": C, "min_price": P, "max_price": P, "within_days": N}: only
  "type" is required; "within_days": N keeps events of the last N days (leave it out for
  "ever"); "category": C keeps items of that category or any category below it
{"funnel": {"did": EVENT, "then_not": EVENT, "within_hours": H}}  did the first event and
  not the second within H hours after it
{"segment": ID}  member of a saved segment        {"consent": "email"}  agreed to email"""

EVENT_WORDS = (
    "Event types: purchase (bought, ordered, 购买/下单), add_to_cart (put in the cart or basket, "
    "加入购物车), view (browsed, viewed, 浏览), click, rating, search."
)

CONVENTIONS = """\
Conventions:
- "has not bought in N days", "no purchase for N days", "N天没有购买":
  {"not": {"event": {"type": "purchase", "within_days": N}, "measure": "exists"}}
- Money spent in the last N days is an event "sum" with "within_days": N; money spent in
  total, overall, ever or lifetime (累计, 总共) is the field monetary_total, never an event.
- Leave "within_days" out when the request gives no time span ("ever", "has bought").
- Use "category" only when the request names a kind of product.
- The number of orders is order_count; how often something was bought in the last N days is
  an event "count".
- Percentages are fractions (30% -> 0.3); money is a plain number without currency.
- A range over bucketed attribute values is "in" with every bucket inside the range.
- One condition stands alone; use "all" to combine several and "any" for "or".
- Reply with the JSON rule only."""

_WINDOWED = re.compile(r"^(?P<stem>[a-z_]+)_(?P<days>\d+)d$")


def field_lines(fields: Sequence[FieldDoc]) -> list[str]:
    """One line per field (windowed counters such as ``views_7d`` folded into one line)."""
    lines: list[str] = []
    folded: dict[str, list[str]] = {}
    for doc in fields:
        match = _WINDOWED.match(doc.name)
        if match and doc.kind == "number":
            folded.setdefault(match["stem"], []).append(doc.name)
            continue
        if doc.kind == "time":
            continue
        text = f"- {doc.name} ({doc.kind})"
        if doc.description:
            text += f": {doc.description.rstrip('.')}"
        if doc.values:
            text += f"; values: {', '.join(doc.values)}"
        lines.append(text)
    for stem, names in folded.items():
        days = "/".join(_WINDOWED.match(n)["days"] for n in names)  # type: ignore[index]
        lines.append(f"- {', '.join(names)} (number): {stem} events in the last {days} days")
    return lines


def top_level(categories: Sequence[str]) -> list[str]:
    """The distinct first levels of ``/`` paths, in first-seen order."""
    seen: dict[str, None] = {}
    for name in categories:
        seen.setdefault(name.split("/", 1)[0], None)
    return list(seen)


def lists_every_category(vocabulary: Vocabulary) -> bool:
    return len(vocabulary.categories) <= LIST_ALL_CATEGORIES


def system_text(vocabulary: Vocabulary) -> str:
    """The system turn for this shop."""
    parts = [
        "You turn a marketer's request, in English or Chinese, into one customer segment "
        "rule. Name only the fields, categories and values listed here.",
        RULE_FORMAT,
        EVENT_WORDS,
        "Fields:\n" + "\n".join(field_lines(vocabulary.fields)),
    ]
    if vocabulary.categories:
        if lists_every_category(vocabulary):
            parts.append("Categories: " + "; ".join(vocabulary.categories))
        else:
            parts.append(
                "Top-level categories: "
                + "; ".join(top_level(vocabulary.categories))
                + "\nEach request lists the finer categories that may fit it."
            )
    if vocabulary.segments:
        parts.append("Saved segments: " + ", ".join(vocabulary.segments))
    if vocabulary.currency:
        parts.append(f"Money is in {vocabulary.currency}.")
    parts += list(vocabulary.notes)
    parts.append(CONVENTIONS)
    parts.append(f"The worked examples come from another shop, which sells {EXAMPLE_SHOP}.")
    return "\n\n".join(parts)


def user_text(request: str, candidates: Sequence[str] = ()) -> str:
    """A request turn, with the categories that may fit it when the shop has many."""
    text = f"Request: {request.strip()}"
    if candidates:
        text += "\nIf it names a kind of product, its category is among: " + "; ".join(candidates)
    return text


def compact(rule: Any) -> str:
    """A rule as the model should write it: one line, keys in the format's order."""
    return json.dumps(rule, ensure_ascii=False, separators=(", ", ": "))


def messages(
    vocabulary: Vocabulary, request: str, candidates: Sequence[str] = ()
) -> list[ChatMessage]:
    """System turn, worked examples, then the request."""
    turns = [ChatMessage("system", system_text(vocabulary))]
    example_categories = [] if lists_every_category(vocabulary) else _example_candidates()
    for text, rule in EXAMPLES:
        turns.append(ChatMessage("user", user_text(text, example_categories)))
        turns.append(ChatMessage("assistant", compact(rule)))
    turns.append(ChatMessage("user", user_text(request, candidates)))
    return turns


def _example_candidates() -> list[str]:
    return [c.strip() for c in EXAMPLE_SHOP.split(";", 1)[0].split(",")]


def prompt_text(turns: Sequence[ChatMessage]) -> str:
    """Every turn's text, for logs and for checking what was sent."""
    return "\n\n".join(f"[{t.role}]\n{t.content}" for t in turns)
