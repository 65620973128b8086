"""What one piece of copy is written from: the items' facts, the person, the offer, the
brand, and the slot values and checker facts that follow from them.

A :class:`CopyContext` is the single source of three things that must agree: what the
prompt shows the model (:meth:`CopyContext.prompt_data`: words only, slots for every
value), what the slots are filled with (:meth:`CopyContext.slot_values`, from the store),
and what the claim checker accepts (:meth:`CopyContext.facts`).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import orjson

from recmind.marketing.content.facts import format_money
from recmind.marketing.copy.brand import BrandProfile, Language
from recmind.marketing.copy.kinds import CopyKind
from recmind.marketing.copy.options import Offer
from recmind.marketing.copy.slots import slot_name
from recmind.text.claims import Facts

LANGUAGE_NAMES = {"en": "English", "zh": "Simplified Chinese"}
MAX_PROMPT_ITEMS = 4
MAX_SNIPPETS = 3
SNIPPET_CHARS = 160


@dataclass(frozen=True)
class CopyItem:
    """One item's facts, as stored."""

    item_id: str
    title: str
    price: float | None = None
    old_price: float | None = None
    stock: int | None = None
    category: str | None = None
    attributes: dict[str, list[str]] = field(default_factory=dict)
    sentiment: dict[str, Any] | None = None
    snippets: tuple[str, ...] = ()
    bestseller_rank: int | None = None


@dataclass(frozen=True)
class PersonContext:
    """The person a text is for (None in a variant written for a whole segment)."""

    user_id: str
    first_name: str | None = None
    language: Language = "en"
    tags: tuple[str, ...] = ()
    portrait: str | None = None


@dataclass(frozen=True)
class ReviewContext:
    """The review a reply answers."""

    text: str
    rating: float | None = None


@dataclass(frozen=True)
class CopyContext:
    """Everything one generation is written from (see the module's docstring).

    Attributes:
        kind: What to write.
        language: The language to write in.
        brand: The shop's voice and policies.
        currency: How prices are shown.
        items: The items, best first (variants: the probe person's, never shown).
        person: The person, or None.
        offer: The offer, or None.
        review: The review to answer (``review-reply``).
        audience: Who a variant is for, in words (a segment's description).
        angle: What a variant leads with (makes variants differ).
        item_slots: Items whose slots the text may use (variants: 1).
        shared: A variant for many people: the prompt shows no item's facts, only slots.
        now: The moment of writing (relative dates need it).
    """

    kind: CopyKind
    language: Language
    brand: BrandProfile
    currency: str
    now: datetime
    items: tuple[CopyItem, ...] = ()
    person: PersonContext | None = None
    offer: Offer | None = None
    review: ReviewContext | None = None
    audience: str | None = None
    angle: str | None = None
    item_slots: int = MAX_PROMPT_ITEMS
    shared: bool = False

    @property
    def slot_items(self) -> tuple[CopyItem, ...]:
        return self.items[: self.item_slots]

    def slot_values(self) -> dict[str, str | None]:
        """Every slot this text may use and its value (None: the slot exists, no value)."""
        values: dict[str, str | None] = {
            "name": self.person.first_name if self.person else None,
            "brand": self.brand.name,
        }
        offer = self.offer
        if offer is not None and offer.discount_percent is not None:
            values["discount"] = f"{offer.discount_percent:g}%"
        if offer is not None and offer.code:
            values["code"] = offer.code
        if offer is not None and offer.ends is not None:
            values["ends"] = _day(offer.ends, self.language, self.now)
        values.update(_policy_slots(self.brand.policies, self.language, self.currency))
        for index, item in enumerate(self.slot_items, start=1):
            values[f"title:item{index}"] = item.title
            if item.price is not None:
                values[f"price:item{index}"] = format_money(item.price, self.currency)
            if item.old_price is not None:
                values[f"old_price:item{index}"] = format_money(item.old_price, self.currency)
        return values

    def quoted_attributes(self) -> list[str]:
        """Attribute texts the model is shown (numbers in them may be repeated)."""
        if self.shared:
            return []
        return [v for item in self.slot_items for vs in item.attributes.values() for v in vs]

    def facts(self) -> Facts:
        """What the claim checker accepts for this text."""
        offer = self.offer
        items: list[dict[str, Any]] = []
        for item in self.items:
            sentiment = item.sentiment or {}
            if self.shared:  # words that hold for anyone's item: only its slot facts
                items.append(
                    {
                        "item_id": item.item_id,
                        "title": item.title,
                        "price": item.price,
                        "currency": self.currency,
                        "old_price": item.old_price,
                    }
                )
                continue
            items.append(
                {
                    "item_id": item.item_id,
                    "title": item.title,
                    "price": item.price,
                    "currency": self.currency,
                    "stock": item.stock,
                    "old_price": item.old_price,
                    "attributes": {
                        k: v if len(v) > 1 else v[0] for k, v in item.attributes.items()
                    },
                    "tags": [item.category] if item.category else [],
                    "bestseller_rank": item.bestseller_rank,
                    "average_rating": sentiment.get("mean_rating"),
                    "rating_count": sentiment.get("rated"),
                    "positive_count": sentiment.get("positive"),
                    "review_sentiment": sentiment.get("positive_share"),
                }
            )
        return Facts.model_validate(
            {
                "items": items,
                "offer": None
                if offer is None or offer.empty()
                else {
                    "discount_percent": offer.discount_percent,
                    "code": offer.code,
                    "ends": offer.ends,
                    "name": offer.name,
                },
                "policies": dict(self.brand.policies),
                "brand": self.brand.name,
                "recipient": self.person.first_name if self.person else None,
                "terms": list(self.person.tags) if self.person else [],
                "history": self._history(),
                "now": self.now,
            }
        )

    def digest(self) -> str:
        """A sha256 of everything the copy depends on (the same digest: the same copy)."""
        payload = {
            "prompt": self.prompt_data(),
            "slots": self.slot_values(),
            "facts": self.facts().model_dump(mode="json", exclude={"now"}),
            "day": self.now.date().isoformat(),  # the same request later today: the same copy
        }
        return hashlib.sha256(orjson.dumps(payload, option=orjson.OPT_SORT_KEYS)).hexdigest()

    def _history(self) -> list[dict[str, Any]]:
        """A reviewed item is in its reviewer's history, with their rating."""
        if self.review is None or not self.items:
            return []
        item = self.items[0]
        return [
            {
                "title": item.title,
                "item_id": item.item_id,
                "rating": self.review.rating,
                "event": "review",
                "recent": True,
            }
        ]

    def prompt_data(self) -> dict[str, Any]:
        """What the prompt template shows: words, and slots for every value."""
        values = self.slot_values()
        slots = [
            {"slot": "{{" + key + "}}", "means": _meaning(key, self.shared)}
            for key, value in values.items()
            if value is not None or key == "name"
        ]
        items = []
        for index, item in enumerate(self.slot_items, start=1):
            items.append(
                {
                    "label": f"item{index}",
                    "title": None if self.shared else item.title,
                    "title_slot": slot_name("title", index),
                    "price_slot": slot_name("price", index) if item.price is not None else None,
                    "category": None if self.shared else item.category,
                    "attributes": {} if self.shared else item.attributes,
                    "reviews": _reviews(item) if not self.shared else None,
                    "snippets": [] if self.shared else [_snippet(s) for s in item.snippets],
                    "low_stock": False,
                }
            )
        person = self.person
        return {
            "kind": self.kind,
            "language": LANGUAGE_NAMES[self.language],
            "lang": self.language,
            "brand": {
                "tone": self.brand.tone,
                "avoid": self.brand.avoid,
                "examples": self.brand.examples,
                "policies": _policies(self.brand.policies),
            },
            "slots": slots,
            "items": items,
            "shared": self.shared,
            "person": None
            if person is None or self.shared
            else {"tags": list(person.tags), "portrait": person.portrait},
            "audience": self.audience,
            "offer": None if self.offer is None or self.offer.empty() else self._offer_words(),
            "review": None if self.review is None else {"text": _snippet(self.review.text, 600)},
            "review_rating": None if self.review is None else self.review.rating,
            "angle": self.angle,
        }

    def _offer_words(self) -> str:
        offer = self.offer
        assert offer is not None
        words = []
        if offer.name:
            words.append(offer.name)
        if offer.discount_percent is not None:
            words.append("a discount of {{discount}}")
        if offer.code:
            words.append("with the code {{code}}")
        if offer.ends is not None:
            words.append("until {{ends}}")
        return " ".join(words)


