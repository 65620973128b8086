"""Facts for messages from the store: money in the shop's currency, the reference price of a
reduction (the lowest of the 30 days before it, never made up), items and people."""

from __future__ import annotations

import pytest
from tests.marketing.content.little_shop import DAY, NOW, add_changes, add_items, add_users

from recmind.config import Settings
from recmind.config.marketing import MarketingSettings
from recmind.data.store import Store
from recmind.marketing.content.facts import (
    format_money,
    item_facts,
    person_facts,
    reference_price,
)


@pytest.mark.parametrize(
    ("amount", "currency", "shown"),
    [
        (12.5, "USD", "$12.50"),
        (1234.5, "usd", "$1,234.50"),
        (9.99, "EUR", "€9.99"),
        (1234.4, "JPY", "¥1,234"),
        (12.0, "CHF", "12.00 CHF"),
        (0.0, "GBP", "£0.00"),
    ],
)
def test_format_money(amount: float, currency: str, shown: str) -> None:
    assert format_money(amount, currency) == shown


def test_reference_price_is_the_lowest_of_the_30_days_before_a_recent_reduction() -> None:
    # 20 -> 18 (10 days ago) -> 15 (now-1d): the lowest before the reduction is 18
    changes = [(NOW - 10 * DAY, 20.0, 18.0), (NOW - DAY, 18.0, 15.0)]
    assert reference_price(changes, 15.0, NOW) == 18.0
    # a single reduction from 20
    assert reference_price([(NOW - DAY, 20.0, 15.0)], 15.0, NOW) == 20.0


def test_no_reference_price_that_would_mislead() -> None:
    # nothing changed
    assert reference_price([], 15.0, NOW) is None
    # the latest change raised the price
    assert reference_price([(NOW - DAY, 10.0, 15.0)], 15.0, NOW) is None
    # the reduction is old news
    assert reference_price([(NOW - 40 * DAY, 20.0, 15.0)], 15.0, NOW) is None
    # the catalogue's price moved on since the change (the change is not the current price)
    assert reference_price([(NOW - DAY, 20.0, 15.0)], 17.0, NOW) is None
    # 8 (20 days ago) -> 12 (10 days ago) -> 9 (yesterday): it was 8 within the 30 days,
    # so "was 12" would announce a reduction that is not one
    changes = [(NOW - 20 * DAY, 10.0, 8.0), (NOW - 10 * DAY, 8.0, 12.0), (NOW - DAY, 12.0, 9.0)]
    assert reference_price(changes, 9.0, NOW) is None
    # unknown prices
    assert reference_price([(NOW - DAY, None, 15.0)], 15.0, NOW) is None
    assert reference_price([(NOW - DAY, 20.0, 15.0)], None, NOW) is None


def test_item_and_person_facts_from_the_store(store: Store) -> None:
    settings = Settings(marketing=MarketingSettings(shop_url="https://shop.test/"))
    add_items(
        store,
        [
            {"item_id": "mug", "title": "Blue Mug", "price": 15.0, "stock": 2, "category": "k"},
            {"item_id": "tea/green", "title": "Green Tea", "price": None, "stock": None},
            {
                "item_id": "pan",
                "title": "Pan",
                "price": 30.0,
                "stock": 0,
                "attributes": {"url": "https://elsewhere.test/pan"},
            },
        ],
    )
    add_changes(
        store,
        [
            ("mug", "price", 20.0, 15.0, NOW - 2 * DAY),
            ("mug", "stock", 0.0, 2.0, NOW - DAY),
            ("pan", "price", 25.0, 30.0, NOW - DAY),
        ],
    )
    facts = item_facts(store, settings, ["mug", "tea/green", "pan", "gone"], now=NOW)
    assert set(facts) == {"mug", "tea/green", "pan"}
    mug, tea, pan = facts["mug"], facts["tea/green"], facts["pan"]
    assert (mug.title, mug.price, mug.stock, mug.old_price) == ("Blue Mug", 15.0, 2, 20.0)
    assert mug.in_stock and mug.low_stock and mug.discount_percent == 25
    assert mug.url == "https://shop.test/items/mug"
    assert (tea.price, tea.stock, tea.old_price, tea.in_stock) == (None, None, None, True)
    assert tea.url == "https://shop.test/items/tea%2Fgreen"
    assert pan.url == "https://elsewhere.test/pan"
    assert not pan.in_stock and pan.old_price is None

    add_users(
        store,
        [
            {"user_id": "ann", "email": "ann@example.com", "attributes": {"first_name": " Ann "}},
            {"user_id": "bob", "email": "  ", "attributes": {"given_name": "Bob"}},
            {"user_id": "cy", "email": None},
        ],
    )
    people = person_facts(store, ["ann", "bob", "cy", "nobody"])
    assert (people["ann"].email, people["ann"].first_name) == ("ann@example.com", "Ann")
    assert (people["bob"].email, people["bob"].first_name) == (None, "Bob")
    assert people["cy"].exists and people["cy"].first_name is None
    assert not people["nobody"].exists and people["nobody"].email is None
