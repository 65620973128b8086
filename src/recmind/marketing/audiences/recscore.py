"""How strongly a recmind recommender, fitted on what was known at a moment, would
recommend the target items to each person: the recommender's half of a buyer's score.

Large catalogues are cut to the most-touched items plus the most-touched targets before
fitting, so item x item models (EASE, item-kNN) stay small; scoring goes through
:meth:`recmind.rec.base.Recommender.score_histories_at` at the moment, the time-causal
path the server and the evaluation harness use."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, cast

import numpy as np

from recmind.marketing.audiences.features import Target
from recmind.marketing.audiences.log import EventLog, positions
from recmind.rec.interactions import Interactions
from recmind.rec.registry import create_model

REC_FEATURES = ("rec_sum", "rec_max", "rec_best_rank")
"""Per person: the sum and the maximum of the model's scores of the target items, and
where the best-scored target ranks among all the model's items (1 = first, 0 = last)."""

_PAIR_KEY = 1 << 32
_BATCH = 512


@dataclass(frozen=True)
class RecommenderSpec:
    """Which recommender scores the targets, on how large an item space."""

    model: str = "itemknn"
    params: tuple[tuple[str, Any], ...] = ()
    max_items: int = 2000
    """Most-touched items the model is fitted on (the targets' top come on top of these)."""
    max_targets: int = 500
    """Most-touched target items scored (a category may hold thousands)."""
    seed: int = 0


def item_space(log: EventLog, target: Target, spec: RecommenderSpec) -> np.ndarray:
    """Item codes the model is fitted on: the most-touched items plus the most-touched
    targets, each by distinct people (ties by item id, so the choice does not depend on
    how the log was read)."""
    pairs = np.unique(log.user * _PAIR_KEY + log.item)
    reach = np.bincount(pairs % _PAIR_KEY, minlength=log.n_items)
    touched = np.flatnonzero(reach > 0)
    names = log.item_ids[touched].astype(str)
    order = touched[np.lexsort((names, -reach[touched]))]
    top = order[: spec.max_items]
    targets = order[target.items[order]][: spec.max_targets]
    return np.union1d(top, targets)


def interactions_of(log: EventLog, items: np.ndarray) -> Interactions:
    """The log's (person, item) pairs on ``items``, in recmind's :class:`Interactions`
    form (every person of the log indexed, items re-indexed)."""
    local = np.full(log.n_items, -1, dtype=np.int64)
    local[items] = np.arange(len(items))
    rows = local[log.item] >= 0
    users, codes, times = log.user[rows], local[log.item[rows]], log.time[rows]
    key = users * _PAIR_KEY + codes
    unique, inverse, counts = np.unique(key, return_inverse=True, return_counts=True)
    last = np.full(len(unique), -np.inf)
    first = np.full(len(unique), np.inf)
    np.maximum.at(last, inverse, times)
    np.minimum.at(first, inverse, times)
    return Interactions(
        user_ids=log.user_ids,
        item_ids=log.item_ids[items],
        user_index=(unique // _PAIR_KEY).astype(np.int32),
        item_index=(unique % _PAIR_KEY).astype(np.int32),
        timestamps=last,
        weights=counts.astype(np.float32),
        first_timestamps=first,
    )


def recommender_features(
    log: EventLog, target: Target, moment: float, spec: RecommenderSpec
) -> np.ndarray:
    """``(log.n_users, len(REC_FEATURES))`` at ``moment``: the recommender is fitted on
    the events strictly before it (and on nobody who came later) and scores every
    person's history as it stood then. Zeros for everyone when no target item had been
    touched, and for people who came later."""
    out = np.zeros((log.n_users, len(REC_FEATURES)))
    past = log.before(moment)
    past_target = Target(
        items=target.items[positions(log.item_ids, past.item_ids)],
        related=target.related[positions(log.item_ids, past.item_ids)],
    )
    items = item_space(past, past_target, spec)
    columns = np.flatnonzero(past_target.items[items])
    if not len(columns):
        return out
    interactions = interactions_of(past, items)
    model = create_model(spec.model, dict(spec.params), seed=spec.seed).fit(interactions)
    histories = interactions.histories(spec.seed)
    rows = positions(log.user_ids, past.user_ids)
    for start in range(0, past.n_users, _BATCH):
        batch = histories[start : start + _BATCH]
        scores = model.score_histories_at(cast(Sequence[Sequence[int]], batch), moment)
        scores = np.where(np.isfinite(scores), scores, np.nan)
        chosen = scores[:, columns]
        best = np.nanmax(np.where(np.isnan(chosen), -np.inf, chosen), axis=1)
        beaten = np.sum(np.nan_to_num(scores, nan=-np.inf) > best[:, None], axis=1)
        block = rows[start : start + len(batch)]
        out[block, 0] = np.nansum(chosen, axis=1)
        out[block, 1] = np.where(np.isfinite(best), best, 0.0)
        out[block, 2] = 1.0 - beaten / max(len(items) - 1, 1)
    return out
