"""Generated copy in the outbox: variants written once per language and name, personalised
by slots, checked; the template when a person's values cannot fill a variant (SQLite and
PostgreSQL)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import orjson
from sqlalchemy import select
from tests.marketing.content.little_shop import NOW, add_users
from tests.marketing.content.test_compose import ListRecommender
from tests.marketing.copy.conftest import Held
from tests.marketing.copy.shop import build_shop

from recmind.config import Settings
from recmind.data.schema import outbox
from recmind.data.store import Store
from recmind.marketing.content.compose import OutboxComposer
from recmind.marketing.copy.options import CopyOptions, Offer
from recmind.marketing.copy.personalise import CopyProvider
from recmind.marketing.copy.variants import variants_of
from recmind.marketing.messages import MessageRequest, campaign_key
from recmind.text.claims import check
from recmind.text.llm.protocol import Generator

EMAIL = {
    "subject": "{{name}}, a pick for you at {{brand}}",
    "preheader": "{{discount}} off with {{code}}.",
    "body": "Hi {{name}}, we picked {{title:item1}} for you, now {{price:item1}}. "
    "Use {{code}} for {{discount}} off.",
    "cta": "See your pick",
}
EMAIL_ZH = {
    "subject": "{{name}}，为您挑选的{{title:item1}}",
    "preheader": "使用优惠码{{code}}立享{{discount}}折扣。",
    "body": "{{name}}，您好！我们为您挑选了{{title:item1}}，现价{{price:item1}}。",
    "cta": "立即查看",
}
OPTIONS = CopyOptions(variants=1, offer=Offer(discount_percent=15, code="WOOL15"))


def requests(
    users: list[str], options: CopyOptions = OPTIONS, **extra: Any
) -> list[MessageRequest]:
    return [
        MessageRequest(
            idempotency_key=campaign_key("autumn", u),
            user_id=u,
            channel=extra.get("channel", "email"),
            source_kind="campaign",
            source_id="autumn",
            template="newsletter",
            recommendation_count=2,
            copy=options,
        )
        for u in users
    ]


def outbox_rows(store: Store) -> dict[str, dict[str, Any]]:
    with store.engine.connect() as connection:
        return {str(r.user_id): dict(r._mapping) for r in connection.execute(select(outbox))}


def composer(store: Store, generator: Generator | None, items: list[str]) -> OutboxComposer:
    provider = CopyProvider(store, Settings(), lambda: generator, clock=lambda: NOW)
    return OutboxComposer(store, Settings(), ListRecommender(items), copy=provider)


def test_one_variant_per_language_for_everyone_filled_per_person(
    store: Store, held: Callable[[list[str]], Held]
) -> None:
    build_shop(store)
    add_users(store, [{"user_id": f"p{n}", "email": f"p{n}@example.com"} for n in range(20)])
    model = held([json.dumps(EMAIL), json.dumps(EMAIL_ZH)])
    compose = composer(store, model, ["sweater", "tee"])
    people = ["maya", "li", "sam"] + [f"p{n}" for n in range(20)]
    result = compose.compose(requests(people), now=NOW)
    assert result.queued == len(people)
    assert len(model.requests) == 2  # one generation per language, not per person
    stats = compose.copy.stats  # type: ignore[union-attr]
    assert stats.variants == 2 and stats.personalised == len(people) and stats.template == 0
    rows = outbox_rows(store)
    maya = rows["maya"]
    assert maya["subject"] == "Maya, a pick for you at Harbor & Pine"
    assert "Hi Maya, we picked Merino Crew Sweater for you, now $89.00." in maya["body_text"]
    assert "Use WOOL15 for 15% off." in maya["body_text"]
    payload = orjson.loads(maya["payload"])
    assert payload["copy"]["source"] == "llm" and payload["copy"]["language"] == "en"
    assert rows["sam"]["subject"] == "A pick for you at Harbor & Pine"  # no first name
    assert rows["sam"]["body_text"].startswith("Hi, we picked")
    li = rows["li"]
    assert li["subject"] == "为您挑选的Merino Crew Sweater"
    assert "您好！我们为您挑选了Merino Crew Sweater，现价$89.00。" in li["body_text"]
    assert "退订" in li["body_text"] and 'lang="zh"' in li["body_html"]
    for row in rows.values():  # every text a reader gets is supported by the store's facts
        copy = orjson.loads(row["payload"])["copy"]
        assert copy["key"] in {v.key for v in variants_of(store, "campaign:autumn")}
    stored = variants_of(store, "campaign:autumn")
    assert [(v.language, v.name, v.source) for v in stored] == [
        ("en", "v1", "llm"),
        ("zh", "v1", "llm"),
    ]
    assert stored[0].parts == EMAIL
    again = composer(store, held([]), ["sweater"])  # a rerun, another worker: no generation
    more = requests(["p0"])[0]
    again.compose([MessageRequest(**{**more.__dict__, "idempotency_key": "other:p0"})], now=NOW)
    assert again.copy.stats.variants == 0  # type: ignore[union-attr]


def test_a_variant_the_checker_rejects_twice_becomes_the_fallback(
    store: Store, held: Callable[[list[str]], Held]
) -> None:
    build_shop(store)
    bad = dict(EMAIL, body="Hi {{name}}, {{title:item1}} is our best-seller. Free gift inside!")
    model = held([json.dumps(bad), json.dumps(bad)])
    compose = composer(store, model, ["sweater"])
    compose.compose(requests(["maya"]), now=NOW)
    row = outbox_rows(store)["maya"]
    assert orjson.loads(row["payload"])["copy"]["source"] == "fallback"
    assert row["subject"] == "Picked for you: Merino Crew Sweater"
    variant = variants_of(store, "campaign:autumn")[0]
    assert variant.source == "fallback" and variant.attempts == 2
    assert any("best-seller" in r or "gift" in r for r in variant.reasons)


class PerPerson(ListRecommender):
    """Each person's own items."""

    def __init__(self, items: dict[str, list[str]]) -> None:
        super().__init__([])
        self.by_person = items

    def __call__(self, user_id: str, **_: Any) -> list[str]:  # type: ignore[override]
        return self.by_person[user_id]


