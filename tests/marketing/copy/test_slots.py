"""Slots: found, checked, filled from the store, never written by the model."""

from __future__ import annotations

import pytest

from recmind.marketing.copy.slots import (
    SlotError,
    drop_name,
    fill,
    filled_length,
    numbers_outside,
    problems,
    slots_in,
)

VALUES = {
    "name": "Maya",
    "brand": "Harbor & Pine",
    "title:item1": "Merino Crew Sweater",
    "price:item1": "$89.00",
    "discount": "15%",
    "code": "WOOL15",
}


def test_slots_are_found_in_order() -> None:
    text = "Hi {{name}}, {{title:item1}} is {{ price:item1 }} with {{code}}."
    assert slots_in(text) == ["name", "title:item1", "price:item1", "code"]


def test_fill_puts_the_store_values_in() -> None:
    text = "Hi {{name}}, {{title:item1}} is {{price:item1}}: {{discount}} off with {{code}}."
    assert fill(text, VALUES) == ("Hi Maya, Merino Crew Sweater is $89.00: 15% off with WOOL15.")
    assert filled_length(text, VALUES) == len(fill(text, VALUES))


def test_a_slot_without_a_value_is_an_error_except_the_name() -> None:
    with pytest.raises(SlotError, match="ends"):
        fill("Until {{ends}}.", VALUES)
    assert fill("Hi {{name}}, new in.", {**VALUES, "name": None}) == "Hi, new in."


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Hi {{name}}, we picked this.", "Hi, we picked this."),
        ("{{name}}, we picked this.", "We picked this."),
        ("Picked for you, {{name}}!", "Picked for you!"),
        ("亲爱的{{name}}，为您推荐。", "亲爱的顾客，为您推荐。"),
        ("{{name}}，您好！为您推荐。", "您好！为您推荐。"),
    ],
)
def test_a_missing_name_takes_its_frame_with_it(text: str, expected: str) -> None:
    assert drop_name(text) == expected


def test_numbers_written_outside_slots_are_problems() -> None:
    found = problems("Save 20% on {{title:item1}}, only $5!", VALUES)
    assert any("20" in p and "5" in p for p in found)
    assert problems("Save {{discount}} on {{title:item1}}.", VALUES) == []


def test_numbers_the_facts_give_may_be_quoted() -> None:
    assert numbers_outside("Made of 100% merino wool.", ["100% merino wool"]) == []
    assert numbers_outside("Made of 90% merino wool.", ["100% merino wool"]) == ["90"]
    assert numbers_outside("全场８折", []) == ["8"]


def test_unknown_slots_and_stray_braces_are_problems() -> None:
    assert any("{{stock:item1}}" in p for p in problems("Only {{stock:item1}} left", VALUES))
    assert any("braces" in p for p in problems("Hi {name}", VALUES))
