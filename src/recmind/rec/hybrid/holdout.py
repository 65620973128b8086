"""The hybrid's internal split: the ranker learns from interactions held out inside the
training data it is given, so no evaluation target is ever a label.

Two kinds of labels are held out together (:func:`internal_split`): every user's last
interaction (what a person does next) and, for users active in the latest
``period_share`` of the data's interactions, everything they did in it after their first
interaction (what a person does over a coming period). The ranker so learns both the next
step and the near future.

A second, separate split (:func:`cold_split`) holds out every interaction with a seeded
share of the items, so the ranker also meets items the sources have never seen (a new
catalogue entry, known only by its text and category) and learns when one deserves a
place; without it, item popularity features bury every new item. It is separate because
removing those items from the first split took the next-step task's most telling labels
with them (on the temporal protocol, the few new releases everyone turns to).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

from recmind.rec.interactions import Interactions


@dataclass(frozen=True)
class InternalSplit:
    """``train`` is the given interactions less the held-out pairs; ``labels`` (users x
    items) holds those pairs and ``users`` the users that have at least one."""

    train: Interactions
    labels: sp.csr_matrix
    users: np.ndarray
    cold_items: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    """Items whose every pair is a label (none in ``train``)."""


def time_order(interactions: Interactions, seed: int) -> np.ndarray:
    """Row order by (user, timestamp); equal timestamps in a seeded random order, never by
    item id."""
    key = np.random.default_rng(seed).random(len(interactions))
    return np.lexsort((key, interactions.timestamps, interactions.user_index))


def held_out_pairs(
    interactions: Interactions, seed: int, period_share: float, last: int = 1
) -> np.ndarray:
    """Boolean mask of the label pairs: each user's last ``last`` pairs (0: none; seeded
    tie-break) and the latest ``period_share`` of all pairs in time (seeded order among
    equal timestamps, so a log whose timestamps are all alike still keeps most of its
    pairs for training), except each user's first pair, which always stays for training."""
    n = len(interactions)
    order = time_order(interactions, seed)
    counts = np.bincount(interactions.user_index, minlength=interactions.n_users)
    ends = np.cumsum(counts)
    position = np.empty(n, dtype=np.int64)
    position[order] = np.arange(n) - (ends - counts)[interactions.user_index[order]]
    user_count = counts[interactions.user_index]
    held = position >= np.maximum(user_count - last, 1)
    if period_share > 0 and n:
        key = np.random.default_rng(seed + 1).random(n)
        by_time = np.lexsort((key, interactions.timestamps))
        held[by_time[n - round(period_share * n) :]] = True
    keep: np.ndarray = held & (position > 0)
    return keep


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


def internal_split(
    interactions: Interactions, seed: int, period_share: float, last: int = 1
) -> InternalSplit:
    """Hold out the label pairs of :func:`held_out_pairs`."""
    held = held_out_pairs(interactions, seed, period_share, last)
    return _split(interactions, held, np.zeros(0, dtype=np.int64))


def cold_split(
    interactions: Interactions, seed: int, share: float, min_users: int
) -> InternalSplit:
    """Hold out every pair on the :func:`cold_items` (nothing else): the labels of what
    people do with items the sources have never seen."""
    cold = cold_items(interactions, seed, share, min_users)
    return _split(interactions, np.isin(interactions.item_index, cold), cold)


def _split(interactions: Interactions, held: np.ndarray, cold: np.ndarray) -> InternalSplit:
    labels = sp.csr_matrix(
        (
            np.ones(int(held.sum()), dtype=np.float32),
            (interactions.user_index[held], interactions.item_index[held]),
        ),
        shape=(interactions.n_users, interactions.n_items),
    )
    return InternalSplit(
        train=interactions.subset(~held),
        labels=labels,
        users=np.flatnonzero(np.diff(labels.indptr) > 0).astype(np.int64),
        cold_items=cold,
    )
