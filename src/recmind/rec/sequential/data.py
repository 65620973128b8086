"""Behaviour sequences: each user's items in time order, and left-padded batches of them.

Item indices are shifted by one everywhere in this package: 0 is padding, dense item
``j`` is token ``j + 1``.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np

from recmind.rec.interactions import Interactions

PAD = 0


@dataclass(frozen=True)
class Sequences:
    """Every user's tokens in time order, stored CSR-style: user ``u`` owns
    ``tokens[indptr[u]:indptr[u + 1]]``.

    ``groups`` (optional, aligned with ``tokens``) numbers runs of events that share a
    timestamp: non-decreasing, equal exactly within a user's tie. Their order inside a run
    is not information, so training may reshuffle it (:meth:`shuffle_ties`).
    """

    indptr: np.ndarray
    tokens: np.ndarray
    groups: np.ndarray | None = None

    @property
    def n_users(self) -> int:
        return len(self.indptr) - 1

    def lengths(self) -> np.ndarray:
        return np.diff(self.indptr)

    def of(self, user: int) -> np.ndarray:
        return self.tokens[self.indptr[user] : self.indptr[user + 1]]

    def drop_last(self, users: np.ndarray) -> Sequences:
        """The same sequences without the last event of each user in ``users``."""
        keep = np.ones(len(self.tokens), dtype=bool)
        users = np.asarray(users, dtype=np.int64)
        users = users[self.lengths()[users] > 0]
        keep[self.indptr[users + 1] - 1] = False
        lengths = self.lengths()
        lengths[users] -= 1
        return Sequences(
            indptr=np.concatenate(([0], np.cumsum(lengths))).astype(np.int64),
            tokens=self.tokens[keep],
            groups=None if self.groups is None else self.groups[keep],
        )

    def shuffle_ties(self, rng: np.random.Generator) -> Sequences:
        """A fresh random order inside every run of equal timestamps (a no-op without
        ``groups``)."""
        if self.groups is None:
            return self
        order = np.lexsort((rng.random(len(self.tokens)), self.groups))
        return Sequences(indptr=self.indptr, tokens=self.tokens[order], groups=self.groups)


def build_sequences(interactions: Interactions, seed: int) -> Sequences:
    """Order each user's pairs by timestamp; equal timestamps are ordered by a key drawn
    from ``seed``, never by id (ids carry no time information, and sorting by them leaks
    catalogue order into the sequence)."""
    key = np.random.default_rng(seed).random(len(interactions))
    order = np.lexsort((key, interactions.timestamps, interactions.user_index))
    counts = np.bincount(interactions.user_index, minlength=interactions.n_users)
    indptr = np.concatenate(([0], np.cumsum(counts))).astype(np.int64)
    tokens = interactions.item_index[order].astype(np.int64) + 1
    users = interactions.user_index[order]
    times = interactions.timestamps[order]
    new_run = np.ones(len(order), dtype=bool)
    new_run[1:] = (users[1:] != users[:-1]) | (times[1:] != times[:-1])
    groups = np.cumsum(new_run).astype(np.int64)
    return Sequences(indptr=indptr, tokens=tokens, groups=groups)


def left_pad(rows: Sequence[np.ndarray], width: int) -> np.ndarray:
    """``(len(rows), width)`` int64 matrix: each row's last ``width`` tokens, right-aligned,
    padding on the left (the most recent event is always the last column)."""
    out = np.zeros((len(rows), width), dtype=np.int64)
    for r, row in enumerate(rows):
        tail = row[-width:] if width else row[:0]
        if len(tail):
            out[r, width - len(tail) :] = tail
    return out


@dataclass(frozen=True)
class TrainBatch:
    """Inputs and next-item targets, both ``(B, T)``; target 0 means "no loss here"."""

    inputs: np.ndarray
    targets: np.ndarray


def training_rows(sequences: Sequences) -> list[np.ndarray]:
    """The sequences a model learns from: every user with at least one transition."""
    return [sequences.of(user) for user in np.flatnonzero(sequences.lengths() >= 2).tolist()]


def window(row: np.ndarray, max_len: int, rng: np.random.Generator | None) -> np.ndarray:
    """``max_len + 1`` consecutive events of ``row`` (all of it when shorter): the most
    recent ones, or, with ``rng``, ending at a uniformly drawn event."""
    size = max_len + 1
    if len(row) <= size:
        return row
    end = len(row) if rng is None else int(rng.integers(size, len(row) + 1))
    return row[end - size : end]


def iterate_batches(
    rows: Sequence[np.ndarray],
    batch_size: int,
    rng: np.random.Generator,
    *,
    max_len: int,
    random_windows: bool = False,
) -> Iterator[TrainBatch]:
    """One epoch of (input, next-item target) batches.

    Each row is cut to a window of ``max_len + 1`` events (see :func:`window`). Rows of
    similar length go together and each batch is trimmed to its longest row, so most of
    the padding, and its compute, disappears; lengths are jittered by a random factor so
    batch membership changes from epoch to epoch, and batches come in random order.
    """
    windows = [window(row, max_len, rng if random_windows else None) for row in rows]
    lengths = np.asarray([len(w) for w in windows], dtype=np.float64)
    order = np.argsort(lengths * rng.uniform(0.8, 1.25, size=len(windows)), kind="stable")
    starts = rng.permutation(np.arange(0, len(windows), batch_size))
    for start in starts:
        chosen = [windows[i] for i in order[start : start + batch_size]]
        width = max(len(w) for w in chosen) - 1
        yield TrainBatch(
            inputs=left_pad([w[:-1] for w in chosen], width),
            targets=left_pad([w[1:] for w in chosen], width),
        )
