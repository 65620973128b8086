"""The facts a text is checked against: what the shop knows and gave the writer.

The core is the facts file of ``recmind copy check`` (items, offer, policies, brand); the
rest is optional support that some claims need: popularity and ratings for superlatives,
tags for similarity, the person's own history for "you recently enjoyed", the current time
for "ends tonight". A claim whose support is absent is unsupported: absence of a fact is
never read as permission.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

_DATE_ONLY = re.compile(r"^\s*\d{4}-\d{1,2}-\d{1,2}\s*$")


def _when(value: Any) -> Any:
    """A date string without a time stays a date (``ends: "2025-05-12"`` is the whole day)."""
    if isinstance(value, str) and _DATE_ONLY.match(value):
        return date.fromisoformat("-".join(p.zfill(2) for p in value.strip().split("-")))
    return value


def _moment(value: Any) -> Any:
    """A date as the start of its day."""
    value = _when(value)
    if isinstance(value, date) and not isinstance(value, datetime):
        return datetime.combine(value, datetime.min.time())
    return value


class ItemFacts(BaseModel):
    """One item a text may talk about. Unknown fields are kept and read as attributes."""

    model_config = ConfigDict(extra="allow")

    item_id: str
    """The item's id."""
    title: str
    """Its title, as the text should name it."""
    price: float | None = None
    """Its price now (before any offer)."""
    currency: str | None = None
    """ISO code of the price (``USD``, ``CNY``); ``None``: any currency is accepted."""
    stock: int | None = None
    """Units in stock (``None``: unknown, so no stock claim is supported)."""
    attributes: dict[str, Any] = Field(default_factory=dict)
    """Material, colour, sizes, features...: ``True`` supports the key, ``False`` denies it."""
    old_price: float | None = None
    """The price before a reduction of the item itself ("was $20"), if there is one."""
    tags: list[str] = Field(default_factory=list)
    """Categories, genres or tags (what similarity claims may rest on)."""
    bestseller_rank: int | None = None
    """1 = the shop's best-seller (supports "best-selling", "popular" up to ``popular_rank``)."""
    average_rating: float | None = None
    """Mean rating on ``rating_scale``."""
    rating_scale: float = 5.0
    """The top of the rating scale."""
    rating_count: int | None = None
    """How many ratings or reviews."""
    positive_count: int | None = None
    """How many people rated it highly (what "many viewers enjoyed" needs)."""
    sold_count: int | None = None
    """Units sold or buyers."""
    review_sentiment: float | None = None
    """Share of positive reviews, 0-1 (what "customers rave" needs)."""
    new: bool | None = None
    """A new arrival ("new", "just launched" need it)."""
    restocked: bool | None = None
    """Back in stock after selling out ("back in stock" needs it)."""

    def extra_fields(self) -> dict[str, Any]:
        """Fields the model does not name, read as attributes."""
        return dict(self.model_extra or {})


class OfferFacts(BaseModel):
    """The offer a text may announce. Unknown fields are kept (a name, a multi-buy rule)."""

    model_config = ConfigDict(extra="allow")

    discount_percent: float | None = None
    """Percent off (``20``: "20% off", "八折")."""
    code: str | None = None
    """The code to enter, exactly (``None``: no code needed)."""
    ends: date | datetime | None = None
    """When it ends: a date is the whole day, a datetime the moment."""
    starts: date | datetime | None = None
    """When it starts (optional)."""
    amount_off: float | None = None
    """A fixed amount off, in the items' currency."""
    min_spend: float | None = None
    """The spend the offer needs, if any."""
    name: str | None = None
    """Its name ("Black Friday", "双十一")."""
    item_ids: list[str] | None = None
    """The items it applies to (``None``: all)."""

    _ends = field_validator("ends", "starts", mode="before")(_when)


class HistoryFacts(BaseModel):
    """One item in the person's own history."""

    model_config = ConfigDict(extra="forbid")

    title: str
    """The item's title."""
    item_id: str | None = None
    """Its id."""
    rating: float | None = None
    """Their rating on ``rating_scale`` (``None``: unrated)."""
    rating_scale: float = 5.0
    """The top of the rating scale."""
    event: str | None = None
    """What they did: ``rating``, ``purchase``, ``view``..."""
    when: date | datetime | None = None
    """When."""
    recent: bool = False
    """Among their latest activity ("recently" needs it)."""
    times: int | None = None
    """How many times (what "watched it three times" needs)."""
    tags: list[str] = Field(default_factory=list)
    """Its tags, for similarity claims."""

    _when = field_validator("when", mode="before")(_when)


class Facts(BaseModel):
    """Everything a text may state. See the module docstring."""

    model_config = ConfigDict(extra="ignore")

    items: list[ItemFacts] = Field(default_factory=list)
    """The items the text is about."""
    offer: OfferFacts | None = None
    """The offer, or ``None`` (then no discount, code or deadline is supported)."""
    policies: dict[str, Any] = Field(default_factory=dict)
    """Shop policies: ``free_shipping_over`` (0: always free), ``returns_days``,
    ``free_returns``, ``warranty_years`` / ``warranty_months`` / ``warranty``, and any other
    promise under a key that names it (``price_match``, ``gift_wrap``...)."""
    brand: str | None = None
    """The shop's or brand's name."""
    recipient: str | None = None
    """The person's name as the text may use it."""
    history: list[HistoryFacts] = Field(default_factory=list)
    """The person's own history (explanations and portraits)."""
    terms: list[str] = Field(default_factory=list)
    """Other words the text may use as given (a portrait's interest tags)."""
    now: datetime | None = None
    """The current time: relative dates ("tonight", "this weekend") need it."""
    low_stock: int = 10
    """At or under this many units "selling fast", "limited stock" and "库存紧张" hold."""
    popular_rank: int = 10
    """A best-seller rank at or under this is "popular", "a best-seller", "热销"."""

    _now = field_validator("now", mode="before")(_moment)
