"""Versioned model artefacts on disk, written atomically so a reader never sees half a model.

Layout under the store's root::

    v0001-20261122T143000Z/model.pkl   the fitted Recommender (pickle protocol 5)
    v0001-20261122T143000Z/meta.json   what ArtifactInfo holds, with the sha256 of the
                                       model file written at publish time
    LATEST                             the version serving traffic (text, one line)

A version directory appears only complete (built in a hidden temporary directory, then
renamed into place); LATEST is replaced atomically, so swapping or rolling back the served
model is one rename. Loading verifies the model file against its published checksum and
refuses a changed or truncated file (:class:`ArtifactIntegrityError`) before unpickling it.
A version can be rewritten in place (refitted without erased people): the new model file
gets a new name and ``meta.json`` switches to it in one rename. Pickles execute code when
loaded: load only stores you wrote.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import pickle
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from recmind.rec.base import Recommender
from recmind.rec.interactions import Interactions

logger = logging.getLogger(__name__)

MODEL_FILE = "model.pkl"
META_FILE = "meta.json"
LATEST_FILE = "LATEST"
_VERSION = re.compile(r"^v(\d{4,})-\d{8}T\d{6}Z$")
_MAX_SAVE_ATTEMPTS = 100
_CHUNK = 1 << 20


class ArtifactIntegrityError(ValueError):
    """A version's model file does not match the checksum written when it was published
    (changed, damaged or truncated on disk): it is never loaded."""


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
    model_file: str = MODEL_FILE
    """The file holding the model (a rewritten version's has a new name)."""
    checksums: dict[str, str] = field(default_factory=dict)
    """sha256 (hex) of each artefact file, written at publish time (empty for versions
    published before checksums existed)."""
    rewrites: tuple[dict[str, Any], ...] = ()
    """Each time the version was refitted in place (when, why, how many people removed)."""


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


def _replace_durable(path: Path, payload: bytes) -> None:
    """Write ``payload`` to a hidden file beside ``path``, then rename it over ``path``."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        _write_durable(tmp, payload)
        os.replace(tmp, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
    _fsync_dir(path.parent)


def file_sha256(path: Path) -> str:
    """sha256 (hex) of a file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _meta_bytes(meta: dict[str, Any]) -> bytes:
    return json.dumps(meta, indent=2, sort_keys=True, allow_nan=False).encode()


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
            payload = pickle.dumps(model, protocol=5)
            meta["model_file"] = MODEL_FILE
            meta["checksums"] = {MODEL_FILE: hashlib.sha256(payload).hexdigest()}
            meta_bytes = _meta_bytes(meta)
            _write_durable(staging / MODEL_FILE, payload)
            del payload
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

    def rewrite(
        self,
        version: str,
        model: Recommender,
        *,
        data_fingerprint: str,
        note: dict[str, Any],
    ) -> ArtifactInfo:
        """Replace the model of an existing ``version`` (same name, same place in the
        history, so a rollback to it still works) and record ``note`` in its rewrites.

        The new model file is written under a new name with its checksum, then
        ``meta.json`` is switched to it in one rename and the old file is deleted: a reader
        sees the old version or the new one, whole.
        """
        path = self._require(version)
        meta = json.loads((path / META_FILE).read_text())
        rewrites = [*meta.get("rewrites", []), note]
        new_file = f"model-r{len(rewrites)}.pkl"
        payload = pickle.dumps(model, protocol=5)
        checksum = hashlib.sha256(payload).hexdigest()
        updated = meta | {
            "model_file": new_file,
            "checksums": {new_file: checksum},
            "data_fingerprint": data_fingerprint,
            "n_users": int(model.interactions_.n_users),
            "n_items": int(model.interactions_.n_items),
            "rewrites": rewrites,
        }
        meta_bytes = _meta_bytes(updated)
        _replace_durable(path / new_file, payload)
        del payload
        old_file = str(meta.get("model_file", MODEL_FILE))
        _replace_durable(path / META_FILE, meta_bytes)
        if old_file != new_file:
            with contextlib.suppress(FileNotFoundError):
                (path / old_file).unlink()
        return self._info(version)

    def delete(self, version: str) -> None:
        """Remove ``version`` from disk (ValueError for LATEST's: point LATEST elsewhere
        first). It disappears from listings at once (renamed away, then deleted)."""
        path = self._require(version)
        latest = self.latest()
        if latest is not None and latest.version == version:
            raise ValueError(f"model version {version} is LATEST: serve another one first")
        trash = self.root / f".trash-{version}-{os.getpid()}"
        os.rename(path, trash)
        _fsync_dir(self.root)
        shutil.rmtree(trash, ignore_errors=True)

    def clear_latest(self) -> None:
        """Remove LATEST (nothing is published any more)."""
        with contextlib.suppress(FileNotFoundError):
            (self.root / LATEST_FILE).unlink()
        _fsync_dir(self.root)

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
        """The fitted model of ``version`` (default: LATEST) and its description.

        Raises:
            ArtifactIntegrityError: The model file is not the one published (changed,
                damaged or truncated); nothing of it was unpickled.
        """
        if version is None:
            info = self.latest()
            if info is None:
                raise FileNotFoundError(f"no model saved under {self.root}")
        else:
            info = self._info(version)
        try:
            return self._load(info), info
        except FileNotFoundError:
            # rewritten between reading meta.json and opening the file: read it again
            info = self._info(info.version)
            return self._load(info), info

    def _load(self, info: ArtifactInfo) -> Recommender:
        path = info.path / info.model_file
        self.verify(info)
        with open(path, "rb") as handle:
            model = pickle.load(handle)
        if not isinstance(model, Recommender):
            raise TypeError(f"{path} holds a {type(model).__name__}")
        return model

    def verify(self, info: ArtifactInfo) -> bool:
        """Check the version's model file against its published checksum: True when it
        matches, False when the version predates checksums (nothing to compare).

        Raises:
            ArtifactIntegrityError: The file differs from what was published.
        """
        expected = info.checksums.get(info.model_file)
        path = info.path / info.model_file
        if expected is None:
            logger.warning("model version %s has no published checksum", info.version)
            return False
        found = file_sha256(path)
        if found != expected:
            raise ArtifactIntegrityError(
                f"model version {info.version}: {path} is not the file that was published "
                f"(sha256 {found[:16]}..., published {expected[:16]}...; changed, damaged "
                "or truncated): refusing to load it"
            )
        return True

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

    def info(self, version: str) -> ArtifactInfo:
        """The description of ``version`` (ValueError naming the saved ones if unknown)."""
        return self._info(version)

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
            model_file=str(meta.get("model_file", MODEL_FILE)),
            checksums={str(k): str(v) for k, v in meta.get("checksums", {}).items()},
            rewrites=tuple(meta.get("rewrites", ())),
        )
