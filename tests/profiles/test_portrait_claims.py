"""A MovieLens 100K portrait is checked by the claim checker: leaked instructions and
"recently enjoyed" of titles rated 3 of 5 fail; the template portrait passes."""

from __future__ import annotations

import pytest

from recmind.data.datasets import load_dataset
from recmind.profiles import ProfileIndex, build_profile

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def index() -> ProfileIndex:
    return ProfileIndex(load_dataset("movielens-100k"))


def test_portrait_claims(index: ProfileIndex) -> None:
    profile = build_profile(index, "190")
    facts = profile.portrait_facts
    assert facts.claims is not None
    assert index.checker.check(profile.portrait, facts).ok  # the template
    leaked = "The customer's tastes for a marketing team include action and thrillers."
    report = index.checker.check(leaked, facts)
    assert [v.reason.split(":")[0] for v in report.violations] == ["leakage"]
    three = next(h for h in facts.claims.history if h.rating == 3)
    four = next(h for h in facts.claims.history if h.rating is not None and h.rating >= 4)
    enjoyed = 'They have recently enjoyed "{}".'
    assert not index.checker.check(enjoyed.format(three.title), facts).ok
    assert index.checker.check(enjoyed.format(four.title), facts).ok
