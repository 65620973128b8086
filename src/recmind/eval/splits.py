"""Evaluation protocols: how interactions are split into training data and held-out targets.

Two general protocols live here (the cold-start ones, ``cold-item`` and ``cold-user``,
are in :mod:`recmind.eval.cold`), each producing a *validation* holdout (for choosing
hyperparameters) and a *test* holdout (for the reported numbers):

``loo`` (leave-last-out)
    Every user's interactions (one per (user, item) pair, at its latest time) are ordered
    by time; ties in time are broken by a seeded shuffle, never by id. The last one is the
    test target and the second-to-last the validation target. Users with 3 or more pairs
    get both; users with 2 pairs get a test target only (they keep 1 pair for training);
    users with 1 pair are training data only. Validation models train on everything but
    the validation and test targets; test models train on everything but the test targets.
    Each user is scored at the moment of their target (:class:`Holdout` ``now``): items
    first touched later do not exist yet and time-aware scores are computed then. Models
    still *train* on other users' later events: the protocol's own leak, which is why the
    temporal protocol is the headline one.

``temporal`` (global time cut)
    Raw events before a cut time (default: the 80% quantile of event times) are training
    data; events at or after the cut are the future. A user's targets are the items they
    touched after the cut that they had not touched before it; only users with training
    history are evaluated, all at the cut time. Nothing at or after the cut is visible to
    any model. The validation holdout repeats the same cut inside the training period.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import scipy.sparse as sp

from recmind.rec.interactions import Interactions

PROTOCOLS = ("loo", "temporal", "cold-item", "cold-user")
DEFAULT_QUANTILE = 0.8


@dataclass(frozen=True)
class Holdout:
    """Training data plus the targets a model trained on it must find.

    ``targets`` is a users x items CSR matrix whose rows are aligned with ``users``
    (dense indices into ``train.user_ids``); every row holds at least one target.
    """

    train: Interactions
    users: np.ndarray
    targets: sp.csr_matrix
    now: np.ndarray | None = None
    """Per evaluated user, the moment they are scored at (epoch seconds): what the server's
    clock would read when the prediction is asked for. ``None``: the end of ``train``."""

    @property
    def n_users(self) -> int:
        return len(self.users)

    def moments(self) -> np.ndarray:
        """:attr:`now`, or the latest training time for every user when it is not set."""
        if self.now is not None:
            return np.asarray(self.now, dtype=np.float64)
        latest = float(self.train.timestamps.max(initial=0.0))
        return np.full(self.n_users, latest)

    def histories(self, seed: int) -> list[np.ndarray]:
        """Every evaluated user's training items, oldest first (seeded order within a
        timestamp): the history the server would hold for them."""
        every = self.train.histories(seed)
        return [every[int(u)] for u in self.users]

    def last_seen(self) -> np.ndarray:
        """Every evaluated user's latest training event time."""
        last: np.ndarray = self.train.user_last_seen()[self.users]
        return last

    def exclude(self) -> sp.csr_matrix:
        """Training rows of the evaluated users: items that must not be recommended."""
        matrix: sp.csr_matrix = self.train.matrix()[self.users]
        return matrix


@dataclass(frozen=True)
class ProtocolSplit:
    """The validation and test holdouts of one protocol."""

    protocol: str
    validation: Holdout
    test: Holdout
    info: dict[str, float | int | str] = field(default_factory=dict)


def _targets_matrix(
    users: np.ndarray, items: np.ndarray, n_users: int, n_items: int
) -> tuple[np.ndarray, sp.csr_matrix]:
    """Users that have targets, and their targets as CSR rows aligned with them."""
    full = sp.csr_matrix(
        (np.ones(len(users), dtype=np.float32), (users, items)),
        shape=(n_users, n_items),
        dtype=np.float32,
    )
    full.sum_duplicates()
    full.data[:] = 1.0
    rows = np.flatnonzero(np.diff(full.indptr) > 0)
    targets: sp.csr_matrix = full[rows]
    targets.sort_indices()
    return rows.astype(np.int64), targets


def _holdout(
    interactions: Interactions,
    train_mask: np.ndarray,
    target_mask: np.ndarray,
    moment: float | None = None,
) -> Holdout:
    """Train on ``train_mask``, target ``target_mask``. Each user is scored at ``moment``
    when given, else at their target's first event (at the latest of their training events
    when that is later): the moment the next step was about to happen."""
    users, targets = _targets_matrix(
        interactions.user_index[target_mask],
        interactions.item_index[target_mask],
        interactions.n_users,
        interactions.n_items,
    )
    train = interactions.subset(train_mask)
    if moment is not None:
        now = np.full(len(users), float(moment))
    else:
        first_target = np.full(interactions.n_users, np.inf)
        np.minimum.at(
            first_target,
            interactions.user_index[target_mask],
            interactions.first_times[target_mask],
        )
        now = np.maximum(first_target[users], train.user_last_seen()[users])
    return Holdout(train=train, users=users, targets=targets, now=now)


