"""The issue's MovieLens 100K sentences, checked by the claim checker against the facts the
explainer builds (real ratings, tags and popularity): each now fails for the reason a
reader would give, and its true counterpart passes."""

from __future__ import annotations

from dataclasses import replace

import pytest

from recmind.data.bundle import DataBundle
from recmind.data.datasets import load_dataset
from recmind.rec.ease import EASERecommender
from recmind.rec.explain import Explainer, Explanation
from recmind.rec.interactions import Interactions, ItemCatalog

pytestmark = pytest.mark.slow
USER = "190"
"""Rated Air Force One 4 and Liar Liar 3 long ago; lately Broken Arrow 3, Mission:
Impossible 4."""


@pytest.fixture(scope="module")
def movielens() -> tuple[DataBundle, Explainer]:
    bundle = load_dataset("movielens-100k")
    items = bundle.items["item_id"].astype(str).to_numpy()
    data = Interactions.from_frame(bundle.events, item_ids=items)
    ease = EASERecommender({"l2": 100.0}).fit(data, ItemCatalog.from_frame(bundle.items, items))
    return bundle, Explainer(ease, bundle)


def _id(bundle: DataBundle, title: str) -> str:
    found = bundle.items.loc[bundle.items["title"] == title, "item_id"]
    return str(found.iloc[0])


def _explain(
    movielens: tuple[DataBundle, Explainer], target: str, because: list[str]
) -> Explanation:
    bundle, explainer = movielens
    plain = explainer.explain_one(USER, _id(bundle, target))
    history = tuple(explainer.contribution(USER, _id(bundle, t)) for t in because)
    return replace(plain, because=history)


def _claims(explainer: Explainer, text: str, explanation: Explanation) -> list[str]:
    report = explainer.checker.check(text, explanation.facts())
    return [v.reason for v in report.violations]


def test_many_viewers_enjoyed_needs_the_counts(movielens: tuple[DataBundle, Explainer]) -> None:
    _, explainer = movielens
    quiet = _explain(movielens, "Basquiat (1996)", ["Air Force One (1997)"])
    found = _claims(
        explainer, "Basquiat is a drama from the 1990s that many viewers enjoyed.", quiet
    )
    assert found == ["popularity: the facts give no count of 100 or more"]
    loved = _explain(movielens, "Fargo (1996)", ["Air Force One (1997)"])
    assert loved.popularity is not None and (loved.popularity.positive or 0) >= 100
    assert (
        _claims(explainer, "Fargo is a drama from the 1990s that many viewers enjoyed.", loved)
        == []
    )


def test_other_popular_films_needs_a_popularity_rank(
    movielens: tuple[DataBundle, Explainer],
) -> None:
    _, explainer = movielens
    quiet = _explain(movielens, "Basquiat (1996)", ["Juror, The (1996)"])  # both dramas
    found = _claims(explainer, "Basquiat shares tags with other popular films.", quiet)
    assert len(found) == 1 and found[0].startswith("popularity: the facts give no best-seller")


def test_themes_shared_with_a_comedy(movielens: tuple[DataBundle, Explainer]) -> None:
    _, explainer = movielens
    action = _explain(movielens, "Con Air (1997)", ["Air Force One (1997)", "Liar Liar (1997)"])
    text = "Con Air shares similar themes and storytelling with Air Force One and Liar Liar."
    assert _claims(explainer, text, action) == ["similarity: shares no tag with Liar Liar"]
    text = "Con Air shares similar themes with Air Force One."
    assert _claims(explainer, text, action) == []


def test_recently_enjoyed_needs_a_high_recent_rating(
    movielens: tuple[DataBundle, Explainer],
) -> None:
    _, explainer = movielens
    titles = ["Broken Arrow (1996)", "Mission: Impossible (1996)", "Liar Liar (1997)"]
    action = _explain(movielens, "Con Air (1997)", titles)
    assert [(c.rating, c.recent) for c in action.because] == [(3, True), (4, True), (3, False)]
    found = _claims(explainer, "Because you recently enjoyed Broken Arrow, try Con Air.", action)
    assert found == ["history: Broken Arrow (1996) was rated 3 of 5"]
    found = _claims(
        explainer, "Because you recently enjoyed Mission: Impossible, try Con Air.", action
    )
    assert found == []


def test_the_template_reason_passes(movielens: tuple[DataBundle, Explainer]) -> None:
    bundle, explainer = movielens
    for target in ("Con Air (1997)", "Basquiat (1996)", "Fargo (1996)"):
        explanation = explainer.explain_one(USER, _id(bundle, target))
        assert explainer.checker.check(explanation.reason, explanation.facts()).ok
