"""Top-k selection whose ties are broken by a seeded random order, never by item id.

Breaking ties by id is a classic way to fool an evaluation: a model that scores many
items equally (popularity on a long tail, a new user) would look better or worse
depending on how ids happen to correlate with the test targets.
"""

from __future__ import annotations

import numpy as np


def tiebreak_keys(n_items: int, seed: int) -> np.ndarray:
    """A random rank for every item; among equal scores the lower key comes first."""
    return np.random.default_rng(seed).permutation(n_items).astype(np.int64)


def top_k(scores: np.ndarray, k: int, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Best ``k`` columns of every row of ``scores`` (higher is better).

    Entries equal to ``-inf`` are never returned; rows with fewer valid entries are
    padded with index -1 and score NaN. Returns ``(indices, scores)``, both ``(n, k)``.
    """
    n_rows, n_items = scores.shape
    k_eff = min(k, n_items)
    indices = np.full((n_rows, k), -1, dtype=np.int64)
    values = np.full((n_rows, k), np.nan, dtype=np.float64)
    if k_eff == 0 or n_rows == 0:
        return indices, values
    # The k-th best value of each row; everything at least as good is a candidate.
    kth = -np.partition(-scores, k_eff - 1, axis=1)[:, k_eff - 1]
    for row in range(n_rows):
        row_scores = scores[row]
        candidates = np.flatnonzero((row_scores >= kth[row]) & (row_scores > -np.inf))
        order = np.lexsort((keys[candidates], -row_scores[candidates]))[:k_eff]
        chosen = candidates[order]
        indices[row, : len(chosen)] = chosen
        values[row, : len(chosen)] = row_scores[chosen]
    return indices, values
