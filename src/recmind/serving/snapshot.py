"""One served model version, fully built before it is published to request threads."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from recmind.rec.artifacts import LATEST_FILE, ArtifactInfo, ModelStore
from recmind.rec.base import Recommender


@dataclass(frozen=True)
class ServedModel:
    """An immutable snapshot: request threads read one reference to it, the watcher
    replaces that reference with a new snapshot, so a request never sees half a swap."""

    model: Recommender
    info: ArtifactInfo

    @property
    def version(self) -> str:
        return self.info.version

    @property
    def name(self) -> str:
        return self.info.name


def load_snapshot(models_dir: Path, version: str | None = None) -> ServedModel | None:
    """The snapshot of ``version`` (default: what LATEST names); None when nothing is
    published yet."""
    store = ModelStore(models_dir)
    if version is None and store.latest() is None:
        return None
    model, info = store.load(version)
    return ServedModel(model=model, info=info)


def latest_version(models_dir: Path) -> str | None:
    """What LATEST names now (cheap: reads one small file)."""
    try:
        return (models_dir / LATEST_FILE).read_text().strip() or None
    except FileNotFoundError:
        return None
