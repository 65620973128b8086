"""The facts a message may state, read from the store: items (title, price, stock, the price
before a reduction) and people (email address, first name).

A message never states anything that is not here: templates receive these values and
nothing else about items or people, so a title or price in a message is the catalogue's at
the moment the message was rendered.

The price before a reduction ("was $20") follows the rule the EU's Omnibus directive sets for
announced reductions: the reference is the *lowest* price the item had in the 30 days before
the reduction, and the reduction itself must be the item's latest price change and recent
(30 days). Anything else shows no old price: no "was" figure is ever made up.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import orjson
from sqlalchemy import select

from recmind.config.settings import Settings
from recmind.data.schema import catalog_changes, items, users
from recmind.data.store import Store

PRIOR_PRICE_DAYS = 30.0
"""The window of the reference price before a reduction, and how long a reduction is news."""
LOW_STOCK = 5
"""At most this many left: a message may say "only N left"."""
_KEYS_PER_QUERY = 500
_SYMBOLS = {
    "USD": "$",
    "EUR": "€",
    "GBP": "£",
    "JPY": "¥",
    "CNY": "CN¥",
    "INR": "₹",
    "CAD": "CA$",
    "AUD": "A$",
    "NZD": "NZ$",
    "KRW": "₩",
    "BRL": "R$",
}
_NO_DECIMALS = {"JPY", "KRW", "ISK", "CLP", "VND", "HUF"}
_FIRST_NAME_KEYS = ("first_name", "firstname", "given_name")


def format_money(amount: float, currency: str) -> str:
    """``amount`` as shown to a shopper: ``$1,234.50``, ``¥1,235``, ``12.00 CHF``."""
    code = currency.upper()
    digits = 0 if code in _NO_DECIMALS else 2
    number = f"{amount:,.{digits}f}"
    symbol = _SYMBOLS.get(code)
    return f"{symbol}{number}" if symbol else f"{number} {code}"


@dataclass(frozen=True)
class ItemFacts:
    """One catalogue item as stored now."""

    item_id: str
    title: str
    price: float | None
    stock: int | None
    category: str | None
    url: str
    old_price: float | None = None
    """The lowest price of the 30 days before a recent reduction (None: no reduction)."""

    @property
    def in_stock(self) -> bool:
        """Unknown stock counts as available (as everywhere in recmind)."""
        return self.stock is None or self.stock > 0

    @property
    def low_stock(self) -> bool:
        return self.stock is not None and 0 < self.stock <= LOW_STOCK

    @property
    def discount_percent(self) -> int | None:
        if self.old_price is None or self.price is None or self.old_price <= 0:
            return None
        return round(100 * (self.old_price - self.price) / self.old_price)


@dataclass(frozen=True)
class PersonFacts:
    """One person as stored now (``exists`` False: no users row, only an id)."""

    user_id: str
    email: str | None = None
    first_name: str | None = None
    timezone: str | None = None
    exists: bool = False


def _chunks(values: Sequence[str]) -> Iterator[list[str]]:
    unique = list(dict.fromkeys(values))
    for start in range(0, len(unique), _KEYS_PER_QUERY):
        yield unique[start : start + _KEYS_PER_QUERY]


def _number(value: Any) -> float | None:
    if value is None:
        return None
    number = float(value)
    return None if math.isnan(number) else number


def _attributes(value: Any) -> dict[str, Any]:
    if not isinstance(value, str | bytes) or not value:
        return {}
    try:
        parsed = orjson.loads(value)
    except orjson.JSONDecodeError:
        return {}
    return parsed if isinstance(parsed, dict) else {}


def item_url(settings: Settings, item_id: str, attributes: dict[str, Any]) -> str:
    """The item's own page: its ``url`` attribute when it has one, else below the shop's
    address (``<shop_url>/items/<id>``)."""
    own = attributes.get("url")
    if isinstance(own, str) and own.startswith(("https://", "http://")):
        return own
    return f"{settings.marketing.shop_url.rstrip('/')}/items/{quote(item_id, safe='')}"


def reference_price(
    changes: Iterable[tuple[float, float | None, float | None]], price: float | None, now: float
) -> float | None:
    """The price to show as "was" for an item now at ``price``, from its price changes
    ``(changed_at, old, new)``; None unless its latest change is a recent reduction to the
    current price and the lowest price of the 30 days before it is higher than ``price``."""
    ordered = sorted(changes, key=lambda c: c[0])
    if price is None or not ordered:
        return None
    window = PRIOR_PRICE_DAYS * 86400.0
    at, old, new = ordered[-1]
    if at < now - window or old is None or new is None:
        return None
    if not math.isclose(new, price, rel_tol=1e-9, abs_tol=1e-9) or not old > new:
        return None
    held = [o for t, o, _ in ordered if at - window <= t <= at and o is not None]
    held += [n for t, _, n in ordered[:-1] if at - window <= t < at and n is not None]
    lowest = min(held)
    return lowest if lowest > price else None


def item_facts(
    store: Store, settings: Settings, item_ids: Sequence[str], *, now: float
) -> dict[str, ItemFacts]:
    """Facts of the stored items among ``item_ids`` (a deleted id is simply absent)."""
    found: dict[str, ItemFacts] = {}
    since = now - 2 * PRIOR_PRICE_DAYS * 86400.0
    with store.engine.connect() as connection:
        for chunk in _chunks([str(i) for i in item_ids]):
            rows = connection.execute(
                select(
                    items.c.item_id,
                    items.c.title,
                    items.c.price,
                    items.c.stock,
                    items.c.category,
                    items.c.attributes,
                ).where(items.c.item_id.in_(chunk))
            ).all()
            history: dict[str, list[tuple[float, float | None, float | None]]] = {}
            for change in connection.execute(
                select(
                    catalog_changes.c.item_id,
                    catalog_changes.c.changed_at,
                    catalog_changes.c.old_value,
                    catalog_changes.c.new_value,
                ).where(
                    catalog_changes.c.item_id.in_(chunk),
                    catalog_changes.c.kind == "price",
                    catalog_changes.c.changed_at >= since,
                    catalog_changes.c.changed_at <= now,
                )
            ):
                history.setdefault(str(change.item_id), []).append(
                    (float(change.changed_at), _number(change.old_value), _number(change.new_value))
                )
            for row in rows:
                item_id = str(row.item_id)
                price = _number(row.price)
                stock = _number(row.stock)
                found[item_id] = ItemFacts(
                    item_id=item_id,
                    title=str(row.title),
                    price=price,
                    stock=None if stock is None else int(stock),
                    category=row.category,
                    url=item_url(settings, item_id, _attributes(row.attributes)),
                    old_price=reference_price(history.get(item_id, ()), price, now),
                )
    return found


def _first_name(attributes: dict[str, Any]) -> str | None:
    for key in _FIRST_NAME_KEYS:
        value = attributes.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None


def person_facts(store: Store, user_ids: Sequence[str]) -> dict[str, PersonFacts]:
    """Facts of every id in ``user_ids`` (one without a users row: ``exists`` False)."""
    found: dict[str, PersonFacts] = {}
    with store.engine.connect() as connection:
        for chunk in _chunks([str(u) for u in user_ids]):
            rows = connection.execute(
                select(users.c.user_id, users.c.email, users.c.timezone, users.c.attributes).where(
                    users.c.user_id.in_(chunk)
                )
            ).all()
            for row in rows:
                email = str(row.email).strip() if row.email else None
                found[str(row.user_id)] = PersonFacts(
                    user_id=str(row.user_id),
                    email=email or None,
                    first_name=_first_name(_attributes(row.attributes)),
                    timezone=row.timezone,
                    exists=True,
                )
            for user_id in chunk:
                found.setdefault(user_id, PersonFacts(user_id=user_id))
    return found
