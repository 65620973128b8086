"""What stays on disk after a training: at most N model versions, none holding an erased
person.

After each publish, :func:`enforce` prunes the oldest versions (keeping the newest
``keep`` and whatever LATEST names), then checks every kept version's training
interactions against the tombstones. A version that holds an erased person's history is
refitted in place with its own config and seed on its own interactions minus those people
(one refit per such version), so rollback targets are rewritten, not lost; a version that
cannot be refitted is deleted. Every prune, rewrite and deletion is appended to
``HISTORY.jsonl`` beside the versions (counts only, never an id), which
``recmind models list`` shows.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

import numpy as np

from recmind.data.tombstones import Erasures
from recmind.rec.artifacts import ArtifactIntegrityError, ModelStore, data_fingerprint
from recmind.rec.base import Recommender
from recmind.rec.interactions import Interactions

logger = logging.getLogger(__name__)

DEFAULT_KEEP_VERSIONS = 5
HISTORY_FILE = "HISTORY.jsonl"


@dataclass(frozen=True)
class RetentionReport:
    """What one pass did: versions pruned, rewritten without erased people, deleted
    (they held erased people and could not be refitted, or their file was damaged), and
    left unchecked because they could not be loaded here (a model whose packages are
    missing, say: nothing is deleted for that)."""

    pruned: tuple[str, ...] = ()
    rewritten: tuple[str, ...] = ()
    deleted: tuple[str, ...] = ()
    unchecked: tuple[str, ...] = ()


def _now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat()


def _record(models: ModelStore, entry: dict[str, Any]) -> None:
    models.root.mkdir(parents=True, exist_ok=True)
    with open(models.root / HISTORY_FILE, "a", encoding="utf-8") as handle:
        handle.write(json.dumps({"at": _now(), **entry}, sort_keys=True) + "\n")


def history(models: ModelStore) -> list[dict[str, Any]]:
    """Every prune, rewrite and deletion recorded under ``models``, oldest first."""
    try:
        lines = (models.root / HISTORY_FILE).read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return []
    out = []
    for line in lines:
        try:
            entry = json.loads(line)
        except json.JSONDecodeError:
            continue  # a line cut short by a crash
        if isinstance(entry, dict):
            out.append(entry)
    return out


def without_rows(data: Interactions, drop: np.ndarray) -> Interactions:
    """``data`` without the rows where ``drop`` is true; users left with no row leave the
    id space too (their ids are not kept anywhere)."""
    keep = ~np.asarray(drop, dtype=bool)
    remaining = np.unique(data.user_index[keep])
    new_index = np.full(data.n_users, -1, dtype=np.int64)
    new_index[remaining] = np.arange(len(remaining))
    return Interactions(
        user_ids=np.asarray(data.user_ids[remaining], dtype=object),
        item_ids=data.item_ids,
        user_index=new_index[data.user_index[keep]].astype(data.user_index.dtype),
        item_index=data.item_index[keep],
        timestamps=data.timestamps[keep],
        weights=data.weights[keep],
    )


def held_rows(model: Recommender, erasures: Erasures) -> np.ndarray:
    """Per training interaction of ``model``, whether it is part of an erased person's
    history (see :mod:`recmind.data.tombstones`)."""
    data = model.interactions_
    if not len(erasures):
        return np.zeros(len(data), dtype=bool)
    return erasures.held_by_index(erasures.limits(data.user_ids), data.user_index, data.timestamps)


def prune(models: ModelStore, keep: int) -> list[str]:
    """Delete all but the newest ``keep`` versions (LATEST's is always kept)."""
    if keep < 1:
        raise ValueError(f"keep must be >= 1 (the served version), got {keep}")
    latest = models.latest()
    versions = [info.version for info in models.versions()]
    kept = set(versions[-keep:]) | ({latest.version} if latest else set())
    pruned = [v for v in versions if v not in kept]
    for version in pruned:
        models.delete(version)
        _record(models, {"action": "pruned", "version": version, "keep": keep})
        logger.info("pruned model version %s (keeping %d)", version, keep)
    return pruned


def _refit(model: Recommender, data: Interactions) -> Recommender:
    fresh = type(model)(model.config, seed=model.seed)
    return fresh.fit(data, model.catalog_)


def _drop_version(models: ModelStore, version: str, reason: str) -> None:
    latest = models.latest()
    if latest is not None and latest.version == version:
        others = [i.version for i in models.versions() if i.version != version]
        if others:
            models.set_latest(others[-1])
        else:
            models.clear_latest()
    models.delete(version)
    _record(models, {"action": "deleted", "version": version, "reason": reason})
    logger.warning("deleted model version %s: %s", version, reason)


def forget_erased(
    models: ModelStore,
    erasures: Erasures,
    *,
    progress: Callable[[str], None] | None = None,
) -> RetentionReport:
    """Rewrite (or, failing that, delete) every version holding an erased person's
    history."""
    rewritten: list[str] = []
    deleted: list[str] = []
    unchecked: list[str] = []
    if not len(erasures):
        return RetentionReport()
    for listed in models.versions():
        try:
            model, info = models.load(listed.version)
        except ArtifactIntegrityError as exc:  # never served again, and cannot be checked
            _drop_version(models, listed.version, str(exc))
            deleted.append(listed.version)
            continue
        except Exception as exc:
            info = listed
            _record(models, {"action": "unchecked", "version": info.version, "reason": str(exc)})
            logger.error(
                "model version %s could not be checked for erased people: %s", info.version, exc
            )
            unchecked.append(info.version)
            continue
        drop = held_rows(model, erasures)
        if not drop.any():
            continue
        data = model.interactions_
        people = len(np.unique(data.user_index[drop]))
        remaining = without_rows(data, drop)
        if progress:
            progress(f"{info.version}: refitting without {people} erased people")
        try:
            if len(remaining) == 0:
                raise ValueError("no interactions left")
            refit = _refit(model, remaining)
        except Exception as exc:
            _drop_version(models, info.version, f"held erased people; refit failed: {exc}")
            deleted.append(info.version)
            continue
        note = {"at": _now(), "reason": "erasure", "people": people, "pairs": int(drop.sum())}
        models.rewrite(info.version, refit, data_fingerprint=data_fingerprint(remaining), note=note)
        _record(models, {"action": "rewritten", "version": info.version, **note})
        logger.info("rewrote model version %s without %d erased people", info.version, people)
        rewritten.append(info.version)
    return RetentionReport(
        rewritten=tuple(rewritten), deleted=tuple(deleted), unchecked=tuple(unchecked)
    )


def enforce(
    models: ModelStore,
    erasures: Erasures,
    keep: int = DEFAULT_KEEP_VERSIONS,
    *,
    progress: Callable[[str], None] | None = None,
) -> RetentionReport:
    """Prune to ``keep`` versions, then leave no erased person in the ones kept."""
    pruned = prune(models, keep)
    report = forget_erased(models, erasures, progress=progress)
    return replace(report, pruned=tuple(pruned))
