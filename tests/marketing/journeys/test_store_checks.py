"""Journeys against a store (SQLite and PostgreSQL): every shipped example is sound there;
unknown segments and templates and bad condition rules are named by step and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from recmind.config import Settings
from recmind.data.store import Store
from recmind.marketing.journeys.files import check_files, shipped_examples
from recmind.marketing.journeys.validate import (
    JourneyError,
    check_against_store,
    load_and_check,
    load_journey,
)
from recmind.marketing.segments.repository import create_segment

CLASSIC = {
    "welcome-series",
    "browse-abandonment",
    "cart-abandonment",
    "back-in-stock",
    "price-drop",
    "new-arrivals",
    "post-purchase-cross-sell",
    "replenishment",
    "win-back",
    "win-back-churn-risk",
}
TEMPLATES = {
    "welcome_1",
    "welcome_2",
    "browse_abandonment",
    "cart_abandonment",
    "back_in_stock",
    "price_drop",
    "new_arrivals",
    "cross_sell",
    "replenishment",
    "win_back",
}


@pytest.mark.parametrize("path", shipped_examples(), ids=lambda p: p.stem)
def test_every_shipped_example_loads(path: Path) -> None:
    journey = load_journey(path)
    assert journey.id == path.stem


def test_the_classic_set_is_shipped_with_the_agreed_templates() -> None:
    journeys = [load_journey(p) for p in shipped_examples()]
    assert {j.id for j in journeys} == CLASSIC
    used = {s.template for j in journeys for s in j.steps if getattr(s, "template", None)}  # type: ignore[union-attr]
    assert used == TEMPLATES


def test_every_shipped_example_passes_the_store_checks(store: Store, settings: Settings) -> None:
    loaded, failed = check_files(shipped_examples(), store, settings)
    assert failed == []
    assert {d.id for _, d in loaded} == CLASSIC


JOURNEY = """
id: vip
name: VIP
trigger: {type: segment_entered, segment: %s}
entry: {mode: once, segment: %s}
steps:
  - id: pick
    type: condition
    rule:
      all:
        - {consent: email}
        - {field: order_cuont, op: ">", value: 1}
        - {event: {type: purchase, within_days: 0}, measure: exists}
        - {segment: nope}
    then: hello
    otherwise: exit
  - {id: hello, type: send, channel: email, template: %s}
"""


def test_store_checks_name_segment_rule_path_and_template(store: Store, settings: Settings) -> None:
    definition = load_journey(JOURNEY % ("big-spenders", "big-spender", "welcom_1"))
    with pytest.raises(JourneyError) as caught:
        check_against_store(definition, store, settings)
    found = [str(p) for p in caught.value.problems]
    assert found[0] == "trigger.segment: no segment 'big-spenders'"
    assert found[1] == "entry.segment: no segment 'big-spender'"
    assert found[2].startswith("steps[0] (pick).rule.all[1].field: unknown field")
    assert "order_count" in found[2]
    assert found[3].startswith("steps[0] (pick).rule.all[2].event.within_days: a window")
    assert found[4].startswith("steps[0] (pick).rule.all[3].segment: unknown segment")
    assert found[5] == (
        "steps[1] (hello).template: no template 'welcom_1' (did you mean welcome_1 or welcome_2?)"
    )
    assert len(found) == 6
    rule_problem = caught.value.problems[2]
    assert (rule_problem.step_id, rule_problem.field) == ("pick", "rule.all[1].field")

    create_segment(store, "Big spenders", {"field": "monetary_total", "op": ">", "value": 100})
    create_segment(store, "Nope", {"consent": "email"}, segment_id="nope")
    good = JOURNEY % ("big-spenders", "big-spenders", "welcome_1")
    good = good.replace("order_cuont", "order_count").replace("within_days: 0", "within_days: 30")
    assert load_and_check(good, store, settings).id == "vip"


def test_a_shops_own_template_counts(store: Store, settings: Settings, tmp_path: Path) -> None:
    text = """
id: own
name: Own
trigger: {type: event, event: signup}
steps:
  - {id: hello, type: send, channel: email, template: our_own}
"""
    with pytest.raises(JourneyError) as caught:
        load_and_check(text, store, settings)
    assert "no template 'our_own'" in str(caught.value)
    own = tmp_path / "templates"
    own.mkdir()
    (own / "our_own.j2").write_text(
        "{% block subject %}Hi{% endblock %}{% block text %}Hello{% endblock %}"
        "{% block html %}<p>Hello</p>{% endblock %}"
    )
    mine = settings.model_copy(
        update={"marketing": settings.marketing.model_copy(update={"templates_dir": own})}
    )
    assert load_and_check(text, store, mine).id == "own"
