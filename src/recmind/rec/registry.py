"""The recommenders recmind can train, by name."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from importlib import import_module
from typing import Any

from recmind.rec.base import Recommender

_MODEL_PATHS: dict[str, str] = {
    "popular": "recmind.rec.popular:PopularityRecommender",
    "itemknn": "recmind.rec.itemknn:ItemKNNRecommender",
    "ease": "recmind.rec.ease:EASERecommender",
    "als": "recmind.rec.als:ALSRecommender",
    "semantic": "recmind.rec.semantic:SemanticRecommender",
    "sequential": "recmind.rec.sequential.recommender:SequentialRecommender",
    "hybrid": "recmind.rec.hybrid.recommender:HybridRecommender",
}


class _LazyModels(Mapping[str, type[Recommender]]):
    """Model classes by name, imported on first use.

    Importing every model eagerly pulls in torch, LightGBM and faiss (about 5 s), which every
    CLI command and the server would pay at start-up even when they never train.
    """

    def __init__(self, paths: dict[str, str]) -> None:
        self._paths = paths
        self._loaded: dict[str, type[Recommender]] = {}

    def __getitem__(self, name: str) -> type[Recommender]:
        if name not in self._loaded:
            module_name, _, attribute = self._paths[name].partition(":")
            model_cls = getattr(import_module(module_name), attribute)
            if model_cls.name != name:
                raise RuntimeError(f"{self._paths[name]} is registered as {name!r}")
            self._loaded[name] = model_cls
        return self._loaded[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._paths)

    def __len__(self) -> int:
        return len(self._paths)


MODELS: Mapping[str, type[Recommender]] = _LazyModels(_MODEL_PATHS)
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
