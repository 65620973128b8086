"""Journey files: every problem reported at once, each naming the step (index and id) and
the field in plain words; references, unreachable steps, endless loops; YAML's surprises."""

from __future__ import annotations

from pathlib import Path

import pytest

from recmind.marketing.journeys.definition import SendStep, WaitForEventStep, WaitStep
from recmind.marketing.journeys.validate import JourneyError, load_journey

CART = """
id: cart
name: Cart
trigger: {type: event, event: add_to_cart}
entry: {mode: once_per, days: 7}
goal: {event: purchase}
steps:
  - {id: pause, type: wait, duration: 1h}
  - {id: bought, type: wait_for_event, event: purchase, timeout: 3h, on_event: exit,
     on_timeout: remind}
  - {id: remind, type: send, channel: email, template: cart_abandonment,
     recommendations: {source: trigger_item, count: 3}}
"""


def problems(text: str) -> list[str]:
    with pytest.raises(JourneyError) as caught:
        load_journey(text)
    return [str(p) for p in caught.value.problems]


def test_a_sound_journey_loads_with_durations_in_seconds() -> None:
    journey = load_journey(CART)
    assert journey.id == "cart" and len(journey.steps) == 3
    pause, bought, remind = journey.steps
    assert isinstance(pause, WaitStep) and pause.duration == 3600
    assert isinstance(bought, WaitForEventStep) and bought.timeout == 3 * 3600
    assert isinstance(remind, SendStep) and remind.recommendations.source == "trigger_item"
    assert journey.following("remind") == "exit"


def test_the_problem_names_the_step_index_id_and_field_in_plain_words() -> None:
    text = CART.replace("timeout: 3h", "timeout: 3 hours")
    with pytest.raises(JourneyError) as caught:
        load_journey(text)
    (found,) = caught.value.problems
    assert str(found) == (
        "steps[1] (bought).timeout: '3 hours' is not a duration (write 30m, 2h, 3d, 1w or seconds)"
    )
    assert (found.step_index, found.step_id, found.field) == (1, "bought", "timeout")
    assert found.to_dict()["path"] == ["steps", 1, "timeout"]


def test_every_problem_is_reported_at_once() -> None:
    text = """
id: Broken Id
name: ""
trigger: {type: evnt}
entry: {mode: once_per}
steps:
  - {id: pause, type: wait}
  - {id: bought, type: wait_for_event, event: purchase, timeout: 3h, on_timeout: remnd}
  - {id: remind, type: send, channel: sms, template: cart_abandonment, colour: red}
  - {id: remind, type: exit}
  - {type: send, channel: email, template: x}
"""
    found = problems(text)
    expected = [
        "id: 'Broken Id' is not an id",
        "name: string should have at least 1 character",
        "trigger.type: 'evnt' is not a trigger type; use one of: event, segment_entered",
        "entry.days: once_per needs days",
        "steps[0] (pause).duration: a wait needs a duration",
        "steps[1] (bought).on_timeout: no step is called 'remnd' (did you mean remind?)",
        "steps[2] (remind).channel: must be 'email', 'webhook' or 'onsite' (got 'sms')",
        "steps[2] (remind).colour: unknown field 'colour'; a send step takes channel, copy, id, next",  # noqa: E501
        "steps[3] (remind).id: step id 'remind' is already used by steps[2]",
        "steps[4].id: missing: a send step needs id",
    ]
    assert len(found) == len(expected), found
    for text_of, start in zip(found, expected, strict=True):
        assert text_of.startswith(start), (text_of, start)


def test_unknown_and_missing_step_types() -> None:
    found = problems(CART.replace("type: send", "type: mail"))
    assert found == [
        "steps[2] (remind).type: 'mail' is not a step type; use one of: wait, wait_for_event, "
        "condition, random_split, send, update_attribute, exit"
    ]
    found = problems(CART.replace("{id: pause, type: wait, duration: 1h}", "{id: pause}"))
    assert found[0].startswith("steps[0] (pause).type: missing: say which kind of step")


def test_references_name_a_step_or_exit() -> None:
    text = CART.replace("on_event: exit", "on_event: done")
    assert problems(text) == [
        "steps[1] (bought).on_event: no step is called 'done'; name a step of this journey or exit"
    ]
    split = CART.replace(
        "{id: pause, type: wait, duration: 1h}",
        "{id: pause, type: random_split, branches: [{weight: 1, next: bought},"
        " {weight: 1, next: nowhere}]}",
    )
    assert problems(split) == [
        "steps[0] (pause).branches[1].next: no step is called 'nowhere'; name a step of this "
        "journey or exit"
    ]


def test_a_step_nothing_leads_to_is_unreachable() -> None:
    text = CART.replace("on_timeout: remind", "on_timeout: exit")
    assert problems(text) == [
        "steps[2] (remind): no step leads here, so it never runs (unreachable): point a next "
        "or a branch at it, or remove it"
    ]
    # ... unless a branch points at it
    load_journey(text.replace("on_event: exit", "on_event: remind"))