def test_an_item_without_a_price_gets_the_template(
    store: Store, held: Callable[[list[str]], Held]
) -> None:
    build_shop(store)
    provider = CopyProvider(store, Settings(), lambda: held([json.dumps(EMAIL)]), clock=lambda: NOW)
    recommender = PerPerson({"maya": ["sweater"], "sam": ["scarf"]})  # the scarf has no price
    compose = OutboxComposer(store, Settings(), recommender, copy=provider)
    compose.compose(requests(["maya", "sam"]), now=NOW)
    rows = outbox_rows(store)
    assert orjson.loads(rows["maya"]["payload"])["copy"]["source"] == "llm"
    assert "copy" not in orjson.loads(rows["sam"]["payload"])
    assert rows["sam"]["subject"] == "News from recmind demo shop"  # the newsletter template
    assert provider.stats.template == 1


def test_variants_split_people_and_check_each(store: Store) -> None:
    build_shop(store)
    add_users(store, [{"user_id": f"p{n}", "email": f"p{n}@example.com"} for n in range(40)])
    options = CopyOptions(variants=3, check_each=True)
    compose = composer(store, None, ["tee"])  # no model: the fallback copy of each variant
    compose.compose(requests([f"p{n}" for n in range(40)], options), now=NOW)
    names = [orjson.loads(r["payload"])["copy"]["variant"] for r in outbox_rows(store).values()]
    assert set(names) == {"v1", "v2", "v3"}
    stats = compose.copy.stats  # type: ignore[union-attr]
    assert stats.checked == 40 and stats.personalised == 40
    for row in outbox_rows(store).values():
        assert check(
            row["subject"], {"items": [{"item_id": "tee", "title": "Organic Cotton Tee"}]}
        ).ok


def test_push_copy_for_webhook_messages(store: Store, held: Callable[[list[str]], Held]) -> None:
    build_shop(store)
    model = held(["{{brand}}: {{title:item1}} is {{price:item1}} with {{code}}."])
    compose = composer(store, model, ["sweater"])
    compose.compose(requests(["maya"], channel="webhook"), now=NOW)
    payload = orjson.loads(outbox_rows(store)["maya"]["payload"])
    assert payload["text"] == "Harbor & Pine: Merino Crew Sweater is $89.00 with WOOL15."
    assert payload["copy"]["source"] == "llm"
