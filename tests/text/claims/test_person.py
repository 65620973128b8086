"""Claims about the person (their history, ratings, recency) and likeness between titles
(shared tags, decades aside), English and Chinese."""

from __future__ import annotations

from typing import Any

import pytest

from recmind.text.claims import check

FILMS: dict[str, Any] = {
    "items": [
        {"item_id": "275", "title": "Fargo (1996)", "tags": ["Crime", "Drama", "Thriller", "1990s"]}
    ],
    "history": [
        {"title": "Pulp Fiction (1994)", "rating": 5, "recent": True, "tags": ["Crime", "Drama"]},
        {"title": "Liar Liar (1997)", "rating": 3, "recent": True, "tags": ["Comedy", "1990s"]},
        {"title": "Air Force One (1997)", "rating": 4, "tags": ["Action", "Thriller", "1990s"]},
    ],
}
ZH_FILMS: dict[str, Any] = {
    "items": [{"item_id": "b", "title": "霸王别姬 (1993)", "tags": ["剧情", "爱情", "1990s"]}],
    "history": [
        {"title": "活着 (1994)", "rating": 5, "recent": True, "tags": ["剧情", "1990s"]},
        {"title": "大话西游 (1995)", "rating": 3, "recent": True, "tags": ["喜剧", "1990s"]},
    ],
}


@pytest.mark.parametrize(
    ("text", "ok"),
    [
        ("Fargo is recommended because you loved Pulp Fiction.", True),
        ("You recently enjoyed Pulp Fiction, so try Fargo.", True),
        ("Because you liked Liar Liar and Air Force One, here is Fargo.", True),
        ("If you enjoyed Liar Liar, you might like Fargo.", True),
        ("You recently enjoyed Liar Liar, so try Fargo.", False),
        ("You recently loved Air Force One.", False),
        ("You've watched Fargo three times.", False),
        ("You watched Pulp Fiction three times.", False),
    ],
)
def test_history_claims(text: str, ok: bool) -> None:
    assert check(text, FILMS).ok is ok, check(text, FILMS).claims


@pytest.mark.parametrize(
    ("text", "ok"),
    [
        ("Fargo shares its crime and drama with Pulp Fiction.", True),
        ("Like Air Force One, Fargo is a thriller.", True),
        ("Fargo shares similar themes and storytelling with Air Force One and Liar Liar.", False),
        ("Fargo has the same comic timing as Liar Liar.", False),
        ("Fargo is similar to Liar Liar.", False),
    ],
)
def test_likeness_claims(text: str, ok: bool) -> None:
    assert check(text, FILMS).ok is ok, check(text, FILMS).claims


def test_the_unsupported_likeness_names_the_title() -> None:
    verdict = check("Fargo shares themes with Air Force One and Liar Liar.", FILMS)
    [wrong] = verdict.unsupported
    assert wrong.kind == "similarity" and wrong.text.endswith("Liar Liar")
    assert wrong.reason == "shares no tag with Liar Liar"


@pytest.mark.parametrize(
    ("text", "ok"),
    [
        ("因为你喜欢《活着》，推荐你看同为剧情片的《霸王别姬》。", True),
        ("《霸王别姬》和你最近很喜欢的《活着》都是剧情片。", True),
        ("你最近很喜欢《大话西游》，所以推荐《霸王别姬》。", False),
        ("《霸王别姬》和《大话西游》有相似的主题和叙事。", False),
    ],
)
def test_chinese_person_and_likeness(text: str, ok: bool) -> None:
    assert check(text, ZH_FILMS).ok is ok, check(text, ZH_FILMS).claims


def test_no_history_no_history_claim() -> None:
    facts = {"items": FILMS["items"]}
    assert not check("Because you loved Pulp Fiction, here is Fargo.", facts).ok
