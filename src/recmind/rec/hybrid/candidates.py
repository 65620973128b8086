"""Candidate generation: the union of every source's top items per user, with every
source's score and rank of each candidate."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from recmind.rec.topk import top_k


@dataclass(frozen=True)
class Candidates:
    """(user, item) pairs grouped by user in the order the users were asked for.

    ``scores`` and ``ranks`` have one column per source; a rank is 0 for a source's best
    item and ``depth`` for an item outside its top ``depth`` (the sentinel). ``proposed``
    marks the sources whose top ``depth`` held the item.
    """

    users: np.ndarray
    items: np.ndarray
    groups: np.ndarray
    scores: np.ndarray
    ranks: np.ndarray
    depth: int

    @property
    def proposed(self) -> np.ndarray:
        return self.ranks < self.depth

    def __len__(self) -> int:
        return len(self.users)


def from_scores(
    scores: Sequence[np.ndarray],
    users: np.ndarray,
    seen_rows: sp.csr_matrix,
    depth: int,
    tiebreak: np.ndarray,
) -> Candidates:
    """Top ``depth`` unseen items of every source for each row, united, with every
    source's score and rank of each candidate: one ``(len(users), n_items)`` score matrix
    per source (their column order is kept in ``scores``/``ranks``), rows aligned with
    ``users`` (the row keys: positions of the histories) and with ``seen_rows``, whose
    items are never candidates; equal scores are ordered by the seeded ``tiebreak`` keys,
    never by item id. An item every source scores ``-inf`` is never a candidate."""
    users = np.asarray(users, dtype=np.int64)
    n_items = seen_rows.shape[1]
    rows_seen = seen_rows.tocoo()
    full_scores = []
    full_ranks = []
    union = np.zeros((len(users), n_items), dtype=bool)
    for source_scores in scores:
        row_scores = np.asarray(source_scores, dtype=np.float32)
        masked = row_scores.astype(np.float64)
        masked[rows_seen.row, rows_seen.col] = -np.inf
        top, _ = top_k(masked, depth, tiebreak)
        ranks = np.full(row_scores.shape, depth, dtype=np.float32)
        row_ids = np.broadcast_to(np.arange(len(users))[:, None], top.shape)
        valid = top >= 0
        ranks[row_ids[valid], top[valid]] = np.broadcast_to(np.arange(depth), top.shape)[valid]
        union[row_ids[valid], top[valid]] = True
        full_scores.append(row_scores)
        full_ranks.append(ranks)
    rows, cols = np.nonzero(union)
    return Candidates(
        users=users[rows],
        items=cols.astype(np.int64),
        groups=np.bincount(rows, minlength=len(users)),
        scores=np.stack([s[rows, cols] for s in full_scores], axis=1),
        ranks=np.stack([r[rows, cols] for r in full_ranks], axis=1),
        depth=depth,
    )
