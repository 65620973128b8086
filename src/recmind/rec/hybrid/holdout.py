"""The hybrid's internal splits: the ranker learns from interactions held out inside the
training data it is given, so no evaluation target is ever a label.

The main labels come from global time cuts (:func:`label_cuts`), the question the server
is asked: standing at a moment ``c``, knowing only what happened before it, which items
will each person take up next? For every cut the sources are fitted on the pairs first
seen before ``c``, each person with history then is one query scored at ``c`` (exactly
as the server scores a request, :mod:`recmind.rec.hybrid.queries`), and the labels are
the items they took up from ``c`` on that they had never touched before. Several cuts
(quantiles of the pairs' first-event times) give the ranker more queries and moments.

A second, separate split (:func:`cold_split`) holds out every interaction with a seeded
share of the items, so the ranker also meets items the sources have never seen (a new
catalogue entry, known only by its text and category) and learns when one deserves a
place; without it, item popularity features bury every new item.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

from recmind.rec.interactions import Interactions


@dataclass(frozen=True)
class InternalSplit:
    """``train`` is what the sources learn from; ``labels`` (users x items) the held-out
    pairs and ``users`` the users that have at least one and some history in ``train``;
    each is scored at ``moment`` (epoch seconds)."""

    train: Interactions
    labels: sp.csr_matrix
    users: np.ndarray
    moment: float
    cold_items: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    """Items whose every pair is a label (none in ``train``)."""


def cut_times(
    interactions: Interactions,
    quantiles: Sequence[float],
    budget: float = np.inf,
    min_cuts: int = 1,
) -> list[float]:
    """The distinct cut moments at these quantiles of the pairs' first-event times that
    leave pairs on both sides, oldest first: the latest ones whose cost (:func:`cut_cost`
    each) fits in ``budget``, at least ``min_cuts`` of them."""
    times = interactions.first_times
    if len(times) == 0:
        return []
    cuts = sorted({float(np.quantile(times, q)) for q in quantiles if 0.0 < q < 1.0})
    cuts = [c for c in cuts if times.min() < c <= times.max()]
    if not np.isfinite(budget):  # inf // cost is NaN
        return cuts
    affordable = max(min_cuts, int(budget // cut_cost(interactions)))
    return cuts[-affordable:] if affordable < len(cuts) else cuts


def cut_cost(interactions: Interactions) -> float:
    """The rough work of one internal cut: its pairs (every source reads them) plus
    items squared over 100 (EASE's dense items x items inverse)."""
    return float(len(interactions)) + interactions.n_items**2 / 100.0


def label_cut(interactions: Interactions, moment: float, until: float = np.inf) -> InternalSplit:
    """Sources learn from the pairs first seen before ``moment``; the labels are the pairs
    first seen at or after it and before ``until``, of people with history before it."""
    first = interactions.first_times
    # what was known just before the moment (a pair repeated from then on counts once, at
    # its first event): Interactions.before, strictly before ``moment``
    train = interactions.before(float(np.nextafter(moment, -np.inf)))
    held = (first >= moment) & (first < until)
    return _labelled(interactions, train, held, moment)


def label_cuts(
    interactions: Interactions,
    quantiles: Sequence[float],
    window: float = 1.0,
    *,
    budget: float = np.inf,
    min_cuts: int = 1,
) -> list[InternalSplit]:
    """One :func:`label_cut` per :func:`cut_times` moment that has labelled users, each
    labelling the next ``window`` share of the pairs (by first-event time quantile; 1.0:
    up to the end)."""
    out = []
    times = interactions.first_times
    for moment in cut_times(interactions, quantiles, budget, min_cuts):
        position = float(np.mean(times < moment))
        end = position + window
        until = np.inf if end >= 1.0 else float(np.quantile(times, end))
        split = label_cut(interactions, moment, until)
        if len(split.users):
            out.append(split)
    return out


COLD_STREAM = 303
"""Seed stream of the cold-item draw, apart from the tie-breaking shuffles."""


def cold_items(interactions: Interactions, seed: int, share: float, min_users: int) -> np.ndarray:
    """A seeded ``share`` of the items with at least ``min_users`` users (sorted dense
    indices); none when ``share`` is 0 or fewer than 2 items qualify, so a small data set
    keeps its items."""
    eligible = np.flatnonzero(interactions.item_popularity() >= min_users)
    n = round(share * len(eligible))
    if share <= 0 or len(eligible) < 2 or n == 0:
        return np.zeros(0, dtype=np.int64)
    rng = np.random.default_rng([seed, COLD_STREAM])
    return np.sort(rng.choice(eligible, size=min(n, len(eligible) - 1), replace=False))


def cold_split(
    interactions: Interactions, seed: int, share: float, min_users: int
) -> InternalSplit:
    """Hold out every pair on the :func:`cold_items` (nothing else), scored at the end of
    the log: the labels of what people do with items the sources have never seen."""
    cold = cold_items(interactions, seed, share, min_users)
    held = np.isin(interactions.item_index, cold)
    end = float(interactions.timestamps.max(initial=0.0))
    return _labelled(interactions, interactions.subset(~held), held, end, cold)


def _labelled(
    interactions: Interactions,
    train: Interactions,
    held: np.ndarray,
    moment: float,
    cold: np.ndarray | None = None,
) -> InternalSplit:
    """The split whose labels are the ``held`` pairs of people with history in ``train``."""
    has_history = np.bincount(train.user_index, minlength=interactions.n_users) > 0
    labels = _labels(interactions, held & has_history[interactions.user_index])
    return InternalSplit(
        train=train,
        labels=labels,
        users=np.flatnonzero(np.diff(labels.indptr) > 0).astype(np.int64),
        moment=float(moment),
        cold_items=np.zeros(0, dtype=np.int64) if cold is None else cold,
    )


def _labels(interactions: Interactions, held: np.ndarray) -> sp.csr_matrix:
    labels = sp.csr_matrix(
        (
            np.ones(int(held.sum()), dtype=np.float32),
            (interactions.user_index[held], interactions.item_index[held]),
        ),
        shape=(interactions.n_users, interactions.n_items),
    )
    labels.sum_duplicates()
    labels.data[:] = 1.0
    return labels
