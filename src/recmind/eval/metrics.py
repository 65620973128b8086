"""Top-K metrics, vectorised over a ``(n_users, K)`` matrix of recommended item indices.

Lists may be padded with ``-1`` (fewer than K items were left to recommend); padding is
never a hit, never covered and never counted as recommended. Per-user accuracy metrics
are averaged over users with equal weight; every evaluated user has at least one target.

Definitions (``T`` = the user's targets, ``hit_j`` = 1 when the item at rank ``j`` is in T):

- HR@K: 1 if any of the first K items is a target.
- Recall@K: hits in the first K / |T| (so it never decreases with K; it reaches 1 for a
  perfect list only when |T| <= K).
- NDCG@K: sum_j hit_j / log2(j + 2) over the first K, divided by the same sum for a
  perfect list (the first min(|T|, K) ranks all hits).
- MRR@K: 1 / rank of the first hit within K, else 0.
- coverage@K: distinct items in any list / catalogue size.
- novelty@K: mean self-information -log2(p_i) of recommended items, where
  p_i = (users of item i + 1) / (training users + 1) (smoothed so unseen items are finite).
- diversity@K: mean over lists of the mean pairwise category distance 1 - Jaccard; two
  items without categories count as alike (distance 0). Lists with fewer than 2 items are
  skipped.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp

ACCURACY_METRICS = ("hr", "ndcg", "mrr", "recall")


def _check(recs: np.ndarray, targets: sp.csr_matrix) -> None:
    if recs.ndim != 2 or recs.shape[0] != targets.shape[0]:
        raise ValueError(
            f"recommendations {recs.shape} and targets {targets.shape} must have one row per user"
        )


def hit_matrix(recs: np.ndarray, targets: sp.csr_matrix) -> np.ndarray:
    """Boolean ``(n_users, K)``: is the item at each rank one of the user's targets."""
    _check(recs, targets)
    n_items = np.int64(targets.shape[1])
    target_rows = np.repeat(np.arange(targets.shape[0], dtype=np.int64), np.diff(targets.indptr))
    target_keys = np.sort(target_rows * n_items + targets.indices.astype(np.int64))
    rows = np.arange(recs.shape[0], dtype=np.int64)[:, None]
    rec_keys = rows * n_items + recs.astype(np.int64)
    hits: np.ndarray = np.isin(rec_keys, target_keys) & (recs >= 0)
    return hits


def _discounts(k: int) -> np.ndarray:
    return 1.0 / np.log2(np.arange(2, k + 2, dtype=np.float64))


def accuracy_per_user(hits: np.ndarray, n_targets: np.ndarray, k: int) -> dict[str, np.ndarray]:
    """HR, NDCG, MRR and Recall at ``k`` for every user (row of ``hits``)."""
    if np.any(n_targets <= 0):
        raise ValueError("every evaluated user needs at least one target")
    top = hits[:, :k]
    k_eff = top.shape[1]
    discounts = _discounts(k_eff)
    dcg = top @ discounts
    ideal = np.concatenate(([0.0], np.cumsum(discounts)))[np.minimum(n_targets, k_eff)]
    n_hits = top.sum(axis=1)
    first = np.argmax(top, axis=1)
    mrr = np.where(n_hits > 0, 1.0 / (first + 1.0), 0.0)
    return {
        "hr": (n_hits > 0).astype(np.float64),
        "ndcg": dcg / ideal,
        "mrr": mrr,
        "recall": n_hits / n_targets,
    }


def accuracy(recs: np.ndarray, targets: sp.csr_matrix, ks: Sequence[int]) -> dict[str, float]:
    """Mean HR/NDCG/MRR/Recall at every K in ``ks``, keyed like ``"ndcg@10"``."""
    hits = hit_matrix(recs, targets)
    n_targets = np.diff(targets.indptr)
    out: dict[str, float] = {}
    for k in ks:
        for name, values in accuracy_per_user(hits, n_targets, k).items():
            out[f"{name}@{k}"] = float(values.mean()) if len(values) else 0.0
    return out


def coverage(recs: np.ndarray, n_items: int, k: int) -> float:
    """Share of the catalogue that appears in at least one top-``k`` list."""
    top = recs[:, :k]
    return float(len(np.unique(top[top >= 0])) / n_items) if n_items else 0.0


def novelty(recs: np.ndarray, popularity: np.ndarray, n_train_users: int, k: int) -> float:
    """Mean self-information of the recommended items (see the module docstring)."""
    top = recs[:, :k]
    valid = top >= 0
    if not valid.any():
        return 0.0
    share = (popularity + 1.0) / (n_train_users + 1.0)
    information = -np.log2(share)
    return float(information[top[valid]].mean())


def category_matrix(categories: Sequence[frozenset[str]]) -> sp.csr_matrix:
    """Items x categories indicator matrix."""
    names = sorted(set().union(*categories)) if categories else []
    column = {name: j for j, name in enumerate(names)}
    rows = np.repeat(np.arange(len(categories)), [len(c) for c in categories])
    cols = np.fromiter((column[c] for cats in categories for c in sorted(cats)), dtype=np.int64)
    return sp.csr_matrix(
        (np.ones(len(cols), dtype=np.float32), (rows, cols)),
        shape=(len(categories), len(names)),
        dtype=np.float32,
    )


def diversity(
    recs: np.ndarray, item_categories: sp.csr_matrix, k: int, *, chunk_cells: int = 4_000_000
) -> float | None:
    """Mean intra-list category diversity; ``None`` when no item has a category."""
    if item_categories.shape[1] == 0 or item_categories.nnz == 0:
        return None
    top = recs[:, :k]
    n_users, k_eff = top.shape
    n_cats = item_categories.shape[1]
    dense = np.vstack([item_categories.toarray(), np.zeros((1, n_cats))]).astype(np.float64)
    chunk = max(1, chunk_cells // max(1, k_eff * k_eff * n_cats))
    per_list: list[np.ndarray] = []
    for start in range(0, n_users, chunk):
        block = top[start : start + chunk]
        valid = block >= 0
        cats = dense[np.where(valid, block, len(dense) - 1)]  # padding -> empty row
        inter = np.einsum("ukc,ulc->ukl", cats, cats)
        sizes = cats.sum(axis=2)
        union = sizes[:, :, None] + sizes[:, None, :] - inter
        jaccard = np.divide(inter, union, out=np.ones_like(inter), where=union > 0)
        pair_ok = valid[:, :, None] & valid[:, None, :]
        pair_ok &= np.triu(np.ones((k_eff, k_eff), dtype=bool), k=1)[None]
        n_pairs = pair_ok.sum(axis=(1, 2))
        dist = ((1.0 - jaccard) * pair_ok).sum(axis=(1, 2))
        keep = n_pairs > 0
        per_list.append(dist[keep] / n_pairs[keep])
    values = np.concatenate(per_list) if per_list else np.zeros(0)
    return float(values.mean()) if len(values) else None
