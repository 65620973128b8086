"""``HybridRecommender``: candidates from several sources, ranked by LightGBM LambdaRank.

Fitting never touches an evaluation target, and the ranker learns the task the server is
given: at several internal time cuts (:func:`~recmind.rec.hybrid.holdout.label_cuts`) the
sources are fitted on what came before the cut, every person with history then is scored
at the cut through the same code that serves requests (:mod:`recmind.rec.hybrid.queries`),
and the labels are the items they took up afterwards. The sources are then fitted on all
the given interactions to serve. A second split hides a share of the items entirely and
trains a second, *cold* ranker on what people did with them; at scoring time it orders
the candidates nobody has touched and gives the best of them a few slots from the 5th
place (:func:`place_cold`), as many as the validation target asks for.

Scoring is time-causal (:meth:`HybridRecommender.score_histories_at`): a history scored at
a moment sees no item first taken up after it, and every feature is read at that moment,
so the evaluation (which scores each protocol's users at their moment) and the server
(which scores at its clock) rank through one path.

The ranker starts from the best single ranking among its sources (see
:mod:`recmind.rec.hybrid.ranker`) and keeps trees only where they beat it on held-out
users, so on data where nothing can be learnt beyond one source it ranks as that source
does; the validation target may also choose that starting order alone (``use_trees``).
Its EASE source uses EDLAE's emphasised-denoising penalty
(:class:`~recmind.rec.ease.EASEConfig`).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from typing import Any, ClassVar

import numpy as np

from recmind.rec.base import ModelConfig, Recommender
from recmind.rec.hybrid.candidates import Candidates
from recmind.rec.hybrid.config import HybridConfig
from recmind.rec.hybrid.features import FeatureContext, feature_names
from recmind.rec.hybrid.histories import distinct_latest
from recmind.rec.hybrid.holdout import InternalSplit, cold_split, label_cuts
from recmind.rec.hybrid.queries import Queries, Scorer, batches, concat_rows, ranker_rows
from recmind.rec.hybrid.ranker import RankerData, TrainedRanker, rrf_scores, train_ranker
from recmind.rec.hybrid.sources import COLD_CAPABLE_SOURCES, Source, fit_sources
from recmind.rec.interactions import Interactions

logger = logging.getLogger(__name__)

OUTSIDE = -1e9
"""Score offset of items that no source proposed: below every candidate, while the
popularity added to it still orders them among themselves."""


class HybridRecommender(Recommender):
    """Several candidate sources merged by a learned ranker.

    After :meth:`fit`, ``source_names_`` holds the sources used, ``label_cuts_`` the
    internal cut moments the ranker learned from, and ``ranker_`` the LambdaRank model
    (``None`` when no label was recoverable; reciprocal-rank fusion then merges the
    sources).
    """

    name: ClassVar[str] = "hybrid"
    Config: ClassVar[type[ModelConfig]] = HybridConfig
    config: HybridConfig
    batch_size: ClassVar[int] = 256
    scoring_params: ClassVar[frozenset[str]] = frozenset({"cold_from", "cold_slots", "use_trees"})

    @classmethod
    def search_space(cls) -> list[dict[str, Any]]:
        """For the validation target to choose, all from one fit (every choice is a
        :attr:`scoring_params`): the ranker's trees or its starting order alone (on data
        whose validation period differs from what the cuts taught, trees can overfit),
        each with the default slots for items nobody has touched or none (whether new items
        deserve places depends on what the target rewards). Everything else tunes itself
        inside ``fit``: the number of trees by early stopping on held-out users."""
        return [
            {},
            {"cold_slots": 0},
            {"use_trees": False},
            {"use_trees": False, "cold_slots": 0},
        ]

    # -- fitting ---------------------------------------------------------------------

    def _fit(self, interactions: Interactions) -> None:
        cfg = self.config
        names: Sequence[str] | None = cfg.sources
        parts: list[RankerData] = []
        splits = label_cuts(
            interactions,
            cfg.label_quantiles,
            cfg.label_window,
            budget=cfg.cut_budget,
            min_cuts=cfg.min_cuts,
        )
        per_cut = max(1, cfg.max_queries // max(len(splits), 1))
        for split in splits:
            sources = fit_sources(names, cfg.source_params, split.train, self.catalog_, self.seed)
            names = [s.name for s in sources]
            parts.append(self._rows(sources, split, per_cut))
            del sources
        final = fit_sources(names, cfg.source_params, interactions, self.catalog_, self.seed)
        self.source_names_ = [s.name for s in final]
        self.feature_names_ = feature_names(self.source_names_)
        self.label_cuts_ = [split.moment for split in splits]
        data = concat_rows(parts, len(self.feature_names_))
        self.ranker_: TrainedRanker | None = train_ranker(data, self.feature_names_, cfg, self.seed)
        if self.ranker_ is None:
            logger.warning("hybrid: no internal label among the candidates; using rank fusion")
        self.cold_ranker_ = self._fit_cold_ranker(interactions)
        self.sources_: list[Source] = final
        self.scorer_ = self._scorer(final, interactions)

    def _scorer(self, sources: Sequence[Source], interactions: Interactions) -> Scorer:
        return Scorer(
            sources=list(sources),
            context=FeatureContext.build(interactions, self.catalog_, self.seed),
            first_seen=interactions.item_first_seen(),
            depth=self.config.candidates,
            tiebreak=self.tiebreak_,
        )

    def _rows(self, sources: Sequence[Source], split: InternalSplit, limit: int) -> RankerData:
        """Training rows of one internal split, scored by sources fitted on its train."""
        scorer = self._scorer(sources, split.train)
        return ranker_rows(
            scorer, split, seed=self.seed, max_queries=limit, batch_size=self.batch_size
        )

    def _fit_cold_ranker(self, interactions: Interactions) -> TrainedRanker | None:
        """The ranker of items nobody has touched: trained on a second internal split that
        hides a share of the items entirely, with the sources fitted again without them;
        ``None`` when ``cold_share`` is 0, no cold item had a user, or no source can
        propose an item nobody has touched."""
        cfg = self.config
        if not COLD_CAPABLE_SOURCES.intersection(self.source_names_):
            self.cold_items_ = np.zeros(0, dtype=np.int64)
            return None
        cold = cold_split(interactions, self.seed, cfg.cold_share, cfg.cold_min_users)
        self.cold_items_ = cold.cold_items
        if cold.labels.nnz == 0:
            return None
        sources = fit_sources(
            self.source_names_, cfg.source_params, cold.train, self.catalog_, self.seed
        )
        data = self._rows(sources, cold, cfg.max_queries)
        return train_ranker(data, self.feature_names_, cfg, self.seed)

    # -- scoring ---------------------------------------------------------------------

    def _full_scores(self, candidates: Candidates, features: np.ndarray, n_rows: int) -> np.ndarray:
        """Ranker scores on the candidates, with items nobody has touched placed by the
        cold ranker (:func:`place_cold`); every other item below them, by popularity.
        Without a ranker, reciprocal-rank fusion of the sources orders the candidates."""
        cfg = self.config
        scores = np.tile(OUTSIDE + self.fallback_scores_, (n_rows, 1))
        rows = np.repeat(np.arange(n_rows), candidates.groups)
        cold = np.isnan(self.scorer_.context.item_first[candidates.items])
        if self.ranker_ is None:
            ranked = rrf_scores(candidates.ranks)
        else:
            ranked = self.ranker_.predict(features, cfg.threads, use_trees=cfg.use_trees)
        if self.cold_ranker_ is not None and cold.any():
            cold_rows = np.flatnonzero(cold)
            order = np.zeros(len(ranked))
            order[cold_rows] = self.cold_ranker_.predict(
                features[cold_rows], cfg.threads, use_trees=cfg.use_trees
            )
            ranked = place_cold(
                ranked, rows, cold, order, n_rows, position=cfg.cold_from, slots=cfg.cold_slots
            )
        scores[rows, candidates.items] = ranked
        return scores

    def _known_queries(self, user_index: np.ndarray) -> Queries:
        """Known users' training histories at the end of the training data."""
        every = self.interactions_.histories(self.seed)
        end = float(self.interactions_.timestamps.max(initial=0.0))
        return Queries(
            histories=[every[int(u)] for u in user_index],
            moments=np.full(len(user_index), end),
            last_seen=self.interactions_.user_last_seen()[user_index],
        )

    def _score(self, user_index: np.ndarray) -> np.ndarray:
        queries = self._known_queries(np.asarray(user_index, dtype=np.int64))
        return self._score_histories_at(queries.histories, queries.moments, queries.last_seen)

    def score_histories(self, histories: Sequence[Sequence[int]]) -> np.ndarray:
        """:meth:`score_histories_at` now (the wall clock)."""
        return self.score_histories_at(histories, time.time())

    def _score_histories_at(
        self,
        histories: Sequence[Sequence[int]] | Sequence[np.ndarray],
        now: np.ndarray,
        last_seen: np.ndarray,
    ) -> np.ndarray:
        """Scores of histories (dense item indices, oldest first) at their moments: every
        source scores the history itself, candidates are the items that existed then, and
        the trained ranker orders them on features read at that moment.

        A repeated item counts once, at its latest position (as training data keep one
        pair per user and item); negative indices are ignored; a history with no known
        item gets normalised popularity. An item that had no interaction in training
        still counts: the text source knows it by its words.
        """
        cleaned = [distinct_latest(h, self.interactions_.n_items) for h in histories]
        out = np.tile(self.fallback_scores_, (len(cleaned), 1))
        filled = np.flatnonzero([len(h) > 0 for h in cleaned])
        for rows in batches(len(filled), self.batch_size):
            chosen = filled[rows]
            queries = Queries(
                histories=[cleaned[int(i)] for i in chosen],
                moments=np.asarray(now, dtype=np.float64)[chosen],
                last_seen=np.asarray(last_seen, dtype=np.float64)[chosen],
            )
            candidates, features = self.scorer_.features(queries)
            out[chosen] = self._full_scores(candidates, features, len(chosen))
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
        queries = self._known_queries(np.asarray([user]))
        candidates, _ = self.scorer_.candidates(queries)
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