def positions_from_end(interactions: Interactions, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """For every pair, how many of the same user's pairs come after it, and the user's
    pair count. Equal timestamps are ordered by a shuffle seeded with ``seed``."""
    n = len(interactions)
    shuffle = np.random.default_rng(seed).permutation(n)
    order = np.lexsort((shuffle, interactions.timestamps, interactions.user_index))
    counts = np.bincount(interactions.user_index, minlength=interactions.n_users)
    starts = np.concatenate(([0], np.cumsum(counts)[:-1]))
    sorted_users = interactions.user_index[order]
    position = np.arange(n) - starts[sorted_users]
    from_end = np.empty(n, dtype=np.int64)
    from_end[order] = counts[sorted_users] - 1 - position
    return from_end, counts[interactions.user_index]


def leave_last_out(interactions: Interactions, *, seed: int) -> ProtocolSplit:
    """The ``loo`` protocol (see the module docstring for the rules)."""
    from_end, counts = positions_from_end(interactions, seed)
    test = (from_end == 0) & (counts >= 2)
    val = (from_end == 1) & (counts >= 3)
    split = ProtocolSplit(
        protocol="loo",
        validation=_holdout(interactions, ~test & ~val, val),
        test=_holdout(interactions, ~test, test),
        info={"all users": interactions.n_users, "all pairs": len(interactions)},
    )
    if split.test.n_users == 0:
        raise ValueError("leave-last-out needs users with at least 2 distinct items; none found")
    return split


def _utc(epoch: float) -> str:
    return pd.Timestamp(epoch, unit="s", tz="UTC").strftime("%Y-%m-%d %H:%M:%S")


def _time_cut(events: pd.DataFrame, item_ids: np.ndarray, cut: float) -> Holdout:
    times = events["timestamp"].to_numpy(dtype=np.float64)
    train = Interactions.from_frame(events.loc[times < cut], item_ids=item_ids)
    future = Interactions.from_frame(
        events.loc[times >= cut], item_ids=item_ids, user_ids=train.user_ids
    )
    seen = train.matrix()
    future_matrix = future.matrix()
    new = future_matrix - future_matrix.multiply(seen)
    new = sp.csr_matrix(new)
    new.eliminate_zeros()
    rows, cols = new.nonzero()
    users, targets = _targets_matrix(rows, cols, train.n_users, train.n_items)
    return Holdout(train=train, users=users, targets=targets, now=np.full(len(users), cut))


def temporal_split(
    events: pd.DataFrame,
    item_ids: np.ndarray,
    *,
    quantile: float = DEFAULT_QUANTILE,
    cut: float | None = None,
) -> ProtocolSplit:
    """The ``temporal`` protocol on raw events (``user_id``, ``item_id``, ``timestamp``).

    Args:
        events: Behaviour events; rows without an item are ignored.
        item_ids: The item index space (the whole catalogue).
        quantile: Where the cut falls among event times when ``cut`` is not given; the
            validation cut is the same quantile of the training events' times.
        cut: An explicit test cut time (epoch seconds).
    """
    if not 0.0 < quantile < 1.0:
        raise ValueError(f"quantile must lie strictly between 0 and 1, got {quantile}")
    events = events.loc[events["item_id"].notna()]
    times = events["timestamp"].to_numpy(dtype=np.float64)
    if len(times) == 0:
        raise ValueError("no events with an item to split")
    test_cut = float(np.quantile(times, quantile)) if cut is None else float(cut)
    before = events.loc[times < test_cut]
    if before.empty:
        raise ValueError(f"no events before the cut time {test_cut}")
    val_cut = float(np.quantile(before["timestamp"].to_numpy(dtype=np.float64), quantile))
    test = _time_cut(events, item_ids, test_cut)
    validation = _time_cut(before, item_ids, val_cut)
    if test.n_users == 0:
        raise ValueError(
            f"no user with training history has new items after the cut time {test_cut}"
        )
    return ProtocolSplit(
        protocol="temporal",
        validation=validation,
        test=test,
        info={
            "cut": test_cut,
            "cut (UTC)": _utc(test_cut),
            "validation_cut": val_cut,
            "validation cut (UTC)": _utc(val_cut),
            "events": len(events),
        },
    )
