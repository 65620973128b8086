"""Look-alikes: people whose histories resemble a seed list's, as of a moment.

Each person is a TF-IDF-weighted vector of the items they touched before ``as_of``
(a purchase weighs 1, an add-to-cart 0.5, a view or click 0.25, counts dampened by
``log1p``), and a latent embedding of it (scikit-learn's truncated SVD), which also links
people who bought different but co-bought items. Similarity to a seed is the mean of the
two cosines; a person's score mixes their similarity to the nearest seed (a twin of any
one seed counts) with their similarity to the seeds' centroid (the seeds' shared taste).
Seeds themselves are never returned."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp

from recmind.marketing.audiences.audience import Audience
from recmind.marketing.audiences.combiner import rank, tie_keys
from recmind.marketing.audiences.log import EventLog

KIND_WEIGHTS = np.asarray([0.25, 0.5, 1.0, 0.5])
"""Weight of an event by :class:`EventLog` kind: look, cart, purchase, other (rating)."""


class SeedError(ValueError):
    """The seed list names nobody with history before ``as_of``."""


@dataclass(frozen=True)
class LookalikeConfig:
    """How look-alikes are found."""

    top: int
    components: int = 64
    """Latent dimensions (fewer when there are fewer people or items)."""
    nearest_weight: float = 0.5
    """Share of the score from the nearest seed; the rest from the seeds' centroid."""
    seed: int = 0

    def __post_init__(self) -> None:
        if self.top < 1:
            raise ValueError(f"top must be at least 1, got {self.top}")
        if not 0.0 <= self.nearest_weight <= 1.0:
            raise ValueError(f"nearest_weight must be in [0, 1], got {self.nearest_weight}")


def user_vectors(log: EventLog) -> sp.csr_matrix:
    """Rows: L2-normalised TF-IDF vectors of every person's weighted item counts."""
    counts = sp.csr_matrix(
        (KIND_WEIGHTS[log.kind], (log.user, log.item)),
        shape=(log.n_users, log.n_items),
        dtype=np.float64,
    )
    counts.sum_duplicates()
    counts.data = np.log1p(counts.data)
    people = np.bincount(counts.indices, minlength=log.n_items)
    idf = np.log((1.0 + log.n_users) / (1.0 + people)) + 1.0
    weighted = sp.csr_matrix(counts @ sp.diags(idf))
    return _normalise_sparse(weighted)


def _normalise_sparse(matrix: sp.csr_matrix) -> sp.csr_matrix:
    norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
    scale = np.divide(1.0, norms, out=np.zeros_like(norms), where=norms > 0)
    return sp.csr_matrix(sp.diags(scale) @ matrix)


def embeddings(vectors: sp.csr_matrix, components: int, seed: int) -> np.ndarray:
    """L2-normalised truncated-SVD embeddings of the rows (the rows themselves, dense,
    when they are too narrow to reduce)."""
    from sklearn.decomposition import TruncatedSVD

    size = min(components, vectors.shape[0] - 1, vectors.shape[1] - 1)
    if size < 2:
        dense = np.asarray(vectors.toarray(), dtype=np.float64)
    else:
        dense = TruncatedSVD(n_components=size, random_state=seed).fit_transform(vectors)
    norms = np.linalg.norm(dense, axis=1, keepdims=True)
    out: np.ndarray = np.divide(dense, norms, out=np.zeros_like(dense), where=norms > 0)
    return out


def lookalikes(
    log: EventLog, seeds: Sequence[str], as_of: float, config: LookalikeConfig
) -> Audience:
    """The ``config.top`` people (seeds excluded) most like ``seeds``, from the events
    strictly before ``as_of``; SeedError when no seed has such an event."""
    log = log.before(as_of)
    wanted = pd.Index(sorted({str(s).strip() for s in seeds if str(s).strip()}))
    codes = pd.Index(log.user_ids).get_indexer(wanted)
    active = log.active_users(as_of)
    found = np.unique(codes[codes >= 0])
    found = found[active[found]]
    if not len(found):
        raise SeedError(
            f"seed: none of the {len(wanted)} seed users has an event before as_of "
            f"(first: {', '.join(repr(s) for s in wanted[:5])})"
        )
    vectors = user_vectors(log)
    latent = embeddings(vectors, config.components, config.seed)
    similarity = 0.5 * np.asarray((vectors @ vectors[found].T).toarray()) + 0.5 * (
        latent @ latent[found].T
    )
    centroid = latent[found].mean(axis=0)
    sparse_centroid = np.asarray(vectors[found].mean(axis=0)).ravel()
    to_centroid = 0.5 * _cosine(latent, centroid) + 0.5 * _cosine_sparse(vectors, sparse_centroid)
    scores = (
        config.nearest_weight * similarity.max(axis=1) + (1.0 - config.nearest_weight) * to_centroid
    )
    candidates = np.flatnonzero(active)
    candidates = candidates[~np.isin(candidates, found)]
    keys = tie_keys(log.user_ids[candidates], config.seed)
    order = candidates[rank(scores[candidates], keys)][: config.top]
    return Audience(
        as_of=as_of,
        user_ids=[str(u) for u in log.user_ids[order]],
        scores=[float(s) for s in scores[order]],
        model="lookalike",
        details={
            "seeds_given": len(wanted),
            "seeds_with_history": len(found),
            "candidates": len(candidates),
            "latent_dimensions": int(latent.shape[1]),
        },
    )


def _cosine(matrix: np.ndarray, vector: np.ndarray) -> np.ndarray:
    norm = float(np.linalg.norm(vector))
    if norm == 0.0:
        return np.zeros(matrix.shape[0])
    return np.asarray(matrix @ (vector / norm), dtype=np.float64)


def _cosine_sparse(matrix: sp.csr_matrix, vector: np.ndarray) -> np.ndarray:
    norm = float(np.linalg.norm(vector))
    if norm == 0.0:
        return np.zeros(matrix.shape[0])
    return np.asarray(matrix @ (vector / norm), dtype=np.float64).ravel()