def place_cold(
    scores: np.ndarray,
    rows: np.ndarray,
    cold: np.ndarray,
    cold_order: np.ndarray,
    n_rows: int,
    *,
    position: int,
    slots: int,
) -> np.ndarray:
    """Final candidate scores: warm candidates keep ``scores``; in each row the ``slots``
    best cold candidates by ``cold_order`` come right after the ``position - 1`` best warm
    ones (after all of them when there are fewer), in that order, and the other cold
    candidates after every warm one, in that order too."""
    out = scores.astype(np.float64, copy=True)
    cold_index = np.flatnonzero(cold)
    if cold_index.size == 0:
        return out
    warm_rows, warm_scores = rows[~cold], out[~cold]
    order = np.lexsort((-warm_scores, warm_rows))
    sorted_scores = warm_scores[order]
    starts = np.searchsorted(warm_rows[order], np.arange(n_rows))
    counts = np.bincount(warm_rows, minlength=n_rows)
    ends = starts + counts - 1
    has_warm = counts > 0
    bottom = np.zeros(n_rows)
    bottom[has_warm] = sorted_scores[ends[has_warm]]
    # the slot interval: below the (position-1)-th best warm, above the position-th
    before = max(position - 1, 0)
    high = bottom.copy()
    enough = counts >= before
    if before:
        high[enough & has_warm] = sorted_scores[starts[enough & has_warm] + before - 1]
    else:
        high[:] = np.inf
    low = bottom - 1.0
    has_next = counts > before
    low[has_next] = sorted_scores[starts[has_next] + before]
    high = np.where(np.isfinite(high), high, low + 2.0)
    # cold candidates by row, best first
    cold_index = cold_index[np.lexsort((-cold_order[cold_index], rows[cold_index]))]
    cold_rows = rows[cold_index]
    rank = np.arange(len(cold_index)) - np.searchsorted(cold_rows, cold_rows)
    total = np.bincount(cold_rows, minlength=n_rows)[cold_rows]
    in_slot = rank < slots
    slot_total = np.minimum(total, slots)
    top, bottom_of_slot = high[cold_rows], low[cold_rows]
    out[cold_index[in_slot]] = (top - (top - bottom_of_slot) * (rank + 1) / (slot_total + 1))[
        in_slot
    ]
    rest_rank = rank - slots
    rest_total = total - slot_total
    floor = bottom[cold_rows] - 1.0
    out[cold_index[~in_slot]] = (floor - (rest_rank + 1) / (rest_total + 1))[~in_slot]
    return out
