"""``HybridRecommender``: candidates from several sources, ranked by LightGBM LambdaRank.

Fitting never touches an evaluation target: inside ``fit`` the ranker's labels are held
out of the given interactions (every user's last one, seeded tie-break, and those in the
latest tenth of the log; see :mod:`recmind.rec.hybrid.holdout`), the sources are fitted on
the rest, their candidates and features train the ranker, and then the sources are refitted
on all the given interactions to serve.

Measured on MovieLens 100K in the harness (``benchmarks/hybrid.py``, 3 seeds): NDCG@10
0.107 leave-last-out (EASE 0.071) and 0.231 on the temporal protocol (popularity 0.217,
EASE 0.170), a fit of 14 s and 412 MB on 2 shared cores.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from typing import Any, ClassVar

import numpy as np

from recmind.rec.base import ModelConfig, Recommender
from recmind.rec.hybrid.candidates import Candidates, from_scores, generate
from recmind.rec.hybrid.config import HybridConfig
from recmind.rec.hybrid.features import (
    FeatureContext,
    UserStats,
    build_features,
    feature_names,
)
from recmind.rec.hybrid.histories import distinct_latest, history_matrix
from recmind.rec.hybrid.holdout import InternalSplit, internal_split
from recmind.rec.hybrid.ranker import RankerData, TrainedRanker, train_ranker
from recmind.rec.hybrid.sources import Source, fit_sources
from recmind.rec.interactions import Interactions

logger = logging.getLogger(__name__)

OUTSIDE = -1e9
"""Score offset of items that no source proposed: below every candidate, while the
popularity added to it still orders them among themselves."""
RRF_K = 60.0
"""Reciprocal-rank fusion constant, used when the ranker had nothing to learn from."""


class HybridRecommender(Recommender):
    """Several candidate sources merged by a learned ranker.

    After :meth:`fit`, ``labels_`` (users x items) holds the internal labels (pairs of the
    given interactions), ``source_names_`` the sources used, and ``ranker_`` the
    LambdaRank model (``None`` when no label was recoverable; reciprocal-rank fusion then
    merges the sources).
    """

    name: ClassVar[str] = "hybrid"
    Config: ClassVar[type[ModelConfig]] = HybridConfig
    config: HybridConfig
    batch_size: ClassVar[int] = 256

    @classmethod
    def search_space(cls) -> list[dict[str, Any]]:
        """Two label schemes for the ranker, for the validation target to choose: the next
        step plus the latest period (default), or the latest period only (what a global
        time cut asks). Everything else tunes itself inside ``fit``: the number of trees by
        early stopping on the ranker's own held-out users."""
        return [{}, {"last_labels": False}]

    # -- fitting ---------------------------------------------------------------------

    def _fit(self, interactions: Interactions) -> None:
        cfg = self.config
        split = internal_split(
            interactions,
            self.seed,
            cfg.period_share,
            cfg.last_labels,
            cold_share=cfg.cold_share,
            cold_min_users=cfg.cold_min_users,
        )
        sources = fit_sources(cfg.sources, cfg.source_params, split.train, self.catalog_, self.seed)
        self.source_names_ = [s.name for s in sources]
        self.feature_names_ = feature_names(self.source_names_)
        self.labels_ = split.labels
        data = self._ranker_data(sources, split)
        self.ranker_: TrainedRanker | None = train_ranker(data, self.feature_names_, cfg, self.seed)
        if self.ranker_ is None:
            logger.warning("hybrid: no internal label among the candidates; using rank fusion")
        if cfg.refit_sources:
            for source in sources:
                source.refit(interactions, self.catalog_, self.seed)
        self.sources_: list[Source] = sources
        self.context_ = FeatureContext.build(interactions, self.catalog_, self.seed)

    def _ranker_data(self, sources: Sequence[Source], split: InternalSplit) -> RankerData:
        """Candidates and features of the labelled users on the internal training part.

        Without cold items a user is one query. With them, a user is up to two: the
        *warm* query (candidates that are not cold items, labelled with the user's next
        step and latest period) and the *cold* query (candidates less the warm labels,
        labelled with the user's pairs on cold items, weighted ``cold_weight``). Kept
        apart, a user's dozens of cold-item pairs, gathered over their whole history, do
        not outweigh the one or two pairs that say what they do next.
        """
        context = FeatureContext.build(split.train, self.catalog_, self.seed)
        seen = split.train.matrix()
        users = split.users
        if len(users) > self.config.max_queries:
            rng = np.random.default_rng(self.seed)
            users = np.sort(rng.choice(users, self.config.max_queries, replace=False))
        is_cold = np.zeros(self.interactions_.n_items, dtype=bool)
        is_cold[split.cold_items] = True
        parts = []
        for batch in _batches(users, self.batch_size):
            candidates = generate(sources, batch, seen, self.config.candidates, self.tiebreak_)
            features = build_features(candidates, context)
            labels = np.asarray(split.labels[candidates.users, candidates.items], np.float32)
            parts.append(
                _split_queries(
                    features,
                    labels.ravel(),
                    candidates,
                    is_cold[candidates.items],
                    self.config.cold_weight,
                )
            )
        width = len(self.feature_names_)
        if not parts:
            return RankerData(
                features=np.zeros((0, width), dtype=np.float32),
                labels=np.zeros(0, dtype=np.float32),
                groups=np.zeros(0, dtype=np.int64),
                users=np.zeros(0, dtype=np.int64),
            )
        return RankerData(
            features=np.concatenate([p.features for p in parts]),
            labels=np.concatenate([p.labels for p in parts]),
            groups=np.concatenate([p.groups for p in parts]).astype(np.int64),
            users=np.concatenate([p.users for p in parts]),
            weights=np.concatenate([_weights(p) for p in parts]),
        )

    # -- scoring ---------------------------------------------------------------------

    def candidates(self, user_index: np.ndarray) -> Candidates:
        """The candidate pairs of known users (dense indices), with every source's score and
        rank."""
        return generate(
            self.sources_, user_index, self.seen_, self.config.candidates, self.tiebreak_
        )

    def _rank_candidates(
        self, candidates: Candidates, user_stats: UserStats | None = None
    ) -> np.ndarray:
        if self.ranker_ is None:
            return np.asarray((1.0 / (RRF_K + candidates.ranks)).sum(axis=1), dtype=np.float64)
        features = build_features(candidates, self.context_, user_stats)
        return self.ranker_.predict(features, self.config.threads)

    def _full_scores(
        self, candidates: Candidates, n_rows: int, user_stats: UserStats | None = None
    ) -> np.ndarray:
        """Ranker scores on the candidates (items without interactions no higher than
        ``cold_from``); every other item below them, by popularity."""
        scores = np.tile(OUTSIDE + self.fallback_scores_, (n_rows, 1))
        rows = np.repeat(np.arange(n_rows), candidates.groups)
        ranked = self._rank_candidates(candidates, user_stats)
        cold = self.context_.item_count[candidates.items] == 0
        if cold.any():
            ranked = cap_cold(ranked, rows, cold, n_rows, self.config.cold_from)
        scores[rows, candidates.items] = ranked
        return scores

    def _score(self, user_index: np.ndarray) -> np.ndarray:
        return self._full_scores(self.candidates(user_index), len(user_index))

    def score_histories(self, histories: Sequence[Sequence[int]]) -> np.ndarray:
        """Scores of ad-hoc histories (dense item indices, oldest first), ranked like a
        known user's: every source scores the history itself (see their
        ``score_histories``), candidates and features are built from it, and the trained
        ranker orders them. The history is taken to happen now (its latest event is the
        newest in the data), so time features read "active this moment".

        A repeated item counts once, at its latest position (as training data keep one
        pair per user and item); negative indices are ignored; a history with no known
        item gets normalised popularity. An item that had no interaction in training
        still counts: the text source knows it by its words.
        """
        return self.score_histories_at(histories)

    def score_histories_at(
        self,
        histories: Sequence[Sequence[int]] | Sequence[np.ndarray],
        last: Sequence[int] | np.ndarray | None = None,
    ) -> np.ndarray:
        """:meth:`score_histories` with each history's latest event placed at a global
        event rank of the training data (``last``; default: now). A known user's training
        history at the rank of their own latest event has exactly the features
        :meth:`score_users` gives them, so sources that score histories exactly give the
        same ranking."""
        cleaned = [distinct_latest(h, self.interactions_.n_items) for h in histories]
        ends = None if last is None else np.asarray(last, dtype=np.int64)
        out = np.tile(self.fallback_scores_, (len(cleaned), 1))
        filled = np.flatnonzero([len(h) > 0 for h in cleaned])
        for batch in _batches(filled, self.batch_size):
            chunk = [cleaned[int(i)] for i in batch]
            stats = self.context_.history_stats(chunk, None if ends is None else ends[batch])
            position = np.arange(len(chunk))
            candidates = from_scores(
                [source.history_scores(chunk) for source in self.sources_],
                position,
                history_matrix(chunk, self.interactions_.n_items),
                self.config.candidates,
                self.tiebreak_,
            )
            out[batch] = self._full_scores(candidates, len(chunk), stats)
        return out

    # -- explanations ----------------------------------------------------------------

    def explain_sources(self, user_id: str, item_ids: Sequence[str]) -> dict[str, dict[str, int]]:
        """Which sources proposed each item for this user, and at which rank (1 = that
        source's best unseen item): ``{item_id: {source: rank}}``. An item no source
        proposed, or an unknown user or item, maps to ``{}``."""
        out: dict[str, dict[str, int]] = {str(i): {} for i in item_ids}
        user = int(self.interactions_.lookup_users([user_id])[0])
        if user < 0:
            return out
        candidates = self.candidates(np.asarray([user]))
        position = {int(item): row for row, item in enumerate(candidates.items)}
        for item_id, index in zip(
            item_ids, self.interactions_.lookup_items(list(item_ids)), strict=True
        ):
            row = position.get(int(index))
            if row is None:
                continue
            out[str(item_id)] = {
                name: int(rank) + 1
                for name, rank in zip(self.source_names_, candidates.ranks[row], strict=True)
                if rank < candidates.depth
            }
        return out

    def feature_importance(self) -> dict[str, float]:
        """Each feature's share of the ranker's total split gain (empty without a ranker)."""
        return dict(self.ranker_.importance) if self.ranker_ is not None else {}


