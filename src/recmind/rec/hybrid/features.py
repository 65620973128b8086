"""Features of (query, candidate) pairs for the ranker, vectorised over all pairs.

A query is one person's history scored at one moment (:class:`QueryStats`), and every
feature is computed from what was known at that moment: item counts, trending windows,
ages and idle times read only the pairs first seen at or before it, so a person scored in
the past sees no later event (the server scores at its clock; the evaluation at each
protocol's moment; the ranker learns at its internal cuts).

Time is measured in events, not seconds: "how many of all pairs ago", as a share of the
pair count, so the same features mean the same on a dataset spanning a week or ten years.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from recmind.rec.hybrid.candidates import Candidates
from recmind.rec.interactions import Interactions, ItemCatalog

TRENDING_SHARES = (0.005, 0.02, 0.08)
"""Windows of "trending" counts: the latest 0.5%, 2% and 8% of all pairs before a moment."""


@dataclass(frozen=True)
class QueryStats:
    """Per-query statistics, one row per key that :attr:`Candidates.users` holds
    (positions of the histories being ranked).

    ``now`` is the rank of the query's moment among the context's pairs (the latest pair
    first seen at or before it; ``n - 1`` at or after the end), ``seen`` the rank of the
    person's latest event.
    """

    length: np.ndarray
    now: np.ndarray
    seen: np.ndarray
    mean_popularity: np.ndarray
    categories: sp.csr_matrix


@dataclass(frozen=True)
class FeatureContext:
    """Per-item statistics of one set of interactions, by the time each pair was first
    seen.

    ``event_keys`` sorts every pair by (item, global rank) as ``item * n + rank`` so that
    an item's count inside any window of ranks is two binary searches.
    """

    times: np.ndarray
    """The pairs' first-event times, sorted (rank ``r`` is ``times[r]``)."""
    event_keys: np.ndarray
    event_weights: np.ndarray
    """Cumulative event counts of the pairs in ``event_keys`` order (for repeat rates)."""
    item_first: np.ndarray
    item_categories: sp.csr_matrix

    @property
    def n_events(self) -> int:
        return len(self.times)

    @classmethod
    def build(cls, interactions: Interactions, catalog: ItemCatalog, seed: int) -> FeatureContext:
        """Statistics of ``interactions`` (categories from ``catalog``)."""
        n = len(interactions)
        key = np.random.default_rng(seed + 1).random(n)
        first_times = interactions.first_times
        order = np.lexsort((key, first_times))
        rank = np.empty(n, dtype=np.int64)
        rank[order] = np.arange(n)
        items = interactions.item_index.astype(np.int64)
        n_items = interactions.n_items
        count = np.bincount(items, minlength=n_items).astype(np.float64)
        keys = items * max(n, 1) + rank
        key_order = np.argsort(keys, kind="stable")
        first = np.full(n_items, np.nan)
        if n:
            first_rank = np.full(n_items, n, dtype=np.int64)
            np.minimum.at(first_rank, items, rank)
            touched = count > 0
            first[touched] = first_rank[touched]
        return cls(
            times=np.asarray(first_times[order], dtype=np.float64),
            event_keys=keys[key_order],
            event_weights=np.cumsum(interactions.weights[key_order].astype(np.float64)),
            item_first=first,
            item_categories=category_matrix(catalog.categories),
        )

    def rank_at(self, moments: np.ndarray) -> np.ndarray:
        """Rank of the latest pair first seen at or before each moment (-1: none)."""
        ranks: np.ndarray = np.searchsorted(self.times, moments, side="right") - 1
        return ranks.astype(np.int64)

    def query_stats(
        self, histories: Sequence[np.ndarray], moments: np.ndarray, last_seen: np.ndarray
    ) -> QueryStats:
        """:class:`QueryStats` of histories (distinct dense item indices in this context's
        item space) at their moments; ``last_seen`` is each person's latest event time."""
        lengths = np.asarray([len(h) for h in histories], dtype=np.int64)
        items = (
            np.concatenate(histories).astype(np.int64) if len(histories) else np.zeros(0, np.int64)
        )
        rows = np.repeat(np.arange(len(histories)), lengths)
        now = self.rank_at(np.asarray(moments, dtype=np.float64))
        per_history = np.maximum(lengths, 1).astype(np.float64)
        counts = self.counts_up_to(items, now[rows])
        pop_sum = np.bincount(rows, weights=np.log1p(counts), minlength=len(histories))
        pair_item, pair_category = category_pairs(self.item_categories, items)
        categories = sp.csr_matrix(
            (1.0 / per_history[rows[pair_item]], (rows[pair_item], pair_category)),
            shape=(len(histories), self.item_categories.shape[1]),
        )
        seen = np.minimum(self.rank_at(np.asarray(last_seen, dtype=np.float64)), now)
        return QueryStats(
            length=lengths.astype(np.float64),
            now=now,
            seen=seen,
            mean_popularity=pop_sum / per_history,
            categories=categories,
        )

    def _item_bounds(self, items: np.ndarray, end_rank: np.ndarray) -> tuple[np.ndarray, ...]:
        base = items * max(self.n_events, 1)
        start = np.searchsorted(self.event_keys, base, side="left")
        high = np.searchsorted(self.event_keys, base + end_rank, side="right")
        return base, start, np.maximum(high, start)

    def counts_up_to(self, items: np.ndarray, end_rank: np.ndarray) -> np.ndarray:
        """Pairs of each item at or before ``end_rank``."""
        _, start, high = self._item_bounds(items, end_rank)
        counts: np.ndarray = (high - start).astype(np.float64)
        return counts

    def window_counts(
        self, items: np.ndarray, end_rank: np.ndarray, width: int | np.ndarray
    ) -> np.ndarray:
        """Pairs of each item among the ``width`` pairs (one for all, or one per item) up to
        and including ``end_rank``."""
        base, start, high = self._item_bounds(items, end_rank)
        low = np.searchsorted(self.event_keys, base + end_rank - width, side="right")
        counts: np.ndarray = (high - np.maximum(low, start)).clip(min=0).astype(np.float64)
        return counts

    def repeat_up_to(self, items: np.ndarray, end_rank: np.ndarray) -> np.ndarray:
        """Per item, log of events per (user, item) pair over the pairs at or before
        ``end_rank``: how often people come back to it (0 when nobody repeats it, as on a
        rating log, or nobody touched it). A pair's events are all it ever had."""
        _, start, high = self._item_bounds(items, end_rank)
        cumulative = np.concatenate(([0.0], self.event_weights))
        events = cumulative[high] - cumulative[start]
        pairs = (high - start).astype(np.float64)
        ratio = np.divide(events, pairs, out=np.ones(len(items)), where=pairs > 0)
        repeat: np.ndarray = np.maximum(np.log(ratio), 0.0)
        return repeat

    def last_up_to(self, items: np.ndarray, end_rank: np.ndarray) -> np.ndarray:
        """Rank of each item's latest pair at or before ``end_rank`` (NaN: none)."""
        base, start, high = self._item_bounds(items, end_rank)
        out = np.full(len(items), np.nan)
        has = high > start
        out[has] = self.event_keys[high[has] - 1] - base[has]
        return out


