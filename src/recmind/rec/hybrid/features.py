"""Features of (user, candidate) pairs for the ranker, vectorised over all pairs.

Time is measured in events, not seconds: "how many of all events ago", as a share of the
event count, so the same features mean the same on a dataset spanning a week or ten years.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from recmind.rec.hybrid.candidates import Candidates
from recmind.rec.interactions import Interactions, ItemCatalog

TRENDING_SHARES = (0.005, 0.02, 0.08)
"""Windows of "trending" counts: the latest 0.5%, 2% and 8% of all events before a moment."""


@dataclass(frozen=True)
class UserStats:
    """Per-query statistics of the people being ranked for, one row per key that
    :attr:`Candidates.users` holds: dense user indices for known users, or positions of
    ad-hoc histories.

    ``last`` is the global event rank of the person's latest event (``n_events - 1`` for
    a history scored at request time: it happens now).
    """

    length: np.ndarray
    last: np.ndarray
    mean_popularity: np.ndarray
    categories: sp.csr_matrix


@dataclass(frozen=True)
class FeatureContext:
    """Per-item and per-user statistics of one set of interactions.

    ``event_keys`` sorts every pair by (item, global event rank) as ``item * n + rank`` so
    that an item's count inside any window of ranks is two binary searches.
    """

    n_events: int
    event_keys: np.ndarray
    item_count: np.ndarray
    item_repeat: np.ndarray
    """Per item, log of its events per (user, item) pair: how often people come back to it
    (0 when nobody repeats it, as on a rating log, or nobody touched it)."""
    item_first: np.ndarray
    item_last: np.ndarray
    users: UserStats
    item_categories: sp.csr_matrix

    @classmethod
    def build(cls, interactions: Interactions, catalog: ItemCatalog, seed: int) -> FeatureContext:
        """Statistics of ``interactions`` (categories from ``catalog``)."""
        n = len(interactions)
        order = time_order_global(interactions, seed)
        rank = np.empty(n, dtype=np.int64)
        rank[order] = np.arange(n)
        items = interactions.item_index.astype(np.int64)
        users = interactions.user_index.astype(np.int64)
        n_items, n_users = interactions.n_items, interactions.n_users
        count = np.bincount(items, minlength=n_items).astype(np.float64)
        events = np.bincount(items, weights=interactions.weights, minlength=n_items)
        repeat = np.log(np.divide(events, count, out=np.ones(n_items), where=count > 0))
        first = np.full(n_items, np.nan)
        last = np.full(n_items, np.nan)
        if n:
            first_rank = np.full(n_items, n, dtype=np.int64)
            np.minimum.at(first_rank, items, rank)
            last_rank = np.full(n_items, -1, dtype=np.int64)
            np.maximum.at(last_rank, items, rank)
            touched = count > 0
            first[touched] = first_rank[touched]
            last[touched] = last_rank[touched]
        user_last = np.full(n_users, -1, dtype=np.int64)
        np.maximum.at(user_last, users, rank)
        user_length = np.bincount(users, minlength=n_users).astype(np.float64)
        log_pop = np.log1p(count)
        pop_sum = np.bincount(users, weights=log_pop[items], minlength=n_users)
        item_cats = category_matrix(catalog.categories)
        history = interactions.matrix()
        per_user = np.maximum(user_length, 1.0)
        user_cats = sp.csr_matrix(sp.diags(1.0 / per_user) @ (history @ item_cats))
        return cls(
            n_events=n,
            event_keys=np.sort(items * max(n, 1) + rank),
            item_count=count,
            item_repeat=np.maximum(repeat, 0.0),
            item_first=first,
            item_last=last,
            users=UserStats(
                length=user_length,
                last=user_last,
                mean_popularity=pop_sum / per_user,
                categories=user_cats,
            ),
            item_categories=item_cats,
        )

    def history_stats(
        self, histories: Sequence[np.ndarray], last: np.ndarray | None = None
    ) -> UserStats:
        """:class:`UserStats` of ad-hoc histories (distinct dense item indices, each in
        this context's item space), computed as :meth:`build` computes a user's: the same
        history gives the same values. ``last`` (one event rank per history) defaults to
        now, the latest event of this context."""
        lengths = np.asarray([len(h) for h in histories], dtype=np.int64)
        items = np.concatenate(histories).astype(np.int64) if len(histories) else np.zeros(0)
        items = items.astype(np.int64)
        rows = np.repeat(np.arange(len(histories)), lengths)
        per_history = np.maximum(lengths, 1).astype(np.float64)
        log_pop = np.log1p(self.item_count[items])
        pop_sum = np.bincount(rows, weights=log_pop, minlength=len(histories))
        pair_item, pair_category = category_pairs(self.item_categories, items)
        categories = sp.csr_matrix(
            (1.0 / per_history[rows[pair_item]], (rows[pair_item], pair_category)),
            shape=(len(histories), self.item_categories.shape[1]),
        )
        if last is None:
            last = np.full(len(histories), self.n_events - 1, dtype=np.int64)
        return UserStats(
            length=lengths.astype(np.float64),
            last=np.asarray(last, dtype=np.int64),
            mean_popularity=pop_sum / per_history,
            categories=categories,
        )

    def window_counts(self, items: np.ndarray, end_rank: np.ndarray, width: int) -> np.ndarray:
        """Events of each item among the ``width`` events up to and including ``end_rank``."""
        base = items * max(self.n_events, 1)
        high = np.searchsorted(self.event_keys, base + end_rank, side="right")
        low = np.searchsorted(self.event_keys, base + end_rank - width, side="right")
        low = np.maximum(low, np.searchsorted(self.event_keys, base, side="left"))
        counts: np.ndarray = (high - low).astype(np.float64)
        return counts


def time_order_global(interactions: Interactions, seed: int) -> np.ndarray:
    """All pairs by timestamp (seeded order among equal timestamps)."""
    key = np.random.default_rng(seed + 1).random(len(interactions))
    return np.lexsort((key, interactions.timestamps))


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
    trending += [f"trending_now_{share:g}" for share in TRENDING_SHARES]
    return [
        *per_source,
        "sources_proposing",
        "best_rank",
        "item_log_count",
        "item_log_repeat",
        *trending,
        "item_age",
        "item_idle",
        "item_first_after_user",
        "user_log_length",
        "user_idle",
        "user_mean_log_popularity",
        "category_affinity_max",
        "category_affinity_mean",
    ]


def build_features(
    candidates: Candidates, context: FeatureContext, user_stats: UserStats | None = None
) -> np.ndarray:
    """float32 ``(len(candidates), len(feature_names(...)))`` features of every pair.

    Ages are in shares of all events: ``item_age`` is how long before the user's latest
    event the item first appeared (negative: it appeared later), ``item_idle`` how long
    since anyone last touched it, ``user_idle`` how long since the user's latest event.
    ``user_stats`` (default: the context's users) is indexed by ``candidates.users``.
    """
    stats = context.users if user_stats is None else user_stats
    users, items = candidates.users, candidates.items
    n = max(context.n_events, 1)
    user_end = stats.last[users]
    trending = [
        np.log1p(context.window_counts(items, user_end, max(1, int(share * n))))
        for share in TRENDING_SHARES
    ]
    now = np.full(len(items), n - 1, dtype=np.int64)
    trending += [
        np.log1p(context.window_counts(items, now, max(1, int(share * n))))
        for share in TRENDING_SHARES
    ]
    first = context.item_first[items]
    age = (user_end - first) / n
    proposed = candidates.proposed
    affinity_max, affinity_total, n_cats = category_affinity(
        stats.categories, users, context.item_categories, items
    )
    columns = [
        *[
            column
            for s in range(candidates.scores.shape[1])
            for column in (candidates.scores[:, s], candidates.ranks[:, s])
        ],
        proposed.sum(axis=1),
        candidates.ranks.min(axis=1),
        np.log1p(context.item_count[items]),
        context.item_repeat[items],
        *trending,
        age,
        (n - 1 - context.item_last[items]) / n,
        (first > user_end).astype(np.float64),
        np.log1p(stats.length[users]),
        (n - 1 - user_end) / n,
        stats.mean_popularity[users],
        affinity_max,
        np.divide(affinity_total, n_cats, out=np.zeros_like(affinity_total), where=n_cats > 0),
    ]
    return np.column_stack([np.asarray(c, dtype=np.float32) for c in columns])
