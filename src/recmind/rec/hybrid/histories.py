"""Ad-hoc histories (a visitor's session, a user's events up to a request) in the shape the
hybrid's sources and features read: distinct known items, oldest first."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp


def distinct_latest(history: Sequence[int] | np.ndarray, n_items: int) -> np.ndarray:
    """A history's known items (``0 <= index < n_items``), each once at its latest
    position, oldest first."""
    items = np.asarray(history, dtype=np.int64).reshape(-1)
    items = items[(items >= 0) & (items < n_items)]
    if items.size == 0:
        return items
    reversed_items = items[::-1]
    _, first_from_end = np.unique(reversed_items, return_index=True)
    keep = np.sort(len(items) - 1 - first_from_end)
    return items[keep]


def history_matrix(histories: Sequence[np.ndarray], n_items: int) -> sp.csr_matrix:
    """Binary ``(len(histories), n_items)`` rows of distinct-item histories."""
    lengths = [len(h) for h in histories]
    cols = np.concatenate(histories).astype(np.int64) if histories else np.zeros(0, np.int64)
    rows = np.repeat(np.arange(len(histories)), lengths)
    return sp.csr_matrix(
        (np.ones(len(cols), dtype=np.float32), (rows, cols)),
        shape=(len(histories), n_items),
        dtype=np.float32,
    )
