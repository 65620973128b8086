"""recmind's personalised items: the served model family, tuned as ``recmind train`` tunes
it and fitted on the past only, each person's history as it stood at the campaign moment
scored through the serving path
(:meth:`~recmind.rec.base.Recommender.recommend_histories_at`).

Tuning follows :func:`recmind.training.train_model`: the temporal split of the events
before the fit moment (:func:`recmind.training.training_split`), every candidate of the
model's search space scored on its validation target, the best refitted on all of them.
The item space is the items with an event before the fit moment: an item first sold later
does not exist yet for the model, whatever the catalogue lists.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, cast

import numpy as np
import pandas as pd

from recmind.data.bundle import DataBundle
from recmind.eval.specs import resolve_models
from recmind.eval.tuning import tune
from recmind.marketing.simulate.log import LeakError, Past, check_before
from recmind.rec.base import Filters, Recommender
from recmind.rec.interactions import Interactions, ItemCatalog
from recmind.training import training_split


@dataclass(frozen=True)
class Tuned:
    """What tuning chose and on which split."""

    params: dict[str, Any]
    val_ndcg: float | None
    protocol: str
    seconds: float


@dataclass(frozen=True)
class PersonalModel:
    """A fitted model and the moment it was fitted at (it has read nothing from then on)."""

    model: Recommender
    fitted_at: float
    fit_seconds: float


def _space(past: Past) -> tuple[np.ndarray, ItemCatalog, Interactions]:
    items = np.asarray(sorted(past.events["item_id"].unique()), dtype=object)
    catalog = ItemCatalog.from_frame(past.items, items) if len(past.items) else None
    interactions = Interactions.from_frame(past.events, item_ids=items)
    return items, catalog or ItemCatalog.bare(items), interactions


def tune_personal(
    past: Past, model: str, seed: int, on_step: Callable[[str], None] | None = None
) -> Tuned:
    """The hyperparameters ``recmind train`` would choose from the events before
    ``past.moment``."""
    started = time.perf_counter()
    spec = resolve_models([model])[0]
    items, catalog, interactions = _space(past)
    bundle = DataBundle(name="replay", items=past.items, events=past.events)
    split = training_split(bundle, items, interactions, seed)
    check_before(pd.DataFrame({"timestamp": split.validation.train.timestamps}), past.moment)
    tuning = tune(spec, split.validation, catalog, seed=seed, on_step=on_step)
    return Tuned(
        params=dict(tuning.params),
        val_ndcg=tuning.val_ndcg,
        protocol=split.protocol,
        seconds=time.perf_counter() - started,
    )


def fit_personal(past: Past, model: str, params: dict[str, Any], seed: int) -> PersonalModel:
    """``model`` with ``params`` fitted on every event before ``past.moment``."""
    started = time.perf_counter()
    spec = resolve_models([model])[0]
    _, catalog, interactions = _space(past)
    fitted = spec.factory(dict(params), seed).fit(interactions, catalog)
    return PersonalModel(
        model=fitted, fitted_at=past.moment, fit_seconds=time.perf_counter() - started
    )


def personal_items(
    fitted: PersonalModel,
    past: Past,
    people: Sequence[str],
    k: int,
    *,
    new_only: bool,
    seed: int,
) -> dict[str, list[str]]:
    """Per person, the model's top ``k`` for their history before ``past.moment``, scored
    at that moment. With ``new_only`` the history's items (what the served path calls
    seen, a superset of the person's earlier buys) are left out; without it nothing is."""
    if fitted.fitted_at > past.moment:
        raise LeakError(f"a model fitted at {fitted.fitted_at} cannot be used at {past.moment}")
    model = fitted.model
    check_before(pd.DataFrame({"timestamp": model.interactions_.timestamps}), past.moment)
    wanted = np.asarray(sorted({str(u) for u in people}), dtype=object)
    if not len(wanted):
        return {}
    mine = past.events.loc[past.events["user_id"].isin(set(wanted))]
    known = Interactions.from_frame(mine, item_ids=model.interactions_.item_ids, user_ids=wanted)
    last = mine.groupby("user_id")["timestamp"].max().reindex(pd.Index(wanted))
    histories = cast(Sequence[Sequence[int]], known.histories(seed))
    owned = past.owned() if new_only else {}
    index, _ = model.recommend_histories_at(
        histories,
        past.moment,
        min(k, model.interactions_.n_items),
        Filters(exclude_seen=new_only),
        last_seen=last.fillna(past.moment).to_numpy(dtype=np.float64),
    )
    ids = model.interactions_.item_ids
    out: dict[str, list[str]] = {}
    for row, person in enumerate(wanted):
        mine_owned = owned.get(str(person), set())
        ranked = [str(ids[i]) for i in index[row] if i >= 0]
        out[str(person)] = [i for i in ranked if i not in mine_owned][:k]
    return out