_MEANINGS = {
    "name": "the customer's first name (may be empty: the text must read well without it)",
    "brand": "the shop's name",
    "discount": "the discount, as a percentage",
    "code": "the discount code",
    "ends": "the offer's last day",
    "free_shipping": "the shop's free-shipping promise, a whole phrase",
    "returns": "the shop's returns promise, a whole phrase",
}


def _meaning(key: str, shared: bool) -> str:
    if key in _MEANINGS:
        return _MEANINGS[key]
    what, item = key.split(":")
    person = "this person's recommended " if shared else ""
    return {
        "title": f"the name of {person}{item}",
        "price": f"the price of {item}",
        "old_price": f"the price of {item} before its reduction",
    }[what]


def _reviews(item: CopyItem) -> str | None:
    sentiment = item.sentiment
    if not sentiment or not sentiment.get("reviews"):
        return None
    share = float(sentiment.get("positive_share") or 0.0)
    if share >= 0.8:
        return "reviewers are mostly positive"
    if share >= 0.5:
        return "reviews are mixed, more positive than negative"
    return "reviews are mixed"


def _snippet(text: str, limit: int = SNIPPET_CHARS) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"


def _policies(policies: dict[str, Any]) -> list[str]:
    """Yes/no promises in words (the numeric ones are slots)."""
    return [re.sub(r"_", " ", k) for k, v in policies.items() if v is True and k not in _SLOTTED]


_SLOTTED = {"free_shipping_over", "returns_days"}


def _policy_slots(policies: dict[str, Any], language: Language, currency: str) -> dict[str, str]:
    """Whole-phrase slots of the numeric promises: ``{{free_shipping}}``, ``{{returns}}``."""
    out: dict[str, str] = {}
    over = policies.get("free_shipping_over")
    if isinstance(over, int | float) and not isinstance(over, bool):
        amount = format_money(float(over), currency)
        if language == "zh":
            out["free_shipping"] = "全场包邮" if over <= 0 else f"满{amount}包邮"
        else:
            out["free_shipping"] = (
                "free shipping" if over <= 0 else f"free shipping on orders over {amount}"
            )
    days = policies.get("returns_days")
    if isinstance(days, int | float) and not isinstance(days, bool) and days > 0:
        out["returns"] = f"{days:g}天内可退货" if language == "zh" else f"{days:g}-day returns"
    return out


def _day(value: date, language: Language, now: datetime) -> str:
    if language == "zh":
        prefix = f"{value.year}年" if value.year != now.year else ""
        return f"{prefix}{value.month}月{value.day}日"
    text = f"{value:%B} {value.day}"
    return text if value.year == now.year else f"{text}, {value.year}"
