"""Rendering one message from the store: every price and title in it is the catalogue's,
every link is tracked and signed, the push text keeps its hard limit."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from tests.marketing.content.little_shop import DAY, NOW, add_changes, add_items, add_users

from recmind.config import Settings
from recmind.config.marketing import MarketingSettings
from recmind.data.store import Store
from recmind.marketing.content.facts import format_money, item_facts, person_facts
from recmind.marketing.content.render import cut, render_message
from recmind.marketing.content.templates import BUILTIN_TEMPLATES
from recmind.marketing.tracking.links import verify_token

MONEY = re.compile(r"[$€£¥][\d,]+(?:\.\d\d)?")


class Anchors(HTMLParser):
    """(href, text) of every link of an HTML document."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[tuple[str, str]] = []
        self._href: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self._href = dict(attrs).get("href") or ""
            self._text = []

    def handle_data(self, data: str) -> None:
        if self._href is not None:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._href is not None:
            self.links.append((self._href, "".join(self._text).strip()))
            self._href = None


@pytest.fixture
def settings() -> Settings:
    return Settings(
        marketing=MarketingSettings(
            shop_name="Corner Shop",
            shop_url="https://shop.test",
            public_url="https://track.test",
            currency="EUR",
        )
    )


def stock_the_shop(store: Store) -> None:
    add_items(
        store,
        [
            {"item_id": "mug", "title": "Blue Mug & Saucer", "price": 15.0, "stock": 2},
            {"item_id": "tea", "title": "Green <Tea>", "price": 4.5, "stock": 40},
            {"item_id": "pan", "title": "Cast Iron Pan", "price": 1234.0, "stock": 7},
            {"item_id": "odd", "title": "Mystery Box", "price": None, "stock": None},
        ],
    )
    add_changes(store, [("mug", "price", 20.0, 15.0, NOW - 3 * DAY)])
    add_users(
        store,
        [{"user_id": "ann", "email": "ann@example.com", "attributes": {"first_name": "Ann"}}],
    )


@pytest.mark.parametrize("template", sorted(BUILTIN_TEMPLATES))
def test_no_fact_is_invented(store: Store, settings: Settings, template: str) -> None:
    stock_the_shop(store)
    ids = ["mug", "tea", "pan", "odd"]
    facts = item_facts(store, settings, ids, now=NOW)
    person = person_facts(store, ["ann"])["ann"]
    message = render_message(
        settings,
        template,
        message_id="m" * 32,
        channel="email",
        person=person,
        items=[facts[i] for i in ids],
        all_parts=True,
    )
    assert list(message.items) == ids
    stored_money = {format_money(v, "EUR") for v in (15.0, 20.0, 4.5, 1234.0)}
    everything = " ".join(
        [message.subject, message.body_text, message.body_html, str(message.payload)]
    )
    shown = set(MONEY.findall(everything))
    assert shown <= stored_money, f"prices not in the catalogue: {shown - stored_money}"
    # every item link's text is the item's stored title, and every stored title is linked
    anchors = Anchors()
    anchors.feed(message.body_html)
    titles = {facts[i].title for i in ids}
    item_links = [(h, t) for h, t in anchors.links if t in titles]
    assert {t for _, t in item_links} == titles
    for href, title in item_links:
        token = href.rsplit("/", 1)[1]
        target = verify_token(settings, token, "click").target
        assert target == facts[next(i for i in ids if facts[i].title == title)].url
    # every link is tracked and signed by this service (unsubscribe included)
    assert all(h.startswith("https://track.test/") for h, _ in anchors.links)
    assert any("/u/" in h for h, _ in anchors.links)
    for item in payload_items(message.payload):
        assert item["title"] == facts[item["item_id"]].title
        price = facts[item["item_id"]].price
        assert item["price"] == (None if price is None else format_money(price, "EUR"))


def payload_items(payload: object) -> list[dict[str, str]]:
    assert isinstance(payload, dict)
    return list(payload["items"])


def test_price_drop_says_what_the_store_says(store: Store, settings: Settings) -> None:
    stock_the_shop(store)
    facts = item_facts(store, settings, ["mug"], now=NOW)
    person = person_facts(store, ["ann"])["ann"]
    message = render_message(
        settings,
        "price_drop",
        message_id="m" * 32,
        channel="email",
        person=person,
        items=[facts["mug"]],
    )
    assert message.subject == "Price drop: Blue Mug & Saucer now €15.00"
    assert "was €20.00" in message.body_text and "€15.00" in message.body_text
    assert "by 25%" in message.body_html
    assert "Hi Ann," in message.body_text
    assert message.payload["preheader"] == "Was €20.00, 25% off."
    assert "Blue Mug &amp; Saucer" in message.body_html


def test_channels_render_what_they_use(store: Store, settings: Settings) -> None:
    stock_the_shop(store)
    long_title = "An Extraordinarily Long Item Title " * 10
    add_items(store, [{"item_id": "long", "title": long_title.strip(), "price": 9.0}])
    facts = item_facts(store, settings, ["long", "tea"], now=NOW)
    person = person_facts(store, ["ann"])["ann"]
    items = [facts["long"], facts["tea"]]
    hook = render_message(
        settings,
        "cart_abandonment",
        message_id="a" * 32,
        channel="webhook",
        person=person,
        items=items,
    )
    assert hook.body_html == ""
    assert len(hook.payload["text"]) <= settings.marketing.push_max_chars
    assert hook.payload["text"].endswith("…") and hook.body_text.strip() == hook.payload["text"]
    assert hook.payload["title"] == "Still in your cart"
    assert hook.payload["url"].startswith("https://track.test/c/")
    onsite = render_message(
        settings,
        "back_in_stock",
        message_id="b" * 32,
        channel="onsite",
        person=person,
        items=[facts["tea"]],
    )
    assert onsite.subject == "Back in stock"
    assert onsite.body_text.strip() == "Green <Tea> is available again."
    assert onsite.payload["body"] == "Green <Tea> is available again."


def test_cut_keeps_the_hard_limit() -> None:
    assert cut("short  text\n", 20) == "short text"
    for limit in (20, 21, 37, 160):
        text = cut("word " * 200, limit)
        assert len(text) <= limit and text.endswith("…")
    assert len(cut("x" * 500, 25)) == 25