def cap_cold(
    scores: np.ndarray, rows: np.ndarray, cold: np.ndarray, n_rows: int, position: int
) -> np.ndarray:
    """Candidate scores with the cold candidates that beat their row's ``position - 1``-th
    best warm candidate moved just below it, in their own order and above the next warm
    candidate: a cold item ranks ``position``-th at best. Rows with fewer warm candidates
    than that are left as they are; so is everything with ``position`` 1."""
    if position <= 1:
        return scores.copy()
    warm_rows, warm_scores = rows[~cold], scores[~cold]
    order = np.lexsort((-warm_scores, warm_rows))
    sorted_scores = warm_scores[order]
    starts = np.searchsorted(warm_rows[order], np.arange(n_rows))
    counts = np.bincount(warm_rows, minlength=n_rows)
    high = np.full(n_rows, np.inf)
    low = np.full(n_rows, -np.inf)
    enough = counts >= position - 1
    high[enough] = sorted_scores[starts[enough] + position - 2]
    has_next = counts >= position
    low[has_next] = sorted_scores[starts[has_next] + position - 1]
    low = np.where(np.isfinite(low), low, high - 1.0)
    cold_index = np.flatnonzero(cold)
    over = cold_index[scores[cold_index] > high[rows[cold_index]]]
    out = scores.copy()
    if over.size == 0:
        return out
    over = over[np.lexsort((-scores[over], rows[over]))]
    over_rows = rows[over]
    first = np.searchsorted(over_rows, over_rows)
    rank = np.arange(len(over)) - first
    total = np.bincount(over_rows, minlength=n_rows)[over_rows]
    top, bottom = high[over_rows], low[over_rows]
    out[over] = top - (top - bottom) * (rank + 1) / (total + 1)
    return out


