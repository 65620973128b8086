"""``evaluate``: split a bundle, tune and test every model in the same harness."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping, Sequence

import numpy as np
import pandas as pd

from recmind.data.bundle import DataBundle
from recmind.eval.cold import (
    DEFAULT_ITEM_SHARE,
    DEFAULT_USER_SHARE,
    cold_item_split,
    cold_user_split,
)
from recmind.eval.history import history_metric, ndcg_by_history
from recmind.eval.metrics import category_matrix
from recmind.eval.reference import with_reference_models
from recmind.eval.report import EvalReport, ModelResult
from recmind.eval.scoring import fit_and_rank, ranking_metrics
from recmind.eval.specs import ModelSpec, resolve_models
from recmind.eval.splits import PROTOCOLS, ProtocolSplit, leave_last_out, temporal_split
from recmind.eval.tuning import tune
from recmind.rec.base import Recommender
from recmind.rec.interactions import Interactions, ItemCatalog

logger = logging.getLogger(__name__)


def item_space(bundle: DataBundle) -> np.ndarray:
    """Catalogue items plus any item that only appears in events, sorted, as strings."""
    ids: set[str] = {str(i) for i in bundle.items["item_id"].dropna()}
    ids.update(str(i) for i in bundle.events["item_id"].dropna())
    return np.asarray(sorted(ids), dtype=object)


def item_events(bundle: DataBundle) -> pd.DataFrame:
    """Every event with an item, whatever its type."""
    events = bundle.events
    return events.loc[events["item_id"].notna(), ["user_id", "item_id", "timestamp"]]


def split_bundle(
    bundle: DataBundle,
    items: np.ndarray,
    protocol: str,
    seed: int,
    *,
    cold_share: float | None = None,
) -> ProtocolSplit:
    """The validation and test holdouts of ``protocol`` over the bundle's item events;
    ``cold_share`` overrides the cold protocols' default share of items or users."""
    events = item_events(bundle)
    if events.empty:
        raise ValueError(f"dataset {bundle.name!r} has no events with an item to evaluate on")
    if protocol == "temporal":
        return temporal_split(events, items)
    if protocol not in PROTOCOLS:
        raise ValueError(f"unknown protocol {protocol!r}; choose one of {', '.join(PROTOCOLS)}")
    interactions = Interactions.from_frame(events, item_ids=items)
    if protocol == "cold-item":
        share = DEFAULT_ITEM_SHARE if cold_share is None else cold_share
        return cold_item_split(interactions, seed=seed, share=share)
    if protocol == "cold-user":
        share = DEFAULT_USER_SHARE if cold_share is None else cold_share
        return cold_user_split(interactions, seed=seed, share=share)
    return leave_last_out(interactions, seed=seed)


def check_ks(ks: Sequence[int]) -> list[int]:
    """Distinct cut-offs in the given order; each must be a positive integer."""
    out = list(dict.fromkeys(int(k) for k in ks))
    if not out or any(k <= 0 for k in out):
        raise ValueError(f"k must be one or more positive integers, got {list(ks)}")
    return out


def total_steps(specs: Sequence[ModelSpec]) -> int:
    """How many times ``evaluate`` calls ``progress`` for these models."""
    return sum(spec.n_steps for spec in specs)


def _evaluate_one(
    spec: ModelSpec,
    split: ProtocolSplit,
    catalog: ItemCatalog,
    *,
    ks: list[int],
    seed: int,
    progress: Callable[[str], None] | None,
) -> ModelResult:
    tuning = tune(spec, split.validation, catalog, seed=seed, on_step=progress)
    test = split.test
    ranking = fit_and_rank(spec, tuning.params, test, catalog, k=max(ks), seed=seed)
    scores = ranking_metrics(ranking, test, category_matrix(catalog.categories), ks)
    by_history = ndcg_by_history(ranking.recs, test, history_metric(ks)[1])
    if progress:
        progress(f"{spec.label}: test ndcg@{ks[0]}={scores[f'ndcg@{ks[0]}']:.4f}")
    return ModelResult(
        label=spec.label,
        model=spec.name,
        metrics=scores,
        fit_seconds=ranking.fit_seconds,
        users_per_second=ranking.users_per_second,
        users_evaluated=test.n_users,
        best_params=tuning.params,
        val_ndcg=tuning.val_ndcg,
        by_history=by_history,
    )


def evaluate(
    bundle: DataBundle,
    *,
    models: Sequence[str] | None = None,
    protocol: str = "loo",
    ks: Sequence[int] = (10, 20),
    seed: int = 42,
    progress: Callable[[str], None] | None = None,
    registry: Mapping[str, type[Recommender]] | None = None,
    cold_share: float | None = None,
) -> EvalReport:
    """Evaluate models on a bundle with an honest offline protocol.

    Args:
        bundle: The data; interactions are all its events with an item (any type), the
            item space is the catalogue plus items seen in events.
        models: Model names (aliases such as ``pop`` allowed; results keyed by the name as
            given); ``None`` evaluates every registered model.
        protocol: ``"loo"``, ``"temporal"`` (see :mod:`recmind.eval.splits`),
            ``"cold-item"`` or ``"cold-user"`` (see :mod:`recmind.eval.cold`).
        ks: Cut-offs for the metrics; coverage without a K is taken at the first.
        seed: Seeds the split's tie-breaking, the models and their top-k tie-breaking.
        progress: Called once per finished step (tuning candidate or final test) with a
            short message; :func:`total_steps` gives the count.
        registry: Name -> model class to use instead of ``recmind.rec.registry``; the
            reference models of :mod:`recmind.eval.reference` (``random``) are added
            when asked for by name.
        cold_share: Share of items (``cold-item``, default 0.1) or users (``cold-user``,
            default 0.2) made cold; ignored by the other protocols.
    """
    started = time.perf_counter()
    ks = check_ks(ks)
    specs = resolve_models(models, with_reference_models(models, registry))
    items = item_space(bundle)
    catalog = ItemCatalog.from_frame(bundle.items, items)
    split = split_bundle(bundle, items, protocol, seed, cold_share=cold_share)
    n_users = split.test.train.n_users
    for spec in specs:  # refuse what cannot run here before spending time on the rest
        spec.check_fits(n_users, len(items), seed)
    logger.info(
        "%s/%s: %d test users, %d validation users, %d items",
        bundle.name,
        protocol,
        split.test.n_users,
        split.validation.n_users,
        len(items),
    )
    rows = [
        _evaluate_one(spec, split, catalog, ks=ks, seed=seed, progress=progress) for spec in specs
    ]
    info: dict[str, float | int | str] = {
        "items": len(items),
        "test users": split.test.n_users,
        "validation users": split.validation.n_users,
        "training pairs": len(split.test.train),
        **split.info,
    }
    return EvalReport(
        dataset=bundle.name,
        protocol=protocol,
        ks=ks,
        rows=rows,
        seed=seed,
        split_info=info,
        wall_seconds=time.perf_counter() - started,
    )
