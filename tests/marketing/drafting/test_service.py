"""Drafting against a real store: the prompt carries the shop's vocabulary and no person's
data; the segments validator decides what passes; a passing rule comes back in words with
its live count. (The model is a scripted fake here; see test_real_llm.py for real ones.)"""

from __future__ import annotations

import json

import pytest
from tests.marketing.drafting.shop import (
    AS_OF,
    CATEGORIES,
    RARE_TIER,
    N,
    email,
    fill,
    user_id,
    zip_code,
)
from tests.marketing.drafting.test_draft import ScriptedFakeGenerator

from recmind.data.store import Store
from recmind.marketing.drafting import DraftError, SegmentDrafter, member_ids
from recmind.marketing.drafting.prompt import prompt_text
from recmind.marketing.segments import describe, parse_rule
from recmind.marketing.segments.preview import count_members

COMEDY = {
    "event": {"type": "purchase", "category": "Movies/Comedy", "within_days": 60},
    "measure": "exists",
}


@pytest.fixture
def shop(store: Store) -> Store:
    fill(store)
    return store


def test_the_prompt_names_the_shop_and_no_customer(shop: Store) -> None:
    drafter = SegmentDrafter(shop, ScriptedFakeGenerator(["{}"]), as_of=AS_OF, encoder=None)
    text = prompt_text(drafter.prompt("comedy fans who have not bought in 60 days"))
    for category in CATEGORIES:
        assert category in text
    assert "attributes.age" in text and "18-24, 25-34, 35-44" in text
    assert "monetary_total" in text and "days_since_last_purchase" in text
    assert "comedy fans who have not bought in 60 days" in text
    for i in range(N):
        assert user_id(i) not in text
        assert email(i) not in text and zip_code(i) not in text
    assert RARE_TIER not in text
    assert "attributes.zip (text)" in text and "attributes.zip (text); values" not in text


def test_a_rule_the_validator_refuses_is_retried_then_counted(shop: Store) -> None:
    unknown = {"event": {"type": "purchase", "category": "Movies/Horror"}, "measure": "exists"}
    fake = ScriptedFakeGenerator([json.dumps(unknown), json.dumps(COMEDY)])
    drafter = SegmentDrafter(shop, fake, as_of=AS_OF, encoder=None)
    drafted = drafter.draft("comedy buyers of the last two months")
    assert drafted.rule == COMEDY and drafted.draft.attempts == 2
    assert "Movies/Horror" in drafted.draft.errors[0]
    assert "Movies/Horror" in fake.requests[1].messages[-1].content
    rule = parse_rule(COMEDY)
    assert drafted.words == describe(rule)
    assert drafted.count == count_members(shop, rule, as_of=AS_OF)
    assert drafted.count == len(member_ids(shop, rule, AS_OF)) > 0
    assert fake.requests[0].json_schema is not None
    grammar_categories = json.dumps(fake.requests[0].json_schema)
    assert all(c in grammar_categories for c in ("Movies", "Movies/Comedy", "Snacks"))


def test_no_valid_draft_is_an_error_and_nothing_is_counted(shop: Store) -> None:
    bad = {"field": "monetary_total", "op": "between", "value": [50, 10]}
    fake = ScriptedFakeGenerator([json.dumps(bad)])
    drafter = SegmentDrafter(shop, fake, as_of=AS_OF, encoder=None)
    with pytest.raises(DraftError) as info:
        drafter.draft("people who spent between 50 and 10")
    assert len(info.value.errors) == 2 and "between" in info.value.errors[0]
