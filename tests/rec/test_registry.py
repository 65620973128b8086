"""The model registry and every model's configuration surface."""

from __future__ import annotations

import pydantic
import pytest

from recmind.rec.base import Recommender
from recmind.rec.registry import MODELS, available_models, create_model


def test_stable_order() -> None:
    assert available_models() == [
        "popular",
        "itemknn",
        "ease",
        "als",
        "semantic",
        "sequential",
        "hybrid",
    ]
    assert list(MODELS) == available_models()


@pytest.mark.parametrize("name", list(MODELS))
def test_create_model(name: str) -> None:
    model = create_model(name, seed=4)
    assert isinstance(model, Recommender) and model.name == name and model.seed == 4
    assert model.config == MODELS[name].Config()


def test_params_are_validated() -> None:
    assert create_model("ease", {"l2": 42.0}).config.model_dump() == {"l2": 42.0, "dropout": 0.0}
    with pytest.raises(pydantic.ValidationError, match="lambda"):
        create_model("ease", {"lambda": 42.0})


def test_unknown_model_lists_valid_ones() -> None:
    with pytest.raises(ValueError, match=r"unknown model 'bpr'.*popular, itemknn, ease, als"):
        create_model("bpr")


@pytest.mark.parametrize("name", list(MODELS))
def test_search_space_is_small_and_valid(name: str) -> None:
    space = MODELS[name].search_space()
    assert 1 <= len(space) <= 12  # keeps the ml-100k evaluation of all baselines < 2 min
    assert len({tuple(sorted(p.items())) for p in space}) == len(space)
    for params in space:
        MODELS[name].Config(**params)


@pytest.mark.parametrize("name", list(MODELS))
def test_every_config_field_is_documented(name: str) -> None:
    for field_name, field in MODELS[name].Config.model_fields.items():
        assert field.description, f"{name}.{field_name} has no description"
