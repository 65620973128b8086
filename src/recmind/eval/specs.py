"""Which models an evaluation runs and how each one is built (names, aliases, candidates)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from recmind.rec.base import Recommender

ModelFactory = Callable[[dict[str, Any], int], Recommender]
"""Builds an unfitted model from hyperparameters and a seed."""

ALIASES = {"pop": "popular"}
"""Short names accepted by ``--models``; results stay keyed by the name as given."""


@dataclass(frozen=True)
class ModelSpec:
    """One model to evaluate: ``label`` is the name the user gave, ``name`` the registry's."""

    label: str
    name: str
    factory: ModelFactory
    candidates: tuple[dict[str, Any], ...]

    @property
    def n_steps(self) -> int:
        """Progress steps: one per tuning candidate (none when there is only one) plus the
        final fit and test."""
        return (len(self.candidates) if len(self.candidates) > 1 else 0) + 1

    def check_fits(self, n_users: int, n_items: int, seed: int) -> None:
        """Raise :class:`~recmind.rec.base.DataTooLargeError` when this model cannot be
        fitted on data of this size here (see :meth:`Recommender.check_fits`)."""
        self.factory(dict(self.candidates[0]), seed).check_fits(n_users, n_items)


def _registry_models() -> Mapping[str, type[Recommender]]:
    from recmind.rec import registry

    models: Mapping[str, type[Recommender]] = registry.MODELS
    return models


def _registry_factory(name: str) -> ModelFactory:
    from recmind.rec import registry

    def build(params: dict[str, Any], seed: int) -> Recommender:
        model: Recommender = registry.create_model(name, params, seed=seed)
        return model

    return build


def _class_factory(cls: type[Recommender]) -> ModelFactory:
    def build(params: dict[str, Any], seed: int) -> Recommender:
        return cls(params, seed=seed)

    return build


def resolve_models(
    names: Sequence[str] | None = None,
    registry: Mapping[str, type[Recommender]] | None = None,
) -> list[ModelSpec]:
    """Specs for ``names`` (default: every model of the registry), resolving aliases.

    Args:
        names: Model names as the user typed them; ``None`` or empty means all.
        registry: Name -> model class to resolve in; default ``recmind.rec.registry.MODELS``
            (models are then built with ``create_model``).

    Raises:
        ValueError: A name is neither a model nor an alias of one.
    """
    classes = registry if registry is not None else _registry_models()
    wanted = list(dict.fromkeys(n.strip() for n in names or [] if n.strip())) or list(classes)
    specs = []
    for label in wanted:
        name = ALIASES.get(label.lower(), label.lower())
        if name not in classes:
            known = ", ".join(sorted(classes))
            raise ValueError(f"unknown model {label!r}; available: {known}")
        cls = classes[name]
        factory = _class_factory(cls) if registry is not None else _registry_factory(name)
        candidates = tuple(dict(c) for c in cls.search_space()) or ({},)
        specs.append(ModelSpec(label=label, name=name, factory=factory, candidates=candidates))
    return specs
