"""One path from histories at moments to candidates and features: the hybrid's training
rows, its evaluation rankings and its served lists are all built here, so the ranker
meets at serving time exactly the kind of row it learned from.

A query is one person's history (distinct dense item indices, oldest first) scored at a
moment (epoch seconds), with the time of their latest event. Items first taken up after
the moment do not exist yet: no source proposes them.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np

from recmind.rec.base import future_items
from recmind.rec.hybrid.candidates import Candidates, from_scores
from recmind.rec.hybrid.features import FeatureContext, QueryStats, build_features
from recmind.rec.hybrid.histories import history_matrix
from recmind.rec.hybrid.holdout import InternalSplit
from recmind.rec.hybrid.ranker import RankerData
from recmind.rec.hybrid.sources import Source


@dataclass(frozen=True)
class Queries:
    """Histories with their moments and their people's latest event times (aligned)."""

    histories: Sequence[np.ndarray]
    moments: np.ndarray
    last_seen: np.ndarray

    def __len__(self) -> int:
        return len(self.histories)

    def take(self, rows: np.ndarray) -> Queries:
        return Queries(
            histories=[self.histories[int(r)] for r in rows],
            moments=self.moments[rows],
            last_seen=self.last_seen[rows],
        )


@dataclass(frozen=True)
class Scorer:
    """Everything a query is scored with: fitted sources, the feature context of the data
    they learned from, each item's first interaction time there, and the seeded keys that
    order equal scores."""

    sources: Sequence[Source]
    context: FeatureContext
    first_seen: np.ndarray
    depth: int
    tiebreak: np.ndarray

    def candidates(self, queries: Queries) -> tuple[Candidates, QueryStats]:
        """Every source's top ``depth`` unseen items that existed at each query's moment,
        united, and the queries' statistics."""
        n_items = len(self.first_seen)
        future = future_items(self.first_seen, queries.moments)
        scores = []
        for source in self.sources:
            rows = np.asarray(source.history_scores(queries.histories, queries.moments))
            rows = rows.astype(np.float32, copy=True)
            if future is not None:
                rows[future] = -np.inf
            scores.append(rows)
        candidates = from_scores(
            scores,
            np.arange(len(queries)),
            history_matrix(list(queries.histories), n_items),
            self.depth,
            self.tiebreak,
        )
        stats = self.context.query_stats(queries.histories, queries.moments, queries.last_seen)
        return candidates, stats

    def features(self, queries: Queries) -> tuple[Candidates, np.ndarray]:
        """Candidates and their features."""
        candidates, stats = self.candidates(queries)
        return candidates, build_features(candidates, self.context, stats)


def split_queries(split: InternalSplit, seed: int) -> tuple[np.ndarray, Queries]:
    """The labelled users of an internal split and their queries: their history in the
    split's training part, at the split's moment."""
    users = split.users
    every = split.train.histories(seed)
    last = split.train.user_last_seen()
    return users, Queries(
        histories=[every[int(u)] for u in users],
        moments=np.full(len(users), split.moment),
        last_seen=last[users],
    )


def ranker_rows(
    scorer: Scorer,
    split: InternalSplit,
    *,
    seed: int,
    max_queries: int,
    batch_size: int,
) -> RankerData:
    """The ranker's training rows from one internal split: each labelled user's
    candidates and features at the split's moment, labelled by the split's pairs; at
    most ``max_queries`` users (a seeded sample)."""
    users, queries = split_queries(split, seed)
    if len(users) > max_queries:
        keep = np.sort(np.random.default_rng(seed).choice(len(users), max_queries, replace=False))
        users, queries = users[keep], queries.take(keep)
    parts = []
    for rows in batches(len(users), batch_size):
        candidates, features = scorer.features(queries.take(rows))
        owners = users[rows][candidates.users]
        labels = np.asarray(split.labels[owners, candidates.items], dtype=np.float32).ravel()
        parts.append(RankerData(features, labels, candidates.groups.astype(np.int64), users[rows]))
    return concat_rows(parts, 0)


def concat_rows(parts: Sequence[RankerData], width: int) -> RankerData:
    """Rows of several splits in one data set (a user's queries share a fold)."""
    kept = [p for p in parts if len(p.groups)]
    if not kept:
        return RankerData(
            features=np.zeros((0, width), dtype=np.float32),
            labels=np.zeros(0),
            groups=np.zeros(0, dtype=np.int64),
            users=np.zeros(0, dtype=np.int64),
        )
    return RankerData(
        features=np.concatenate([p.features for p in kept]),
        labels=np.concatenate([p.labels for p in kept]),
        groups=np.concatenate([p.groups for p in kept]),
        users=np.concatenate([p.users for p in kept]),
    )


def batches(n: int, size: int) -> Iterator[np.ndarray]:
    """Row positions ``0..n-1`` in consecutive chunks of ``size``."""
    for start in range(0, n, size):
        yield np.arange(start, min(start + size, n))
