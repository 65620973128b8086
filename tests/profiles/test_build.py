"""build_profile on a hand-made bundle, through the store, with the real SmolLM2, and on
MovieLens 100K."""

from __future__ import annotations

from pathlib import Path

import pytest

from recmind.data.bundle import DataBundle
from recmind.data.datasets import load_dataset
from recmind.data.importer import import_bundle
from recmind.data.store import Store
from recmind.profiles import ProfileIndex, build_profile
from recmind.profiles.portrait import portrait_facts
from recmind.text.llm.local import LocalGGUFGenerator


def test_profile_of_a_user(bundle: DataBundle) -> None:
    profile = build_profile(bundle, "u1")
    assert (profile.n_events, profile.n_items, profile.event_counts) == (4, 4, {"rating": 4})
    assert profile.first_seen is not None and profile.last_seen is not None
    assert profile.first_seen < profile.last_seen
    names = [t.tag for t in profile.tags]
    assert names[:2] == ["Action", "Sci-Fi"]
    assert "Crime" not in names  # Fargo was rated 1: activity, not an interest
    assert [r.title for r in profile.recent] == [
        "Toy Story (1995)",
        "Fargo (1996)",
        "Return of the Jedi (1983)",
        "Star Wars (1977)",
    ]
    assert profile.recent[1].value == 1.0
    assert profile.portrait_source == "template"
    assert '"Toy Story (1995)"' in profile.portrait
    assert "Fargo" not in profile.portrait


def test_user_without_events_and_unknown_user(bundle: DataBundle) -> None:
    quiet = build_profile(bundle, "u3")
    assert (quiet.n_events, quiet.tags, quiet.portrait) == (0, [], "No activity yet.")
    assert quiet.first_seen is None
    with pytest.raises(KeyError, match="nobody"):
        build_profile(bundle, "nobody")


def test_profile_from_a_store(bundle: DataBundle, sqlite_store: Store, tmp_path: Path) -> None:
    import_bundle(sqlite_store, bundle, quarantine_dir=tmp_path / "q")
    from_store = build_profile(sqlite_store, "u1")
    assert [t.tag for t in from_store.tags] == [t.tag for t in build_profile(bundle, "u1").tags]


def test_to_dict_is_plain_data(bundle: DataBundle) -> None:
    data = build_profile(bundle, "u2").to_dict()
    assert data["user_id"] == "u2" and data["tags"][0]["tag"]
    assert data["recent"][0]["title"] == "Game, The (1997)"


def test_generated_portrait_is_checked(bundle: DataBundle, smollm: LocalGGUFGenerator) -> None:
    index = ProfileIndex(bundle)
    profile = build_profile(index, "u1", smollm, max_attempts=1, max_tokens=40, seed=1)
    assert len(profile.portrait_reports) == 1
    titles = [index.titles[r.item_id] for r in profile.recent if r.item_id != "4"]
    names = portrait_facts([t.tag for t in profile.tags], titles)
    facts = profile.portrait_facts
    assert (facts.titles, facts.terms) == (names.titles, names.terms)
    assert facts.claims is not None  # the claims are checked against the titles' ratings
    assert [(h.title, h.rating, h.recent) for h in facts.claims.history] == [
        (t, r, True) for t, r in zip(titles, [4.0, 4.0, 5.0], strict=True)
    ]
    assert index.checker.check(profile.portrait, profile.portrait_facts).ok
    assert (profile.portrait_source == "llm") == profile.portrait_reports[-1].ok


@pytest.fixture(scope="module")
def movielens() -> ProfileIndex:
    return ProfileIndex(load_dataset("movielens-100k"))


@pytest.mark.parametrize("user", ["1", "42", "405"])
def test_movielens_profiles_name_only_what_exists(movielens: ProfileIndex, user: str) -> None:
    profile = build_profile(movielens, user)
    all_tags = {tag for tags in movielens.tags.values() for tag, _ in tags}
    assert profile.tags and {t.tag for t in profile.tags} <= all_tags
    assert all(r.title == movielens.titles[r.item_id] for r in profile.recent)
    assert profile.n_events == int((movielens.events["user_id"] == user).sum())
    assert set(profile.portrait_facts.titles) <= set(movielens.titles.values())
    assert set(profile.portrait_facts.terms) <= {t.tag for t in profile.tags}
    report = movielens.checker.check(profile.portrait, profile.portrait_facts)
    assert report.ok, report.violations
