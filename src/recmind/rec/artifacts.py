"""Versioned model artefacts on disk, written atomically so a reader never sees half a model.

Layout under the store's root::

    v0001-20261122T143000Z/model.pkl   the fitted Recommender (pickle protocol 5)
    v0001-20261122T143000Z/meta.json   what ArtifactInfo holds
    LATEST                             the version serving traffic (text, one line)

A version directory appears only complete (built in a hidden temporary directory, then
renamed into place); LATEST is replaced atomically, so swapping or rolling back the served
model is one rename. Pickles execute code when loaded: load only stores you wrote.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import pickle
import re
import shutil
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from recmind.rec.base import Recommender
from recmind.rec.interactions import Interactions

MODEL_FILE = "model.pkl"
META_FILE = "meta.json"
LATEST_FILE = "LATEST"
_VERSION = re.compile(r"^v(\d{4,})-\d{8}T\d{6}Z$")
_MAX_SAVE_ATTEMPTS = 100


@dataclass(frozen=True)
class ArtifactInfo:
    """What is known about one saved model version."""

    name: str
    version: str
    path: Path
    created_at: str
    params: dict[str, Any]
    data_fingerprint: str
    metrics: dict[str, Any]
    n_users: int
    n_items: int


def data_fingerprint(interactions: Interactions) -> str:
    """sha256 over the id spaces, the (user, item) index arrays, timestamps and weights: two
    trainings with the same fingerprint saw the same data."""
    digest = hashlib.sha256()
    for ids in (interactions.user_ids, interactions.item_ids):
        digest.update(len(ids).to_bytes(8, "little"))
        for value in ids:
            encoded = str(value).encode("utf-8")
            digest.update(len(encoded).to_bytes(4, "little") + encoded)
    for array, dtype in (
        (interactions.user_index, np.int64),
        (interactions.item_index, np.int64),
        (interactions.timestamps, np.float64),
        (interactions.weights, np.float64),
    ):
        digest.update(np.ascontiguousarray(array, dtype=dtype).tobytes())
    return digest.hexdigest()


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_durable(path: Path, payload: bytes) -> None:
    with open(path, "wb") as handle:
        handle.write(payload)
        handle.flush()
        os.fsync(handle.fileno())


class ModelStore:
    """Saves, lists and loads model versions under ``root``."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    # -- writing ---------------------------------------------------------------------

    def save(
        self, model: Recommender, *, metrics: dict[str, Any], data_fingerprint: str
    ) -> ArtifactInfo:
        """Store a fitted ``model`` as a new version and make it the latest.

        Raises whatever pickling or JSON encoding raises; nothing becomes visible then.
        """
        self.root.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".tmp-", dir=self.root))
        try:
            created = datetime.now(UTC).replace(microsecond=0)
            meta = {
                "name": model.name,
                "params": model.config.model_dump(mode="json"),
                "seed": model.seed,
                "created_at": created.isoformat(),
                "data_fingerprint": data_fingerprint,
                "metrics": metrics,
                "n_users": int(model.interactions_.n_users),
                "n_items": int(model.interactions_.n_items),
            }
            meta_bytes = json.dumps(meta, indent=2, sort_keys=True, allow_nan=False).encode()
            _write_durable(staging / MODEL_FILE, pickle.dumps(model, protocol=5))
            version = self._publish(staging, created, meta_bytes)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        self.set_latest(version)
        return self._info(version)

    def _publish(self, staging: Path, created: datetime, meta_bytes: bytes) -> str:
        """Rename ``staging`` to the next free version name (another writer may take one
        between our scan and our rename: then try the next)."""
        stamp = created.strftime("%Y%m%dT%H%M%SZ")
        counter = self._last_counter()
        for _ in range(_MAX_SAVE_ATTEMPTS):
            counter += 1
            version = f"v{counter:04d}-{stamp}"
            meta = json.loads(meta_bytes) | {"version": version}
            _write_durable(staging / META_FILE, json.dumps(meta, indent=2, sort_keys=True).encode())
            _fsync_dir(staging)
            try:
                # rename(2) refuses to replace a non-empty directory, so a race fails here
                os.rename(staging, self.root / version)
            except OSError:
                if not (self.root / version).exists():
                    raise
                continue
            _fsync_dir(self.root)
            return version
        raise RuntimeError(f"could not find a free version name under {self.root}")

    def set_latest(self, version: str) -> None:
        """Point LATEST at an existing ``version`` (hot swap or rollback), atomically."""
        self._require(version)
        tmp = self.root / f".{LATEST_FILE}.{os.getpid()}.tmp"
        try:
            _write_durable(tmp, (version + "\n").encode())
            os.replace(tmp, self.root / LATEST_FILE)
        finally:
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()
        _fsync_dir(self.root)

    # -- reading ---------------------------------------------------------------------

    def latest(self) -> ArtifactInfo | None:
        """The version LATEST points at; None before the first save."""
        try:
            version = (self.root / LATEST_FILE).read_text().strip()
        except FileNotFoundError:
            return None
        return self._info(version)

    def versions(self) -> list[ArtifactInfo]:
        """Every complete version, oldest first."""
        if not self.root.is_dir():
            return []
        found = [
            (int(match.group(1)), entry.name)
            for entry in self.root.iterdir()
            if (match := _VERSION.match(entry.name)) and (entry / META_FILE).is_file()
        ]
        return [self._info(name) for _, name in sorted(found)]

    def load(self, version: str | None = None) -> tuple[Recommender, ArtifactInfo]:
        """The fitted model of ``version`` (default: LATEST) and its description."""
        if version is None:
            info = self.latest()
            if info is None:
                raise FileNotFoundError(f"no model saved under {self.root}")
        else:
            info = self._info(version)
        with open(info.path / MODEL_FILE, "rb") as handle:
            model = pickle.load(handle)
        if not isinstance(model, Recommender):
            raise TypeError(f"{info.path / MODEL_FILE} holds a {type(model).__name__}")
        return model, info

    def _last_counter(self) -> int:
        counters = [
            int(match.group(1))
            for entry in self.root.iterdir()
            if (match := _VERSION.match(entry.name))
        ]
        return max(counters, default=0)

    def _require(self, version: str) -> Path:
        path = self.root / version
        if not _VERSION.match(version) or not (path / META_FILE).is_file():
            known = ", ".join(v.version for v in self.versions()) or "none"
            raise ValueError(f"unknown model version {version!r} under {self.root}; saved: {known}")
        return path

    def _info(self, version: str) -> ArtifactInfo:
        path = self._require(version)
        meta = json.loads((path / META_FILE).read_text())
        return ArtifactInfo(
            name=meta["name"],
            version=version,
            path=path,
            created_at=meta["created_at"],
            params=meta["params"],
            data_fingerprint=meta["data_fingerprint"],
            metrics=meta["metrics"],
            n_users=meta["n_users"],
            n_items=meta["n_items"],
        )