def _split_queries(
    features: np.ndarray,
    labels: np.ndarray,
    candidates: Candidates,
    cold: np.ndarray,
    cold_weight: float,
) -> RankerData:
    """Each user's candidates as a warm query (rows not on a cold item, their labels)
    followed, when the user has cold rows, by a cold query (rows that are not warm
    positives, labelled on cold items only), with weights 1 and ``cold_weight``.

    ``candidates.users`` must be distinct per group (one group per user)."""
    groups = candidates.groups
    row_group = np.repeat(np.arange(len(groups)), groups)
    group_user = np.zeros(len(groups), dtype=np.int64)
    group_user[row_group] = candidates.users
    if not cold.any():
        return RankerData(features, labels, groups, group_user, np.ones(len(groups)))
    warm_rows = np.flatnonzero(~cold)
    cold_rows = np.flatnonzero(cold | (labels == 0))
    rows = np.concatenate([warm_rows, cold_rows])
    kind = np.repeat([0, 1], [len(warm_rows), len(cold_rows)])
    order = np.lexsort((kind, row_group[rows]))
    rows, kind = rows[order], kind[order]
    keys, sizes = np.unique(row_group[rows] * 2 + kind, return_counts=True)
    return RankerData(
        features=features[rows],
        labels=np.where(kind == 1, labels[rows] * cold[rows], labels[rows]).astype(np.float32),
        groups=sizes.astype(np.int64),
        users=group_user[keys // 2],
        weights=np.where(keys % 2 == 1, cold_weight, 1.0),
    )


def _weights(data: RankerData) -> np.ndarray:
    return np.ones(len(data.groups)) if data.weights is None else data.weights


def _batches(values: np.ndarray, size: int) -> Iterator[np.ndarray]:
    for start in range(0, len(values), size):
        yield values[start : start + size]
