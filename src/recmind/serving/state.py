"""What one served version needs at request time, built completely before it serves."""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from dataclasses import dataclass, replace

import numpy as np

from recmind.config import Settings
from recmind.data.store import Store
from recmind.serving.cache import ScoreCache
from recmind.serving.catalog import LiveCatalog
from recmind.serving.erasure import ForgottenUsers
from recmind.serving.explain import LiveExplainer
from recmind.serving.fresh import TextSpace
from recmind.serving.results import RecommendedItem, Source
from recmind.serving.snapshot import ServedModel

logger = logging.getLogger(__name__)

SIMILAR_CACHE_ITEMS = 10_000


def encoder_name(served: ServedModel, settings: Settings) -> str:
    """The semantic model's own encoder when it is the served model, else the setting."""
    config_encoder = getattr(served.model.config, "encoder", None)
    return str(config_encoder or settings.encoder)


class VersionResources:
    """Helpers of one version, built on first use and shared by its catalogue updates:
    the list cache, the explainer, the text space for new items, similar-item lists."""

    def __init__(self, served: ServedModel, settings: Settings, forgotten: ForgottenUsers):
        self.served = served
        self.settings = settings
        self.cache = ScoreCache(settings.serving.cache_users, forgotten)
        self._lock = threading.Lock()
        self._explainer: LiveExplainer | None = None
        self._text: TextSpace | None = None
        self._similar: OrderedDict[int, tuple[np.ndarray, np.ndarray]] = OrderedDict()

    def explainer(self) -> LiveExplainer:
        with self._lock:
            if self._explainer is None:
                self._explainer = LiveExplainer(self.served)
            return self._explainer

    def text_space(self) -> TextSpace:
        """Item text vectors (read from the on-disk embedding cache, or encoded once)."""
        with self._lock:
            if self._text is None:
                name = encoder_name(self.served, self.settings)
                cache_dir = self.settings.home / "cache" / "embeddings"
                self._text = TextSpace.build(self.served.model.catalog_, name, cache_dir)
                logger.info("text vectors of %d items ready (%s)", self.served.n_items, name)
            return self._text

    def similar_get(self, item: int) -> tuple[np.ndarray, np.ndarray] | None:
        with self._lock:
            found = self._similar.get(item)
            if found is not None:
                self._similar.move_to_end(item)
            return found

    def similar_put(self, item: int, ranked: tuple[np.ndarray, np.ndarray]) -> None:
        with self._lock:
            self._similar[item] = ranked
            while len(self._similar) > SIMILAR_CACHE_ITEMS:
                self._similar.popitem(last=False)


@dataclass(frozen=True)
class ServingState:
    """One atomic reference for request threads: the version, the catalogue as of now,
    and the version's helpers."""

    served: ServedModel
    catalog: LiveCatalog
    resources: VersionResources

    def with_catalog(self, catalog: LiveCatalog) -> ServingState:
        return replace(self, catalog=catalog)

    def model_item(self, index: int, score: float, source: Source) -> RecommendedItem:
        """The model's item ``index`` as a list entry, with its current title."""
        return RecommendedItem(
            item_id=str(self.served.item_ids[index]),
            score=score,
            title=str(self.catalog.titles[index]),
            category=self.catalog.category_texts[index],
            source=source,
        )


def build_state(
    served: ServedModel, settings: Settings, store: Store, forgotten: ForgottenUsers
) -> ServingState:
    """The state of a freshly loaded version: its live catalogue from the store, and the
    text space when new items already exist."""
    catalog = LiveCatalog.build(served, store.load_items())
    state = ServingState(served, catalog, VersionResources(served, settings, forgotten))
    if len(catalog.fresh):
        ensure_fresh_vectors(state)
    return state


def ensure_fresh_vectors(state: ServingState) -> None:
    """Encode the catalogue's new items now (so no request pays for it)."""
    fresh = state.catalog.fresh
    if len(fresh):
        state.resources.text_space().fresh_vectors(fresh.ids, fresh.texts)
