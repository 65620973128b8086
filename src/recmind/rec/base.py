"""The Recommender contract every model implements, and the shared machinery around it
(unknown users, filters, tie-breaking, batching)."""

from __future__ import annotations

import copy
import json
import time
from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, Self, cast

import numpy as np
import scipy.sparse as sp
from pydantic import BaseModel, ConfigDict

from recmind.rec.interactions import Interactions, ItemCatalog
from recmind.rec.topk import tiebreak_keys, top_k


class ModelConfig(BaseModel):
    """Base of every model's hyperparameters: unknown fields are an error."""

    model_config = ConfigDict(extra="forbid", frozen=True)


@dataclass(frozen=True)
class Filters:
    """Business rules applied to every recommendation list."""

    exclude_seen: bool = True
    """Drop items the user already interacted with in the training data."""
    categories: tuple[str, ...] = ()
    """Keep only items in one of these categories (or their sub-categories); empty = all."""
    in_stock: bool = False
    """Keep only items whose stock is unknown or positive."""
    exclude_items: tuple[str, ...] = ()
    """Never return these item ids."""


@dataclass(frozen=True)
class Recommendations:
    """Ranked lists for a batch of users: ``item_ids`` and ``scores`` are ``(n_users, k)``;
    a list shorter than ``k`` (filters left too few items) is padded with ``None``/NaN."""

    user_ids: np.ndarray
    item_ids: np.ndarray
    scores: np.ndarray
    model: str
    known_users: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))

    def for_user(self, row: int) -> list[tuple[str, float]]:
        """The ``(item_id, score)`` pairs of one row, padding removed."""
        return [
            (str(i), float(s))
            for i, s in zip(self.item_ids[row], self.scores[row], strict=True)
            if i is not None
        ]


class DataTooLargeError(MemoryError):
    """A model cannot be fitted on data this large with the memory this machine has."""