def category_matrix(categories: Sequence[frozenset[str]]) -> sp.csr_matrix:
    """Items x distinct categories, 1 where an item has the category."""
    names = sorted({c for cats in categories for c in cats})
    column = {c: j for j, c in enumerate(names)}
    rows = [i for i, cats in enumerate(categories) for _ in cats]
    cols = [column[c] for cats in categories for c in sorted(cats)]
    return sp.csr_matrix(
        (np.ones(len(rows), dtype=np.float64), (rows, cols)),
        shape=(len(categories), max(len(names), 1)),
    )


def category_pairs(
    item_categories: sp.csr_matrix, items: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Every (position in ``items``, category) pair of the given items, from the items x
    categories matrix (binary), without building a sparse matrix."""
    starts = item_categories.indptr[items]
    counts = item_categories.indptr[items + 1] - starts
    pair_item = np.repeat(np.arange(len(items)), counts)
    offsets = np.arange(len(pair_item)) - np.repeat(np.cumsum(counts) - counts, counts)
    return pair_item, item_categories.indices[np.repeat(starts, counts) + offsets]


def category_affinity(
    user_categories: sp.csr_matrix,
    users: np.ndarray,
    item_categories: sp.csr_matrix,
    items: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per (user, item) pair: the largest and the summed share of the user's history in
    the item's categories, and the item's category count. Plain array lookups (binary
    searches into the users' rows), as a sparse product per request cost milliseconds."""
    pair, category = category_pairs(item_categories, items)
    n_cats = np.bincount(pair, minlength=len(items)).astype(np.float64)
    distinct, position = np.unique(users, return_inverse=True)
    rows = user_categories[distinct]
    rows.sort_indices()
    width = max(rows.shape[1], 1)
    keys = np.repeat(np.arange(rows.shape[0]), np.diff(rows.indptr)) * width + rows.indices
    wanted = position[pair] * width + category
    found = np.searchsorted(keys, wanted)
    inside = found < len(keys)
    hit = np.zeros(len(wanted), dtype=bool)
    hit[inside] = keys[found[inside]] == wanted[inside]
    values = np.zeros(len(wanted))
    values[hit] = rows.data[found[hit]]
    largest = np.zeros(len(items))
    np.maximum.at(largest, pair, values)
    total = np.bincount(pair, weights=values, minlength=len(items)).astype(np.float64)
    return largest, total, n_cats


def feature_names(source_names: Sequence[str]) -> list[str]:
    """Column names of :func:`build_features`, in order."""
    per_source = [f"{kind}_{name}" for name in source_names for kind in ("score", "rank")]
    trending = [f"trending_{share:g}" for share in TRENDING_SHARES]
    return [
        *per_source,
        "sources_proposing",
        "best_rank",
        "item_log_count",
        "item_log_repeat",
        *trending,
        "item_age",
        "item_idle",
        "user_log_length",
        "user_idle",
        "user_mean_log_popularity",
        "category_affinity_max",
        "category_affinity_mean",
    ]


def build_features(
    candidates: Candidates, context: FeatureContext, stats: QueryStats
) -> np.ndarray:
    """float32 ``(len(candidates), len(feature_names(...)))`` features of every pair, each
    read at its query's moment.

    Ages are in shares of the pairs known at the moment (first seen at or before it):
    ``item_age`` is how long before the moment the item was first taken up, ``item_idle``
    how long since anyone last took it up (both NaN for an item nobody had touched then),
    ``user_idle`` how long since the person's latest event.
    ``stats`` is indexed by ``candidates.users``.
    """
    users, items = candidates.users, candidates.items
    now = stats.now[users]
    # shares of the pairs known at each query's moment, never of the context's total
    # (that would read how many pairs came after the moment)
    n = np.maximum(now + 1, 1).astype(np.float64)
    trending = [
        np.log1p(context.window_counts(items, now, np.maximum(1, (share * n).astype(np.int64))))
        for share in TRENDING_SHARES
    ]
    first = context.item_first[items]
    first = np.where(first <= now, first, np.nan)
    proposed = candidates.proposed
    affinity_max, affinity_total, n_cats = category_affinity(
        stats.categories, users, context.item_categories, items
    )
    source_scores = np.where(np.isfinite(candidates.scores), candidates.scores, np.nan)
    columns = [
        *[
            column
            for s in range(candidates.scores.shape[1])
            for column in (source_scores[:, s], candidates.ranks[:, s])
        ],
        proposed.sum(axis=1),
        candidates.ranks.min(axis=1),
        np.log1p(context.counts_up_to(items, now)),
        context.repeat_up_to(items, now),
        *trending,
        (now - first) / n,
        (now - context.last_up_to(items, now)) / n,
        np.log1p(stats.length[users]),
        (now - stats.seen[users]) / n,
        stats.mean_popularity[users],
        affinity_max,
        np.divide(affinity_total, n_cats, out=np.zeros_like(affinity_total), where=n_cats > 0),
    ]
    return np.column_stack([np.asarray(c, dtype=np.float32) for c in columns])
