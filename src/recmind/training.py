"""Train a serving model: choose its hyperparameters on a held-out validation target of
the global temporal split (the protocol that asks what the server is asked: what will
people take up next, from now on), measure it on that split's test period, then refit on
everything and publish a new versioned artefact. Data whose time cut leaves nobody to
evaluate fall back to leave-last-out, and the metrics say which protocol was used.

This is a job above both ``rec`` (the models) and ``eval`` (the protocol), so it lives
beside them rather than inside either.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from recmind.data.bundle import DataBundle
from recmind.data.store import Store
from recmind.data.tombstones import load_erasures, without_erased
from recmind.eval.metrics import category_matrix
from recmind.eval.runner import item_events, item_space
from recmind.eval.scoring import fit_and_rank, ranking_metrics
from recmind.eval.specs import resolve_models
from recmind.eval.splits import ProtocolSplit, leave_last_out, temporal_split
from recmind.eval.tuning import tune
from recmind.rec.artifacts import ArtifactInfo, ModelStore, data_fingerprint
from recmind.rec.interactions import Interactions, ItemCatalog
from recmind.rec.retention import DEFAULT_KEEP_VERSIONS, RetentionReport, enforce

logger = logging.getLogger(__name__)
REPORT_K = 10


@dataclass(frozen=True)
class TrainingResult:
    """The published artefact and what was measured on the way."""

    artifact: ArtifactInfo
    params: dict[str, Any]
    metrics: dict[str, Any]


def training_split(
    bundle: DataBundle, items: np.ndarray, interactions: Interactions, seed: int
) -> ProtocolSplit:
    """The global temporal split of the bundle's item events; leave-last-out when the cut
    leaves no user to evaluate (all events at one time, or too few)."""
    try:
        split = temporal_split(item_events(bundle), items)
        if split.validation.n_users > 0:
            return split
        logger.warning("temporal split has no validation users; tuning on leave-last-out")
    except ValueError as error:
        logger.warning("temporal split impossible (%s); tuning on leave-last-out", error)
    return leave_last_out(interactions, seed=seed)


def train_model(
    bundle: DataBundle,
    *,
    model_name: str,
    model_store: ModelStore,
    seed: int = 42,
    progress: Callable[[str], None] | None = None,
) -> TrainingResult:
    """Tune ``model_name`` on the temporal validation target (:func:`training_split`),
    record its held-out test metrics, refit on all interactions and save it as the latest
    version."""
    spec = resolve_models([model_name])[0]
    items = item_space(bundle)
    catalog = ItemCatalog.from_frame(bundle.items, items)
    interactions = Interactions.from_frame(item_events(bundle), item_ids=items)
    if len(interactions) == 0:
        raise ValueError(f"{bundle.name}: no events with a catalogue item to train on")
    spec.check_fits(interactions.n_users, interactions.n_items, seed)
    split = training_split(bundle, items, interactions, seed)
    tuning = tune(spec, split.validation, catalog, seed=seed, on_step=progress)
    ranking = fit_and_rank(spec, tuning.params, split.test, catalog, k=REPORT_K, seed=seed)
    held_out = ranking_metrics(ranking, split.test, category_matrix(catalog.categories), [REPORT_K])
    if progress:
        progress(f"{spec.label}: held-out ndcg@{REPORT_K}={held_out[f'ndcg@{REPORT_K}']:.4f}")
    started = time.perf_counter()
    model = spec.factory(tuning.params, seed).fit(interactions, catalog)
    fit_seconds = time.perf_counter() - started
    if progress:
        progress(f"{spec.label}: fitted on all {len(interactions):,} pairs")
    metrics: dict[str, Any] = {
        "protocol": split.protocol,
        "validation_ndcg@10": tuning.val_ndcg,
        **{f"test_{name}": value for name, value in held_out.items()},
        "test_users": split.test.n_users,
        "fit_seconds": fit_seconds,
    }
    artifact = model_store.save(
        model, metrics=metrics, data_fingerprint=data_fingerprint(interactions)
    )
    logger.info("published %s %s (%s)", artifact.name, artifact.version, artifact.path)
    return TrainingResult(artifact=artifact, params=tuning.params, metrics=metrics)


# -- erased people and retention (around train_model, not inside it) -----------------------


def training_bundle(store: Store, secret: str, name: str = "store") -> DataBundle:
    """Everything in ``store`` except erased people's history (rows dated at or before
    their erasure, see :mod:`recmind.data.tombstones`): what every training loads."""
    bundle, dropped = without_erased(store.load_bundle(name), load_erasures(store, secret))
    if dropped:
        logger.info("left out %d rows of erased people", dropped)
    return bundle


def after_publish(
    models: ModelStore,
    store: Store,
    secret: str,
    keep: int = DEFAULT_KEEP_VERSIONS,
    progress: Callable[[str], None] | None = None,
) -> RetentionReport:
    """Prune to ``keep`` versions and rewrite (or delete) every kept version holding an
    erased person. The tombstones are read now, after the publish, so a person erased
    while the model trained is covered too."""
    report = enforce(models, load_erasures(store, secret), keep, progress=progress)
    if report.pruned or report.rewritten or report.deleted:
        logger.info(
            "retention: pruned %s, rewrote %s, deleted %s",
            list(report.pruned),
            list(report.rewritten),
            list(report.deleted),
        )
    return report
