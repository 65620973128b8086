"""One served model version, fully built before it is published to request threads."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from recmind.rec.artifacts import LATEST_FILE, ArtifactInfo, ModelStore
from recmind.rec.base import Recommender


@dataclass(frozen=True)
class TrainingHistories:
    """Every training user's items in time order (CSR-style: user ``u`` owns
    ``items[indptr[u]:indptr[u + 1]]``), with the pair's latest timestamp. Equal times keep
    the model's seeded order (:meth:`Interactions.time_order`), the order the evaluation
    harness gives the same history in, never the item ids'."""

    indptr: np.ndarray
    items: np.ndarray
    timestamps: np.ndarray

    @classmethod
    def of(cls, model: Recommender) -> TrainingHistories:
        data = model.interactions_
        order = data.time_order(model.seed)
        counts = np.bincount(data.user_index, minlength=data.n_users)
        return cls(
            indptr=np.concatenate(([0], np.cumsum(counts))).astype(np.int64),
            items=np.asarray(data.item_index[order], dtype=np.int64),
            timestamps=np.asarray(data.timestamps[order], dtype=np.float64),
        )

    def user(self, index: int) -> tuple[np.ndarray, np.ndarray]:
        """Items and timestamps of dense user ``index`` (empty for -1)."""
        if index < 0:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float64)
        start, stop = self.indptr[index], self.indptr[index + 1]
        return self.items[start:stop], self.timestamps[start:stop]


@dataclass(frozen=True)
class ServedModel:
    """An immutable snapshot: request threads read one reference to it, the watcher
    replaces that reference with a new snapshot, so a request never sees half a swap."""

    model: Recommender
    info: ArtifactInfo
    item_index: dict[str, int]
    user_index: dict[str, int]
    histories: TrainingHistories

    @classmethod
    def build(cls, model: Recommender, info: ArtifactInfo) -> ServedModel:
        data = model.interactions_
        return cls(
            model=model,
            info=info,
            item_index={str(i): n for n, i in enumerate(data.item_ids)},
            user_index={str(u): n for n, u in enumerate(data.user_ids)},
            histories=TrainingHistories.of(model),
        )

    @property
    def version(self) -> str:
        return self.info.version

    @property
    def name(self) -> str:
        return self.info.name

    @property
    def n_items(self) -> int:
        return int(self.model.interactions_.n_items)

    @property
    def item_ids(self) -> np.ndarray:
        return self.model.interactions_.item_ids


def load_snapshot(models_dir: Path, version: str | None = None) -> ServedModel | None:
    """The snapshot of ``version`` (default: what LATEST names); None when nothing is
    published yet."""
    store = ModelStore(models_dir)
    if version is None and store.latest() is None:
        return None
    model, info = store.load(version)
    return ServedModel.build(model, info)


def latest_version(models_dir: Path) -> str | None:
    """What LATEST names now (cheap: reads one small file)."""
    try:
        return (models_dir / LATEST_FILE).read_text().strip() or None
    except FileNotFoundError:
        return None
