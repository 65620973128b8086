"""Candidate sources: fitted models that score every item for a history at a moment.

Each source wraps one model (EASE, ALS, ItemKNN, popularity, text similarity, the SASRec
transformer, or the item-to-item transition counts defined here) and gives full score rows;
the hybrid takes the top of every row as candidates and every row's value as a feature.
Sources score histories only (never a user index), so training, evaluation and serving
give a source the same input: what the person did up to the moment.
"""

from __future__ import annotations

import importlib.util
import logging
from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import Any, cast

import numpy as np
import scipy.sparse as sp

from recmind.rec.base import Recommender
from recmind.rec.hybrid.config import DEFAULT_SOURCES, KNOWN_SOURCES
from recmind.rec.interactions import Interactions, ItemCatalog

logger = logging.getLogger(__name__)

SOURCE_DEFAULTS: dict[str, dict[str, Any]] = {
    "ease": {"l2": 100.0, "dropout": 0.2},
    "als": {"factors": 64, "regularization": 1.0, "alpha": 2.0, "iterations": 15},
    "itemknn": {"neighbors": 50},
    "popular": {"half_life_days": 30.0},
    "trending": {"half_life_days": 3.0},
    "semantic": {"half_life_events": 3.0},
    "transitions": {"window": 3, "last": 5},
    "sequential": {},
}
"""Fixed, literature-range hyperparameters: never chosen on an evaluation target."""

OPTIONAL_SOURCES = frozenset({"semantic", "sequential"})
"""Sources that ``sources=None`` drops (with a warning) when they cannot load here."""
COLD_CAPABLE_SOURCES = frozenset({"semantic", "sequential"})
"""Sources that can score an item without interactions (they read its text); with none of
them no candidate is ever an item nobody has touched."""
MAX_EASE_ITEMS = 25_000
"""``sources=None`` leaves EASE out above this many items: its dense item x item matrix
would take 2.5 GB (float32) and its inverse minutes."""


class Source(ABC):
    """A fitted scorer of (history, item) pairs."""

    name: str

    @abstractmethod
    def fit(self, interactions: Interactions, catalog: ItemCatalog, seed: int) -> None:
        """Learn from ``interactions``."""

    @abstractmethod
    def history_scores(self, histories: Sequence[np.ndarray], moments: np.ndarray) -> np.ndarray:
        """float32 ``(len(histories), n_items)`` scores of histories (distinct dense item
        indices inside the index, oldest first, none empty), each at its moment (epoch
        seconds; only time-aware sources read it)."""


class RecommenderSource(Source):
    """Any :class:`Recommender` of the package, through ``score_histories_at``."""

    def __init__(self, name: str, model_cls: type[Recommender], params: dict[str, Any]):
        self.name = name
        self.model_cls = model_cls
        self.params = params

    def fit(self, interactions: Interactions, catalog: ItemCatalog, seed: int) -> None:
        self.model = self.model_cls(self.params, seed=seed).fit(interactions, catalog)

    def history_scores(self, histories: Sequence[np.ndarray], moments: np.ndarray) -> np.ndarray:
        rows = cast(Sequence[Sequence[int]], histories)  # int arrays index like lists
        return np.asarray(self.model.score_histories_at(rows, moments), dtype=np.float32)


