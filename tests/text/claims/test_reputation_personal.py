"""A rating the text gives as the person's own ("which they rate 5/5") is checked against
their history, not against the item's average (a portrait says what the person rated)."""

from __future__ import annotations

from recmind.text.claims import check

HISTORY = {
    "items": [],
    "history": [{"title": "Star Wars", "rating": 5}, {"title": "Fargo", "rating": 3}],
}


def test_the_persons_own_rating_is_read_from_their_history() -> None:
    verdict = check("They love Star Wars, which they rate 5/5.", HISTORY)
    assert verdict.ok
    assert any(c.kind == "history" and c.supported for c in verdict.claims)


def test_a_rating_they_did_not_give_fails() -> None:
    verdict = check("They love Fargo, which they rate 5/5.", HISTORY)
    assert not verdict.ok
    assert any(c.kind == "history" and not c.supported for c in verdict.claims)


def test_a_rating_said_of_the_item_still_needs_its_average() -> None:
    assert not check("Star Wars is rated 5/5 by critics.", HISTORY).ok


def test_chinese_personal_rating() -> None:
    assert check("他给了Star Wars 5分。", HISTORY).ok
    assert not check("他给了Fargo 5分。", HISTORY).ok