def test_a_loop_that_never_waits_is_refused_and_one_that_waits_is_not() -> None:
    text = """
id: loop
name: Loop
trigger: {type: event, event: view}
steps:
  - {id: check, type: condition, rule: {consent: email}, then: mark, otherwise: exit}
  - {id: mark, type: update_attribute, attribute: seen, value: 1, next: check}
"""
    assert problems(text) == [
        "steps[1] (mark).next: an endless loop that never waits: check -> mark -> check; put a "
        "wait or wait_for_event in it"
    ]
    waits = text.replace("next: check}", "next: pause}") + (
        "  - {id: pause, type: wait, duration: 1d, next: check}\n"
    )
    assert len(load_journey(waits).steps) == 3
    zero = text.replace("next: check}", "next: pause}") + (
        "  - {id: pause, type: wait, duration: 0, next: check}\n"
    )
    assert "endless loop" in problems(zero)[0]


def test_options_that_need_one_another() -> None:
    inactive = """
id: quiet
name: Quiet
trigger: {type: inactivity}
steps:
  - {id: hello, type: send, channel: email, template: win_back}
"""
    assert problems(inactive) == [
        "trigger.days: an inactivity trigger needs days (no event for N days) or "
        "churn_risk_above (a predicted churn risk above it), or both"
    ]
    no_item = """
id: seg
name: Seg
trigger: {type: segment_entered, segment: vip}
steps:
  - {id: wait, type: wait_for_event, event: purchase, same_item: true, timeout: 1d}
  - {id: hello, type: send, channel: email, template: x,
     recommendations: {source: similar}}
"""
    assert problems(no_item) == [
        "steps[0] (wait).same_item: a segment_entered trigger has no item, so same_item "
        "cannot apply",
        "steps[1] (hello).recommendations.source: a segment_entered trigger has no item for "
        "similar: use personal, complements, new_arrivals or replenish",
    ]
    assert problems(CART.replace("id: cart", "id: schema")) == [
        "id: 'schema' is reserved (GET /v1/journeys/schema is the format's schema); choose "
        "another id"
    ]
    once = CART.replace("mode: once_per, days: 7", "mode: once, days: 7")
    assert problems(once) == ["entry.days: days only applies to mode once_per (mode is once)"]


def test_a_condition_or_split_with_next_says_next_is_unused() -> None:
    text = """
id: split
name: Split
trigger: {type: event, event: view}
steps:
  - {id: pick, type: condition, rule: {consent: email}, then: hello, otherwise: exit,
     next: hello}
  - {id: hello, type: send, channel: email, template: x}
"""
    assert problems(text) == [
        "steps[0] (pick).next: a condition step goes to then or otherwise; next is never used "
        "(remove it)"
    ]


def test_yaml_without_surprises() -> None:
    text = CART.replace(
        "{id: pause, type: wait, duration: 1h}", "{id: pause, type: wait, until: 10:30}"
    )
    step = load_journey(text).steps[0]
    assert isinstance(step, WaitStep) and step.until == "10:30"  # not the sexagesimal 630
    dated = CART.replace(
        "  - {id: pause, type: wait, duration: 1h}",
        "  - {id: pause, type: update_attribute, attribute: since, value: 2024-05-01}",
    )
    assert load_journey(dated).steps[0].value == "2024-05-01"  # type: ignore[union-attr]
    twice = CART.replace("name: Cart\n", "name: Cart\nname: Again\n")
    assert problems(twice) == [
        "journey: not valid YAML or JSON at line 4, column 1: the key 'name' is written twice"
    ]
    broken = problems("id: x\nsteps: [\n")
    assert broken[0].startswith("journey: not valid YAML or JSON at line 3")
    assert problems("- just\n- a list\n") == [
        "journey: a journey is a mapping (id, name, trigger, steps ...)"
    ]


def test_json_text_and_files(tmp_path: Path) -> None:
    text = (
        '{"id": "j", "name": "J", "trigger": {"type": "event", "event": "signup"},'
        ' "steps": [{"id": "hello", "type": "send", "channel": "email", "template": "welcome_1"}]}'
    )
    assert load_journey(text).id == "j"
    path = tmp_path / "j.json"
    path.write_text(text)
    assert load_journey(path).id == "j"
    assert load_journey(str(path)).id == "j"
    with pytest.raises(JourneyError) as caught:
        load_journey(str(tmp_path / "missing.yaml"))
    assert caught.value.source == str(tmp_path / "missing.yaml")
    assert "cannot read the file" in str(caught.value.problems[0])
    bad = tmp_path / "bad.yaml"
    bad.write_text(CART.replace("timeout: 3h", "timeout: soon"))
    with pytest.raises(JourneyError) as caught:
        load_journey(bad)
    assert str(caught.value).startswith(f"{bad}: steps[1] (bought).timeout: 'soon'")


def test_numbers_no_store_holds_are_refused_not_crashed_on() -> None:
    huge = "9" * 400
    text = f"""
id: x
name: X
trigger: {{type: inactivity, days: .inf}}
steps:
  - {{id: a, type: wait, duration: 99999w}}
  - {{id: b, type: update_attribute, attribute: n, value: {huge}}}
  - {{id: c, type: wait_for_event, event: purchase, timeout: {huge}}}
  - {{id: d, type: condition, rule: {{field: x, op: '=', value: .nan}}, then: exit,
     otherwise: exit}}
"""
    assert problems(text) == [
        "trigger.days: must be a finite number",
        "steps[0] (a).duration: is longer than ten years (write 30m, 2h, 3d, 1w or seconds)",
        "steps[1] (b).value: is too large a number (at most 2^63 - 1)",
        "steps[2] (c).timeout: is too large a number (at most 2^63 - 1)",
        "steps[3] (d).rule.value: must be a finite number",
    ]