class Recommender(ABC):
    """Fit on interactions, then rank every catalogue item for a batch of users.

    Subclasses set ``name`` and ``Config`` and implement ``_fit`` and ``_score``; scoring
    unknown users (popularity), filters, tie-breaking and id mapping live here so every
    model behaves the same way.
    """

    name: ClassVar[str]
    Config: ClassVar[type[ModelConfig]]
    batch_size: ClassVar[int] = 512
    scoring_params: ClassVar[frozenset[str]] = frozenset()
    """Config fields read only when scoring: models whose configs differ in nothing else
    fit identically, so one fit serves them all (see :meth:`with_config`)."""

    def __init__(self, config: ModelConfig | dict[str, Any] | None = None, *, seed: int = 0):
        if config is None:
            config = self.Config()
        elif isinstance(config, dict):
            config = self.Config(**config)
        self.config = config
        self.seed = seed

    @classmethod
    def search_space(cls) -> list[dict[str, Any]]:
        """Hyperparameter candidates tried on the validation target (default: just one)."""
        return [{}]

    def check_fits(self, n_users: int, n_items: int) -> None:
        """Raise :class:`DataTooLargeError` when this model cannot be fitted on data of
        this size here (default: every size fits). Called before any work starts, so an
        evaluation or a training run fails at once with the reason, not after hours."""
        del n_users, n_items

    def fit_key(self) -> str:
        """The config without :attr:`scoring_params`: equal keys, equal fits."""
        fields = self.config.model_dump(mode="json", exclude=set(self.scoring_params))
        return json.dumps(fields, sort_keys=True)

    def with_config(self, config: ModelConfig) -> Self:
        """A shallow copy of this fitted model that scores with ``config``, which may differ
        from the fitted one only in :attr:`scoring_params` (ValueError otherwise)."""
        clone = copy.copy(self)
        clone.config = config
        if clone.fit_key() != self.fit_key():
            raise ValueError(
                f"{self.name}: only {sorted(self.scoring_params)} may change after fitting"
            )
        return clone

    # -- fitting ---------------------------------------------------------------------

    def fit(self, interactions: Interactions, items: ItemCatalog | None = None) -> Self:
        """Learn from ``interactions``; ``items`` (aligned to its item ids) enables the
        category and stock filters."""
        self.interactions_ = interactions
        self.catalog_ = items if items is not None else ItemCatalog.bare(interactions.item_ids)
        if len(self.catalog_) != interactions.n_items:
            raise ValueError(
                f"catalogue has {len(self.catalog_)} items but interactions index "
                f"{interactions.n_items}: build both on the same item ids"
            )
        self.seen_ = interactions.matrix()
        popularity = interactions.item_popularity()
        self.fallback_scores_ = popularity / max(float(popularity.max(initial=0.0)), 1.0)
        self.tiebreak_ = tiebreak_keys(interactions.n_items, self.seed)
        self.item_first_seen_ = interactions.item_first_seen()
        self._fit(interactions)
        return self

    @abstractmethod
    def _fit(self, interactions: Interactions) -> None:
        """Model-specific training."""

    @abstractmethod
    def _score(self, user_index: np.ndarray) -> np.ndarray:
        """Scores ``(len(user_index), n_items)`` for users known at training time."""

    # -- scoring ---------------------------------------------------------------------

    def score_users(self, user_index: np.ndarray) -> np.ndarray:
        """Scores for dense user indices; -1 (unknown user) gets normalised popularity."""
        user_index = np.asarray(user_index, dtype=np.int64)
        scores = np.empty((len(user_index), self.interactions_.n_items), dtype=np.float64)
        known = user_index >= 0
        if known.any():
            scores[known] = self._score(user_index[known])
        if (~known).any():
            scores[~known] = self.fallback_scores_
        return scores

    def score_histories(self, histories: Sequence[Sequence[int]]) -> np.ndarray:
        """Scores ``(len(histories), n_items)`` for ad-hoc histories of dense item indices in
        time order, oldest first: a visitor's session, or a user's events up to this request
        (so an event stored a moment ago changes the next recommendations without
        retraining). Negative indices (items outside the model's index) are ignored; an
        empty history gets normalised popularity.

        Every registered model overrides this; the contract suite checks it.
        """
        raise NotImplementedError(f"{type(self).__name__} cannot score ad-hoc histories")

    def score_histories_at(
        self,
        histories: Sequence[Sequence[int]],
        now: float | Sequence[float] | np.ndarray,
        *,
        last_seen: Sequence[float] | np.ndarray | None = None,
    ) -> np.ndarray:
        """Scores of ad-hoc histories as they stood at the moment ``now`` (epoch seconds,
        one for all or one per history): the one scoring path of the server (which passes
        the request's clock) and of the evaluation harness (which passes each protocol's
        moment), so both rank the same way.

        Nothing after ``now`` may be read: an item whose first interaction in the training
        data came after ``now`` did not exist yet and scores ``-inf``; models whose scores
        depend on time (popularity, the hybrid's features) compute them at ``now``
        (:meth:`_score_histories_at`). ``last_seen`` is each person's latest event time, one
        per history (default: ``now``, they are active this moment; a later time reads as
        ``now``). An item nobody touched in training has no first interaction and stays
        rankable (a catalogue item not yet taken up).
        """
        moments = as_moments(now, len(histories))
        seen = _last_seen(last_seen, moments)
        scores = np.asarray(self._score_histories_at(histories, moments, seen), dtype=np.float64)
        future = future_items(self._first_seen(), moments)
        if future is not None:
            scores = np.where(future, -np.inf, scores)
        return scores

    def _score_histories_at(
        self, histories: Sequence[Sequence[int]], now: np.ndarray, last_seen: np.ndarray
    ) -> np.ndarray:
        """Model-specific scores at per-history moments (default: the moment does not
        change this model's scores, :meth:`score_histories`)."""
        del now, last_seen
        return self.score_histories(histories)

    def _first_seen(self) -> np.ndarray:
        """Per item, its first interaction time in the training data (``inf``: none;
        artefacts saved before this existed know no times, so nothing is masked)."""
        first = getattr(self, "item_first_seen_", None)
        if first is None:
            return np.full(self.interactions_.n_items, np.inf)
        return np.asarray(first, dtype=np.float64)

    def recommend_histories_at(
        self,
        histories: Sequence[Sequence[int]],
        now: float | Sequence[float] | np.ndarray,
        k: int = 10,
        filters: Filters | None = None,
        *,
        last_seen: Sequence[float] | np.ndarray | None = None,
        exclude: sp.csr_matrix | None = None,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Top-``k`` dense item indices and scores of :meth:`score_histories_at`; with
        ``filters.exclude_seen`` the history's own items are excluded, and ``exclude``
        (rows aligned with ``histories``) removes further items."""
        filters = filters or Filters()
        moments = as_moments(now, len(histories))
        seen_at = None if last_seen is None else _last_seen(last_seen, moments)
        allowed = self._filter_mask(filters)
        out_idx = np.full((len(histories), k), -1, dtype=np.int64)
        out_scores = np.full((len(histories), k), np.nan, dtype=np.float64)
        for start, stop in _batches(len(histories), self.batch_size):
            batch = [np.asarray(h, dtype=np.int64).reshape(-1) for h in histories[start:stop]]
            # ndarray rows are sequences of ints at runtime; typing cannot say so.
            scores = self.score_histories_at(
                cast(Sequence[Sequence[int]], batch),
                moments[start:stop],
                last_seen=None if seen_at is None else seen_at[start:stop],
            )
            scores[:, ~allowed] = -np.inf
            if filters.exclude_seen:
                for row, history in enumerate(batch):
                    scores[row, history[history >= 0]] = -np.inf
            if exclude is not None:
                _mask_rows(scores, exclude[start:stop], np.arange(stop - start))
            out_idx[start:stop], out_scores[start:stop] = top_k(scores, k, self.tiebreak_)
        return out_idx, out_scores

    def recommend_histories(
        self,
        histories: Sequence[Sequence[int]],
        k: int = 10,
        filters: Filters | None = None,
    ) -> tuple[np.ndarray, np.ndarray]:
        """:meth:`recommend_histories_at` now (the wall clock)."""
        return self.recommend_histories_at(histories, time.time(), k, filters)

    def _filter_mask(self, filters: Filters) -> np.ndarray:
        """Items allowed by the user-independent filters."""
        allowed = np.ones(self.interactions_.n_items, dtype=bool)
        if filters.categories:
            allowed &= self.catalog_.category_mask(filters.categories)
        if filters.in_stock:
            allowed &= self.catalog_.in_stock
        if filters.exclude_items:
            banned = self.interactions_.lookup_items(list(filters.exclude_items))
            allowed[banned[banned >= 0]] = False
        return allowed

    def recommend_indices(
        self,
        user_index: np.ndarray,
        k: int,
        filters: Filters | None = None,
        *,
        exclude: sp.csr_matrix | None = None,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Top-``k`` dense item indices and scores for dense user indices.

        ``exclude`` (users x items, rows aligned with ``user_index``) removes further items,
        for example everything the user touched in an evaluation's training data.
        """
        filters = filters or Filters()
        user_index = np.asarray(user_index, dtype=np.int64)
        allowed = self._filter_mask(filters)
        out_idx = np.full((len(user_index), k), -1, dtype=np.int64)
        out_scores = np.full((len(user_index), k), np.nan, dtype=np.float64)
        for start, stop in _batches(len(user_index), self.batch_size):
            batch = user_index[start:stop]
            scores = self.score_users(batch)
            scores[:, ~allowed] = -np.inf
            if filters.exclude_seen:
                known = np.flatnonzero(batch >= 0)
                _mask_rows(scores, self.seen_[batch[known]], known)
            if exclude is not None:
                _mask_rows(scores, exclude[start:stop], np.arange(stop - start))
            out_idx[start:stop], out_scores[start:stop] = top_k(scores, k, self.tiebreak_)
        return out_idx, out_scores

    def recommend(
        self, user_ids: Sequence[str], k: int = 10, filters: Filters | None = None
    ) -> Recommendations:
        """Ranked recommendations for a batch of external user ids (unknown ids get the
        popular items)."""
        user_index = self.interactions_.lookup_users(user_ids)
        idx, scores = self.recommend_indices(user_index, k, filters)
        item_ids = np.asarray(self.interactions_.item_ids[np.maximum(idx, 0)], dtype=object)
        item_ids[idx < 0] = None
        return Recommendations(
            user_ids=np.asarray([str(u) for u in user_ids], dtype=object),
            item_ids=item_ids,
            scores=scores,
            model=self.name,
            known_users=user_index >= 0,
        )


def future_items(first_seen: np.ndarray, moments: np.ndarray) -> np.ndarray | None:
    """``(len(moments), n_items)``: True where an item was first touched after the moment
    (it did not exist yet); ``None`` when no item was (every moment at or after the data,
    as every request of the server is: no matrix is built). An item nobody touched
    (``inf``) is a catalogue item that exists at every moment."""
    first = np.where(np.isfinite(first_seen), first_seen, -np.inf)
    moments = np.asarray(moments, dtype=np.float64)
    if not len(moments) or first.max(initial=-np.inf) <= moments.min():
        return None
    future: np.ndarray = first[np.newaxis, :] > moments[:, np.newaxis]
    return future if future.any() else None


def as_moments(now: float | Sequence[float] | np.ndarray, n: int) -> np.ndarray:
    """``now`` as one float64 moment per history (a scalar is broadcast)."""
    moments = np.asarray(now, dtype=np.float64)
    if moments.ndim == 0:
        return np.full(n, float(moments))
    moments = moments.reshape(-1)
    if len(moments) != n:
        raise ValueError(f"{len(moments)} moments for {n} histories")
    return moments


def _last_seen(last_seen: Sequence[float] | np.ndarray | None, moments: np.ndarray) -> np.ndarray:
    """One latest-event time per moment, none after it (``None``: the moments)."""
    if last_seen is None:
        return moments.copy()
    seen = np.asarray(last_seen, dtype=np.float64).reshape(-1)
    if len(seen) != len(moments):
        raise ValueError(f"{len(seen)} last_seen times for {len(moments)} histories")
    earlier: np.ndarray = np.minimum(seen, moments)
    return earlier


def _batches(n: int, size: int) -> Iterator[tuple[int, int]]:
    for start in range(0, n, size):
        yield start, min(start + size, n)


def _mask_rows(scores: np.ndarray, matrix: sp.csr_matrix, rows: np.ndarray) -> None:
    """Set ``scores[rows[r], j] = -inf`` for every stored entry ``(r, j)`` of ``matrix``."""
    coo = matrix.tocoo()
    scores[rows[coo.row], coo.col] = -np.inf
