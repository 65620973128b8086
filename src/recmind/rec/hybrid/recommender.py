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
        """Candidates and features of the labelled users on the internal training part."""
        context = FeatureContext.build(split.train, self.catalog_, self.seed)
        seen = split.train.matrix()
        users = split.users
        if len(users) > self.config.max_queries:
            rng = np.random.default_rng(self.seed)
            users = np.sort(rng.choice(users, self.config.max_queries, replace=False))
        parts = []
        for batch in _batches(users, self.batch_size):
            candidates = generate(sources, batch, seen, self.config.candidates, self.tiebreak_)
            features = build_features(candidates, context)
            labels = np.asarray(split.labels[candidates.users, candidates.items], np.float32)
            labels = labels.ravel()
            parts.append((features, labels, candidates.groups))
        width = len(self.feature_names_)
        return RankerData(
            features=np.concatenate([p[0] for p in parts]) if parts else np.zeros((0, width)),
            labels=np.concatenate([p[1] for p in parts]) if parts else np.zeros(0),
            groups=np.concatenate([p[2] for p in parts]).astype(np.int64)
            if parts
            else np.zeros(0, dtype=np.int64),
            users=users,
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
        """Ranker scores on the candidates; every other item below them, by popularity."""
        scores = np.tile(OUTSIDE + self.fallback_scores_, (n_rows, 1))
        rows = np.repeat(np.arange(n_rows), candidates.groups)
        scores[rows, candidates.items] = self._rank_candidates(candidates, user_stats)
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


def _batches(values: np.ndarray, size: int) -> Iterator[np.ndarray]:
    for start in range(0, len(values), size):
        yield values[start : start + size]