def transition_matrix(interactions: Interactions, window: int, seed: int) -> sp.csr_matrix:
    """Item x item counts of "``b`` came within ``window`` steps after ``a``" over every
    user's time-ordered history, each pair weighted 1/distance, rows normalised to sum 1."""
    order = interactions.time_order(seed)
    users = interactions.user_index[order]
    items = interactions.item_index[order]
    rows: list[np.ndarray] = []
    cols: list[np.ndarray] = []
    vals: list[np.ndarray] = []
    for step in range(1, window + 1):
        same = users[step:] == users[:-step]
        rows.append(items[:-step][same])
        cols.append(items[step:][same])
        vals.append(np.full(int(same.sum()), 1.0 / step, dtype=np.float32))
    n = interactions.n_items
    counts = sp.csr_matrix(
        (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
        shape=(n, n),
        dtype=np.float32,
    )
    totals = np.asarray(counts.sum(axis=1)).ravel()
    scale = np.divide(1.0, totals, out=np.zeros_like(totals), where=totals > 0)
    return sp.csr_matrix(sp.diags(scale.astype(np.float32)) @ counts)


class TransitionSource(Source):
    """What other people engaged with right after the user's most recent items: a
    first-order Markov view of behaviour, cheap and strong on next-item data."""

    name = "transitions"

    def __init__(self, window: int = 3, last: int = 5):
        self.window = window
        self.last = last

    def fit(self, interactions: Interactions, catalog: ItemCatalog, seed: int) -> None:
        self.matrix_ = transition_matrix(interactions, self.window, seed)

    def history_scores(self, histories: Sequence[np.ndarray], moments: np.ndarray) -> np.ndarray:
        """Transitions from the ``last`` newest items of each history, weighted 1, 1/2,
        1/3, ... from the newest."""
        rows, cols, weights = [], [], []
        for row, history in enumerate(histories):
            recent = np.asarray(history[-self.last :], dtype=np.int64)
            rows.append(np.full(len(recent), row, dtype=np.int64))
            cols.append(recent)
            weights.append(1.0 / np.arange(len(recent), 0, -1, dtype=np.float32))
        recent_matrix = sp.csr_matrix(
            (np.concatenate(weights), (np.concatenate(rows), np.concatenate(cols))),
            shape=(len(histories), self.matrix_.shape[0]),
            dtype=np.float32,
        )
        return np.asarray((recent_matrix @ self.matrix_).toarray(), dtype=np.float32)


class SequentialSource(Source):
    """The SASRec transformer: trained once, then it reads each history at scoring time
    (no retraining needed to see the latest events)."""

    name = "sequential"

    def __init__(self, params: dict[str, Any]):
        self.params = params

    def fit(self, interactions: Interactions, catalog: ItemCatalog, seed: int) -> None:
        from recmind.rec.sequential import SequentialRecommender

        self.model = SequentialRecommender(self.params, seed=seed).fit(interactions, catalog)

    def history_scores(self, histories: Sequence[np.ndarray], moments: np.ndarray) -> np.ndarray:
        rows = [np.asarray(h, dtype=np.int64).tolist() for h in histories]
        return np.asarray(self.model.score_sequences(rows), dtype=np.float32)


def available(name: str) -> bool:
    """Whether the packages a source needs are importable here."""
    if name == "sequential":
        return (
            importlib.util.find_spec("torch") is not None
            and importlib.util.find_spec("recmind.rec.sequential") is not None
        )
    return True


def unsuitable(name: str, interactions: Interactions, catalog: ItemCatalog) -> str | None:
    """Why a default source would be useless or too costly on this data, else ``None``."""
    if name == "semantic":
        texts = catalog.texts if catalog.texts is not None else catalog.titles
        if not informative_texts(texts, catalog.item_ids):
            return "the items have no text beyond their ids"
    if name == "ease" and interactions.n_items > MAX_EASE_ITEMS:
        return f"{interactions.n_items} items is too many for its dense matrix"
    return None


def informative_texts(
    texts: Sequence[object] | np.ndarray, item_ids: Sequence[object] | np.ndarray
) -> bool:
    """Whether the item texts say anything beyond the ids: false when every text, with its
    own id taken out, is the same (``"196"``, or ``"product 196"`` for every item)."""
    rest = {str(t).replace(str(i), "").strip() for t, i in zip(texts, item_ids, strict=True)}
    return len(rest) > 1


def create_source(name: str, overrides: dict[str, Any] | None = None) -> Source:
    """A source by name with its defaults updated by ``overrides``."""
    if name not in SOURCE_DEFAULTS:
        raise ValueError(f"unknown source {name!r}; choose from {', '.join(KNOWN_SOURCES)}")
    params = {**SOURCE_DEFAULTS[name], **(overrides or {})}
    if name == "transitions":
        return TransitionSource(**params)
    if name == "sequential":
        return SequentialSource(params)
    return RecommenderSource(name, _recommender_class(name), params)


def _recommender_class(name: str) -> type[Recommender]:
    from recmind.rec.als import ALSRecommender
    from recmind.rec.ease import EASERecommender
    from recmind.rec.itemknn import ItemKNNRecommender
    from recmind.rec.popular import PopularityRecommender
    from recmind.rec.semantic import SemanticRecommender

    classes: dict[str, type[Recommender]] = {
        "ease": EASERecommender,
        "als": ALSRecommender,
        "itemknn": ItemKNNRecommender,
        "popular": PopularityRecommender,
        "trending": PopularityRecommender,
        "semantic": SemanticRecommender,
    }
    return classes[name]


def fit_sources(
    names: Sequence[str] | None,
    overrides: dict[str, dict[str, Any]],
    interactions: Interactions,
    catalog: ItemCatalog,
    seed: int,
) -> list[Source]:
    """Create and fit the named sources (``None``: every available one). With ``None``, an
    optional source that fails to load is skipped with a warning; a named one raises."""
    automatic = names is None
    wanted = [n for n in DEFAULT_SOURCES if available(n)] if names is None else list(names)
    fitted = []
    for name in wanted:
        reason = unsuitable(name, interactions, catalog) if automatic else None
        if reason:
            logger.info("hybrid: leaving out source %s (%s)", name, reason)
            continue
        source = create_source(name, overrides.get(name))
        try:
            source.fit(interactions, catalog, seed)
        except (ImportError, OSError) as error:
            if not (automatic and name in OPTIONAL_SOURCES):
                raise
            logger.warning("hybrid: skipping source %s (%s)", name, error)
            continue
        fitted.append(source)
    if not fitted:
        raise ValueError("the hybrid needs at least one candidate source")
    return fitted
