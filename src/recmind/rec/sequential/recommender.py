"""``SequentialRecommender``: SASRec behind the Recommender contract."""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any, ClassVar

import numpy as np
import torch

from recmind.rec.base import ModelConfig, Recommender
from recmind.rec.interactions import Interactions
from recmind.rec.sequential.config import SequentialConfig
from recmind.rec.sequential.data import Sequences, build_sequences
from recmind.rec.sequential.model import SASRec, last_states
from recmind.rec.sequential.text import catalog_text_vectors
from recmind.rec.sequential.train import TrainLog, train

logger = logging.getLogger(__name__)


@contextmanager
def torch_threads(threads: int) -> Iterator[None]:
    """Run with ``threads`` intra-op threads, restoring the process setting afterwards."""
    before = torch.get_num_threads()
    torch.set_num_threads(threads)
    try:
        yield
    finally:
        torch.set_num_threads(before)


class SequentialRecommender(Recommender):
    """Next-item prediction from the order of a user's events (SASRec, full-softmax loss).

    Scores of a known user come from their training sequence; :meth:`score_sequences`
    scores any fresh history at request time, so the latest events change the next
    recommendations without retraining.

    Args:
        config: :class:`SequentialConfig` or a dict of its fields.
        seed: Seeds initialisation, dropout, batch order, the monitor users and the order
            of events that share a timestamp.
        text_vectors: Optional ``(n_items, d)`` text embeddings aligned with the item index
            of the interactions passed to :meth:`fit`. When absent and
            ``config.text_fusion`` is set, the catalogue's texts are embedded with
            ``config.encoder`` (through the on-disk cache); a catalogue without texts
            leaves the model with item IDs only.
    """

    name: ClassVar[str] = "sequential"
    Config: ClassVar[type[ModelConfig]] = SequentialConfig
    config: SequentialConfig

    def __init__(
        self,
        config: ModelConfig | dict[str, Any] | None = None,
        *,
        seed: int = 0,
        text_vectors: np.ndarray | None = None,
    ) -> None:
        super().__init__(config, seed=seed)
        self.text_vectors = text_vectors

    @classmethod
    def search_space(cls) -> list[dict[str, Any]]:
        """One point: the number of epochs is chosen inside each fit by early stopping on
        held-out last events of the training sequences, so no outer search is needed."""
        return [{}]

    # -- fitting ---------------------------------------------------------------------

    def _text_matrix(self, n_items: int) -> np.ndarray | None:
        if not self.config.text_fusion:
            return None
        vectors = self.text_vectors
        if vectors is None:
            vectors = catalog_text_vectors(
                self.catalog_, self.config.encoder, cache=self.config.cache_embeddings
            )
        if vectors is None:
            return None
        vectors = np.asarray(vectors, dtype=np.float32)
        if vectors.shape[0] != n_items:
            raise ValueError(f"text_vectors has {vectors.shape[0]} rows for {n_items} items")
        return vectors

    def _build_module(self) -> SASRec:
        cfg = self.config
        text = None
        if self.text_ is not None:
            text = torch.from_numpy(np.vstack([np.zeros_like(self.text_[:1]), self.text_]))
        return SASRec(
            self.interactions_.n_items + 1,
            max_len=cfg.max_len,
            hidden=cfg.hidden,
            blocks=cfg.blocks,
            heads=cfg.heads,
            ff_mult=cfg.ff_mult,
            dropout=cfg.dropout,
            text=text,
            known=torch.from_numpy(self.known_),
        )

    def _fit(self, interactions: Interactions) -> None:
        self.text_ = self._text_matrix(interactions.n_items)
        seen = interactions.item_popularity() > 0
        self.known_ = np.concatenate(([0.0], seen)).astype(np.float32)
        self.sequences_: Sequences = build_sequences(interactions, self.seed)
        with torch_threads(self.config.threads), torch.random.fork_rng():
            torch.manual_seed(self.seed)
            module = self._build_module()
            self.train_log_: TrainLog = train(module, self.sequences_, self.config, self.seed)
        module.eval()
        self.module_: SASRec | None = module
        with torch.no_grad():
            self.item_vectors_ = module.item_vectors()[1:].numpy().copy()

    # -- persistence -----------------------------------------------------------------

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        module = state.pop("module_", None)
        if module is not None:
            weights = module.state_dict().items()
            state["weights_"] = {k: v.detach().numpy().copy() for k, v in weights}
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        weights = state.pop("weights_", None)
        self.__dict__.update(state)
        self.module_ = None
        if weights is not None:
            self._weights = weights

    def _module(self) -> SASRec:
        if self.module_ is None:
            module = self._build_module()
            module.load_state_dict({k: torch.from_numpy(v) for k, v in self._weights.items()})
            module.eval()
            self.module_ = module
        return self.module_

    # -- scoring ---------------------------------------------------------------------

    def score_sequences(self, histories: Sequence[Sequence[int]]) -> np.ndarray:
        """Scores ``(len(histories), n_items)`` for histories of dense item indices in time
        order (oldest first), for example a session's events at request time. Negative
        indices (items outside the model's index) are skipped; an empty history gets
        normalised popularity."""
        arrays = [np.asarray(h, dtype=np.int64).reshape(-1) for h in histories]
        rows = [torch.from_numpy(a[a >= 0] + 1) for a in arrays]
        return self._score_rows(rows)

    def score_histories(self, histories: Sequence[Sequence[int]]) -> np.ndarray:
        return self.score_sequences(histories)

    def _score_rows(self, rows: list[torch.Tensor]) -> np.ndarray:
        scores = np.empty((len(rows), self.interactions_.n_items), dtype=np.float64)
        filled = np.asarray([len(r) > 0 for r in rows], dtype=bool)
        if filled.any():
            with torch_threads(self.config.threads):
                states = last_states(self._module(), [r for r in rows if len(r)])
            scores[filled] = states.numpy().astype(np.float64) @ self.item_vectors_.T.astype(
                np.float64
            )
            if self.text_ is None:
                # Without text an item nobody touched in training has no vector: rank it
                # below everything the model knows (finite, so filters still see it).
                unknown = self.known_[1:] == 0
                if unknown.any():
                    floor = scores[filled][:, ~unknown].min(axis=1, initial=0.0) - 1.0
                    scores[np.ix_(filled, unknown)] = floor[:, np.newaxis]
        scores[~filled] = self.fallback_scores_
        return scores

    def _score(self, user_index: np.ndarray) -> np.ndarray:
        rows = [torch.from_numpy(self.sequences_.of(int(u))) for u in user_index]
        return self._score_rows(rows)
