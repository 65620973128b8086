"""The hybrid's internal split: the ranker learns from interactions held out inside the
training data it is given, so no evaluation target is ever a label.

Two kinds of labels are held out together: every user's last interaction (what a person
does next) and, for users active in the latest ``period_share`` of the data's interactions,
everything they did in it after their first interaction (what a person does over a coming
period). The ranker so learns both the next step and the near future.
"""

from __future__ import annotations

from dataclasses import dataclass

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


def time_order(interactions: Interactions, seed: int) -> np.ndarray:
    """Row order by (user, timestamp); equal timestamps in a seeded random order, never by
    item id."""
    key = np.random.default_rng(seed).random(len(interactions))
    return np.lexsort((key, interactions.timestamps, interactions.user_index))


def held_out_pairs(
    interactions: Interactions, seed: int, period_share: float, last: bool = True
) -> np.ndarray:
    """Boolean mask of the label pairs: each user's last pair (seeded tie-break) and the
    latest ``period_share`` of all pairs in time (seeded order among equal timestamps, so a
    log whose timestamps are all alike still keeps most of its pairs for training), except
    each user's first pair, which always stays for training."""
    n = len(interactions)
    order = time_order(interactions, seed)
    counts = np.bincount(interactions.user_index, minlength=interactions.n_users)
    ends = np.cumsum(counts)
    position = np.empty(n, dtype=np.int64)
    position[order] = np.arange(n) - (ends - counts)[interactions.user_index[order]]
    user_count = counts[interactions.user_index]
    held = (position == user_count - 1) if last else np.zeros(n, dtype=bool)
    if period_share > 0 and n:
        key = np.random.default_rng(seed + 1).random(n)
        by_time = np.lexsort((key, interactions.timestamps))
        held[by_time[n - round(period_share * n) :]] = True
    keep: np.ndarray = held & (position > 0)
    return keep


def internal_split(
    interactions: Interactions, seed: int, period_share: float, last: bool = True
) -> InternalSplit:
    """Hold out the label pairs of :func:`held_out_pairs`."""
    held = held_out_pairs(interactions, seed, period_share, last)
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
    )
