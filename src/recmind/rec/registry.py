"""The recommenders recmind can train, by name."""

from __future__ import annotations

from typing import Any

from recmind.rec.als import ALSRecommender
from recmind.rec.base import Recommender
from recmind.rec.ease import EASERecommender
from recmind.rec.hybrid.recommender import HybridRecommender
from recmind.rec.itemknn import ItemKNNRecommender
from recmind.rec.popular import PopularityRecommender
from recmind.rec.semantic import SemanticRecommender
from recmind.rec.sequential.recommender import SequentialRecommender

MODELS: dict[str, type[Recommender]] = {
    model.name: model
    for model in (
        PopularityRecommender,
        ItemKNNRecommender,
        EASERecommender,
        ALSRecommender,
        SemanticRecommender,
        SequentialRecommender,
        HybridRecommender,
    )
}
"""Every model, cheapest first (the order reports and the CLI list them in)."""

BASELINES = ("popular", "itemknn", "ease", "als")
"""The classic models every new one must beat in the same harness."""


def available_models() -> list[str]:
    """Names accepted by :func:`create_model`."""
    return list(MODELS)


def create_model(name: str, params: dict[str, Any] | None = None, *, seed: int = 0) -> Recommender:
    """An unfitted model; ``params`` are validated by its ``Config`` (unknown keys fail)."""
    try:
        model_cls = MODELS[name]
    except KeyError:
        valid = ", ".join(MODELS)
        raise ValueError(f"unknown model {name!r}; choose one of: {valid}") from None
    return model_cls(params or {}, seed=seed)
