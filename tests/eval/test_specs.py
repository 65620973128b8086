"""Resolving model names, aliases and tuning candidates."""

from __future__ import annotations

import pytest

from recmind.eval.specs import resolve_models
from recmind.rec.base import Recommender


def test_alias_keeps_the_given_label(fake_registry: dict[str, type[Recommender]]) -> None:
    (spec,) = resolve_models(["pop"], fake_registry)
    assert (spec.label, spec.name) == ("pop", "popular")
    assert spec.n_steps == 1  # a single candidate: no tuning step


def test_all_models_by_default(fake_registry: dict[str, type[Recommender]]) -> None:
    specs = resolve_models(None, fake_registry)
    assert [s.label for s in specs] == list(fake_registry)
    random = next(s for s in specs if s.name == "fakerandom")
    assert random.candidates == ({"salt": 0}, {"salt": 1}, {"salt": 2})
    assert random.n_steps == 4


def test_duplicates_and_blanks_are_dropped(fake_registry: dict[str, type[Recommender]]) -> None:
    specs = resolve_models(["fakerandom", " ", "fakerandom"], fake_registry)
    assert [s.label for s in specs] == ["fakerandom"]


def test_factory_builds_with_params_and_seed(fake_registry: dict[str, type[Recommender]]) -> None:
    (spec,) = resolve_models(["fakerandom"], fake_registry)
    model = spec.factory({"salt": 2}, 9)
    assert model.config.salt == 2  # type: ignore[attr-defined]
    assert model.seed == 9


def test_unknown_model_lists_the_known_ones(fake_registry: dict[str, type[Recommender]]) -> None:
    with pytest.raises(ValueError, match=r"unknown model 'nope'; available: fakepopular"):
        resolve_models(["nope"], fake_registry)
