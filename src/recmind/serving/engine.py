"""The online serving engine: the published model, hot swap, live histories, new items,
and the hooks the API calls after a write is durable."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Sequence

import numpy as np
import pandas as pd
from sqlalchemy import bindparam, text

from recmind.config import Settings
from recmind.data.store import Store
from recmind.rec.artifacts import ModelStore
from recmind.rec.base import Filters
from recmind.serving.cache import ForgottenUsers
from recmind.serving.catalog import LiveCatalog
from recmind.serving.diversity import mmr_order
from recmind.serving.fresh import fresh_positions, fresh_slots
from recmind.serving.history import (
    LiveEvents,
    UserHistory,
    latest_events,
    merge_arrays,
    merge_history,
)
from recmind.serving.jobs import TrainingJobs
from recmind.serving.ranker import pick, rank_filtered, rank_row, score_rows, supports_histories
from recmind.serving.results import (
    NotReadyError,
    RecommendationResult,
    RecommendedItem,
    Source,
    UnknownItemError,
)
from recmind.serving.snapshot import ServedModel, latest_version, load_snapshot
from recmind.serving.state import (
    ServingState,
    build_state,
    ensure_fresh_vectors,
    erased_users,
)
from recmind.serving.warm import rank_in_child, rank_people

logger = logging.getLogger(__name__)

POOL_FACTOR = 5
"""With diversity, MMR chooses k items among the best ``POOL_FACTOR * k``."""

_ITEMS_BY_ID = text(
    "SELECT item_id, title, description, category, price, stock, language, attributes "
    "FROM items WHERE item_id IN :ids"
).bindparams(bindparam("ids", expanding=True))


class ServingEngine:
    """Serves the model version LATEST names under ``settings.models_dir``.

    A background thread polls LATEST every ``settings.serving.reload_seconds`` and swaps in
    a newly published (or rolled back) version: the new model is loaded, its catalogue and
    cache built completely, then one reference is replaced, so requests never fail or mix
    versions.

    At request time a person's latest events are read from the store and merged with their
    training history; the model scores that history (``score_histories``), so an event
    stored a moment ago changes the next list and seen items are excluded at once.
    """

    def __init__(self, settings: Settings, store: Store) -> None:
        self.settings = settings
        self.store = store
        self.models = ModelStore(settings.models_dir)
        self._state: ServingState | None = None
        self._swap_lock = threading.Lock()
        self._update_lock = threading.Lock()
        self._item_changes: list[str] = []
        self._loading = 0
        self._failed_version: str | None = None
        self._stop = threading.Event()
        self._watcher: threading.Thread | None = None
        self._forgotten = ForgottenUsers()
        self.jobs = TrainingJobs(settings, on_published=self.reload)
        """Training jobs started through the API (one at a time, in a child process)."""

    # -- lifecycle -------------------------------------------------------------------

    def start(self) -> None:
        """Load the latest published model (if any) and start watching for new ones."""
        try:
            self.reload()
        except Exception:
            logger.exception("could not load the published model; serving none until one loads")
        if self._watcher is None:
            self._stop.clear()
            self._watcher = threading.Thread(
                target=self._watch, name="recmind-model-watcher", daemon=True
            )
            self._watcher.start()

    def stop(self) -> None:
        """Stop the watcher thread (the served model stays usable)."""
        self._stop.set()
        self.jobs.shutdown()
        if self._watcher is not None:
            self._watcher.join(timeout=30)
            self._watcher = None

    def _watch(self) -> None:
        while not self._stop.wait(self.settings.serving.reload_seconds):
            try:
                self.reload()
            except Exception:
                logger.exception("reloading the published model failed; keeping the current one")

    # -- what is served --------------------------------------------------------------

    @property
    def state(self) -> ServingState | None:
        """The current state (one atomic read); None before a model is loaded."""
        return self._state

    @property
    def served(self) -> ServedModel | None:
        state = self._state
        return state.served if state else None

    @property
    def ready(self) -> bool:
        return self._state is not None

    @property
    def version(self) -> str | None:
        state = self._state
        return state.served.version if state else None

    @property
    def model_name(self) -> str | None:
        state = self._state
        return state.served.name if state else None

    def reload(self) -> bool:
        """Swap in the version LATEST names if it differs from the served one; True when
        a new version is now served."""
        with self._swap_lock:
            wanted = latest_version(self.settings.models_dir)
            if wanted is None or wanted in (self.version, self._failed_version):
                return False
            try:
                self._load(wanted)
            except Exception:
                self._failed_version = wanted  # not retried until LATEST changes
                raise
            self._failed_version = None
            return True

    def use_version(self, version: str) -> None:
        """Serve ``version`` now and make it LATEST (rollback); ValueError if unknown."""
        with self._swap_lock:
            self.models._info(version)  # ValueError naming the saved versions
            if version != self.version:
                self._load(version)
            self.models.set_latest(version)

    def _load(self, version: str) -> None:
        """Build everything ``version`` needs, then publish it with one assignment."""
        started = time.perf_counter()
        with self._update_lock:
            self._loading += 1
            changes_seen = len(self._item_changes)
        try:
            served = load_snapshot(self.settings.models_dir, version)
            if served is None:
                raise FileNotFoundError(f"no model version {version!r}")
            self._forgotten.update(erased_users(served, self.store))
            state = build_state(served, self.settings, self.store, self._forgotten)
            in_child = self._state is not None and self.settings.serving.warm_in_child
            warmed = self._precompute(state, in_child=in_child)
        except BaseException:
            with self._update_lock:
                self._loading -= 1
                if not self._loading:
                    self._item_changes.clear()
            raise
        with self._update_lock:
            # items changed while this version was being built apply to it too
            pending = self._item_changes[changes_seen:]
            if pending:
                state = state.with_catalog(self._catalog_after(state, pending))
            self._loading -= 1
            if not self._loading:
                self._item_changes.clear()
            for user_id in self._forgotten.snapshot():
                state.resources.cache.drop([user_id])
            previous = self.version
            self._state = state
        logger.info(
            "serving %s %s (was %s): built in %.2f s, %d lists precomputed",
            served.name,
            served.version,
            previous or "nothing",
            time.perf_counter() - started,
            warmed,
        )

    def _precompute(self, state: ServingState, *, in_child: bool) -> int:
        """Rank the most recently active people now, so their first request is a hit; in a
        low-priority child process when requests are being served (see
        :mod:`recmind.serving.warm`). A failure only costs cache misses."""
        serving = self.settings.serving
        if serving.cache_users <= 0 or serving.precompute_users <= 0:
            return 0
        skip = set(self._forgotten.snapshot())
        cache = state.resources.cache
        try:
            if in_child:
                ranked = rank_in_child(self.settings, state.served.version, skip)
            else:
                ranked = list(rank_people(state.served, self.store, self.settings, skip))
        except Exception:
            logger.exception("warming the list cache failed; lists are computed on demand")
            return 0
        for user_id, lists in ranked:
            cache.put(user_id, True, lists)
        return len(ranked)

    # -- hooks called by the API after a durable write ------------------------------

    def events_ingested(self, user_ids: Sequence[str]) -> None:
        """New events of these people are stored. Their cached lists are dropped (a cached
        list is keyed by the history it came from, so it could not be served anyway)."""
        state = self._state
        if state is not None:
            state.resources.cache.drop(tuple(dict.fromkeys(str(u) for u in user_ids)))

    def items_changed(self, item_ids: Sequence[str]) -> None:
        """These items were created, updated or deleted: re-read them, so titles, stock,
        categories and deletions apply at once and new items get a text vector."""
        ids = list(dict.fromkeys(str(i) for i in item_ids))
        if not ids:
            return
        with self._update_lock:
            if self._loading:
                self._item_changes.extend(ids)
            state = self._state
            if state is None:
                return
            updated = state.with_catalog(self._catalog_after(state, ids))
            self._state = updated
        if len(updated.catalog.fresh):
            ensure_fresh_vectors(updated)

    def _catalog_after(self, state: ServingState, item_ids: list[str]) -> LiveCatalog:
        rows = self._read_items(item_ids)
        found = {str(i) for i in rows["item_id"]}
        deleted = tuple(i for i in item_ids if i not in found)
        return state.catalog.updated(state.served, rows, deleted)

    def _read_items(self, item_ids: list[str]) -> pd.DataFrame:
        columns = ["item_id", "title", "description", "category", "price", "stock"]
        columns += ["language", "attributes"]
        rows: list[tuple[object, ...]] = []
        with self.store.engine.connect() as connection:
            for start in range(0, len(item_ids), 500):
                chunk = item_ids[start : start + 500]
                rows.extend(tuple(r) for r in connection.execute(_ITEMS_BY_ID, {"ids": chunk}))
        frame = pd.DataFrame(rows, columns=columns)
        frame["attributes"] = pd.Series(
            [_json_object(v) for v in frame["attributes"]], dtype=object
        )
        return frame

    def forget_user(self, user_id: str) -> None:
        """The person was erased: from now on the served model treats them as unknown
        (their training row is ignored) and no cache holds anything about them."""
        with self._update_lock:  # serialised with installing a new version's cache
            state = self._state
            caches = [state.resources.cache] if state is not None else []
            self._forgotten.forget(str(user_id), caches)

    def is_forgotten(self, user_id: str) -> bool:
        return str(user_id) in self._forgotten

    # -- requests --------------------------------------------------------------------

    def _require(self) -> ServingState:
        state = self._state
        if state is None:
            raise NotReadyError(
                "no model is being served yet: publish one with `recmind train` or "
                "POST /v1/admin/train"
            )
        return state

    def history(self, user_id: str, state: ServingState | None = None) -> UserHistory:
        """What the served model is told about ``user_id`` now."""
        state = state or self._require()
        user_id = str(user_id)
        forgotten = user_id in self._forgotten
        index = -1 if forgotten else state.served.user_index.get(user_id, -1)
        live = latest_events(self.store, user_id, self.settings.serving.history_events)
        served = state.served
        return merge_history(*served.histories.user(index), live, served.item_index, index)

    def recommend(
        self,
        user_id: str,
        k: int = 10,
        filters: Filters | None = None,
        *,
        diversity: float = 0.0,
        explain: bool = False,
    ) -> RecommendationResult:
        """The top ``k`` for a person, from their history at this moment."""
        state = self._require()
        user_id = str(user_id)
        history = self.history(user_id, state)
        forgotten = user_id in self._forgotten
        index = -1 if forgotten else state.served.user_index.get(user_id, -1)
        return self._recommend(
            state,
            history,
            k,
            filters or Filters(),
            diversity=diversity,
            explain=explain,
            cache_as=user_id,
            user_index=index,
        )

    def recommend_session(
        self,
        item_ids: Sequence[str],
        k: int = 10,
        filters: Filters | None = None,
        *,
        diversity: float = 0.0,
        explain: bool = False,
    ) -> RecommendationResult:
        """The top ``k`` for an anonymous visitor whose ``item_ids`` are oldest first."""
        state = self._require()
        ids = [str(i) for i in item_ids]
        live = LiveEvents(
            item_ids=tuple(ids),
            event_types=tuple("view" for _ in ids),
            timestamps=np.arange(len(ids), dtype=np.float64),
            values=np.full(len(ids), np.nan),
        )
        empty = np.zeros(0, dtype=np.int64)
        items, fresh = merge_arrays(empty, empty.astype(np.float64), live, state.served.item_index)
        known_fresh = state.catalog.fresh.position()
        history = UserHistory(live, items=items, fresh=tuple(i for i in fresh if i in known_fresh))
        return self._recommend(
            state,
            history,
            k,
            filters or Filters(),
            diversity=diversity,
            explain=explain,
            cache_as=None,
            user_index=-1,
        )

    def _recommend(
        self,
        state: ServingState,
        history: UserHistory,
        k: int,
        filters: Filters,
        *,
        diversity: float,
        explain: bool,
        cache_as: str | None,
        user_index: int,
    ) -> RecommendationResult:
        served, catalog = state.served, state.catalog
        personalized = not history.empty and (supports_histories(served.model) or user_index >= 0)
        allowed = catalog.allowed(filters, served)
        found = self._fresh_candidates(state, history, k, filters) if personalized else []
        n_fresh = len(found)
        pool_size = k - n_fresh if diversity <= 0 else POOL_FACTOR * k
        items, scores = self._ranked(
            state,
            history,
            exclude_seen=filters.exclude_seen,
            allowed=allowed,
            count=pool_size,
            cache_as=cache_as,
            user_index=user_index,
        )
        if diversity > 0 and len(items):
            order = mmr_order(
                scores, [catalog.categories[i] for i in items], k - n_fresh, diversity
            )
            items, scores = items[order], scores[order]
        items, scores = items[: k - n_fresh], scores[: k - n_fresh]
        source: Source = "model" if personalized else "popular"
        out = [
            self._item(state, int(i), float(s), source) for i, s in zip(items, scores, strict=True)
        ]
        if explain and out:
            reasons = state.resources.explainer().reasons(history, [int(i) for i in items], catalog)
            out = [_with_reason(o, r) for o, r in zip(out, reasons, strict=True)]
        if found:
            fresh = [self._fresh_item(state, history, j, sim, explain) for j, sim in found]
            out = _interleave(out, fresh, k, fresh_slots(k, self.settings.serving.fresh_share))
        return RecommendationResult(
            items=out, model=served.name, version=served.version, personalized=personalized
        )

    def _ranked(
        self,
        state: ServingState,
        history: UserHistory,
        *,
        exclude_seen: bool,
        allowed: np.ndarray,
        count: int,
        cache_as: str | None,
        user_index: int,
    ) -> tuple[np.ndarray, np.ndarray]:
        """The best ``count`` allowed model items for ``history`` (cached per person)."""
        served = state.served
        cache = state.resources.cache
        depth = self.settings.serving.cache_depth
        ranked = cache.get(cache_as, exclude_seen, history.key) if cache_as else None
        row: np.ndarray | None = None
        if ranked is None:
            row = score_rows(served, [history], [user_index])[0]
            exclude = history.items if exclude_seen else None
            ranked = rank_row(served, row, history.key, exclude, max(depth, count))
            if cache_as:
                cache.put(cache_as, exclude_seen, ranked)
        items, scores = pick(ranked, allowed, count)
        if len(items) >= count or ranked.complete:
            return items, scores
        if row is None:
            row = score_rows(served, [history], [user_index])[0]
        exclude = history.items if exclude_seen else None
        return rank_filtered(row, allowed, exclude, count, served.model.tiebreak_)

    # -- new items -------------------------------------------------------------------

    def _fresh_candidates(
        self, state: ServingState, history: UserHistory, k: int, filters: Filters
    ) -> list[tuple[int, float]]:
        """(position in ``catalog.fresh``, cosine) of the new items that earn one of the
        list's fresh slots: closest to the history's text vector first."""
        fresh = state.catalog.fresh
        slots = fresh_slots(k, self.settings.serving.fresh_share)
        if not slots or not len(fresh):
            return []
        space = state.resources.text_space()
        all_vectors = space.fresh_vectors(fresh.ids, fresh.texts)
        position = fresh.position()
        seen = [position[i] for i in history.fresh if i in position]
        vector = space.history_vector(
            history.items, all_vectors[seen], self.settings.serving.fresh_half_life_events
        )
        if vector is None:
            return []
        similarity = all_vectors @ vector
        allowed = state.catalog.fresh_allowed(filters)
        if filters.exclude_seen:
            allowed[seen] = False
        allowed &= similarity >= self._fresh_bar(state, vector, history.items)
        order = [int(j) for j in np.argsort(-similarity, kind="stable") if allowed[j]]
        return [(j, float(similarity[j])) for j in order[:slots]]

    def _fresh_bar(self, state: ServingState, vector: np.ndarray, exclude: np.ndarray) -> float:
        """The cosine a new item needs: at least ``fresh_min_similarity``, and at least the
        ``fresh_quantile`` quantile of the cosines of the catalogue's other items (present,
        not in ``exclude``) to the same vector. Relative, so it holds for any encoder."""
        serving = self.settings.serving
        space = state.resources.text_space()
        reference = state.catalog.present.copy()
        reference[exclude] = False
        if not reference.any():
            return serving.fresh_min_similarity
        cosines = space.item_vectors[reference] @ vector
        return max(
            serving.fresh_min_similarity, float(np.quantile(cosines, serving.fresh_quantile))
        )

    def _fresh_item(
        self, state: ServingState, history: UserHistory, j: int, similarity: float, explain: bool
    ) -> RecommendedItem:
        fresh = state.catalog.fresh
        reason = None
        if explain:
            closest = self._closest_history(state, history, j)
            reason = state.resources.explainer().fresh_reason(history, closest, state.catalog)
        return RecommendedItem(
            item_id=fresh.ids[j],
            score=similarity,
            title=fresh.titles[j],
            category=fresh.category_texts[j],
            source="fresh",
            reason=reason,
        )

    def _closest_history(self, state: ServingState, history: UserHistory, fresh: int) -> list[int]:
        """The (at most two) history items whose text is closest to a new item."""
        if not len(history.items):
            return []
        space = state.resources.text_space()
        catalog = state.catalog.fresh
        vector = space.fresh_vectors((catalog.ids[fresh],), (catalog.texts[fresh],))[0]
        similarity = space.item_vectors[history.items] @ vector
        order = np.argsort(-similarity, kind="stable")[:2]
        return [int(history.items[j]) for j in order if similarity[j] > 0]

    # -- similar items ---------------------------------------------------------------

    def similar(self, item_id: str, k: int = 10) -> RecommendationResult:
        """Items people engage with alongside ``item_id``, by the served model (its score
        for a history of just this item); new items by text."""
        state = self._require()
        served, catalog = state.served, state.catalog
        item_id = str(item_id)
        index = served.item_index.get(item_id)
        fresh_position = catalog.fresh.position().get(item_id)
        if (index is None or not catalog.present[index]) and fresh_position is None:
            raise UnknownItemError(item_id)
        filters = Filters(exclude_items=(item_id,))
        allowed = catalog.allowed(filters, served)
        slots = fresh_slots(k, self.settings.serving.fresh_share)
        out: list[RecommendedItem] = []
        if index is not None:
            items, scores = self._similar_ranked(state, index, allowed, k)
            out = [
                self._item(state, int(i), float(s), "model")
                for i, s in zip(items, scores, strict=True)
            ]
            if slots and len(catalog.fresh):
                space = state.resources.text_space()
                fresh = self._fresh_by_vector(
                    state, space.item_vectors[index], slots, filters, np.asarray([index])
                )
                out = _interleave(out[: k - len(fresh)], fresh, k, slots)
            return RecommendationResult(out, served.name, served.version, personalized=False)
        # a new item: by text, among the model's items and the other new ones
        assert fresh_position is not None
        space = state.resources.text_space()
        vector = space.fresh_vectors(
            (catalog.fresh.ids[fresh_position],), (catalog.fresh.texts[fresh_position],)
        )[0]
        similarity = np.asarray(space.item_vectors @ vector, dtype=np.float64)
        items, scores = rank_filtered(similarity, allowed, None, k, served.model.tiebreak_)
        out = [
            self._item(state, int(i), float(s), "model") for i, s in zip(items, scores, strict=True)
        ]
        fresh = self._fresh_by_vector(state, vector, slots, filters, np.zeros(0, np.int64))
        out = _interleave(out[: k - len(fresh)], fresh, k, slots)
        return RecommendationResult(out, served.name, served.version, personalized=False)

    def _similar_ranked(
        self, state: ServingState, index: int, allowed: np.ndarray, k: int
    ) -> tuple[np.ndarray, np.ndarray]:
        served = state.served
        depth = self.settings.serving.cache_depth
        cached = state.resources.similar_get(index)
        if cached is None:
            one = UserHistory.of_items(np.asarray([index], dtype=np.int64))
            row = score_rows(served, [one], [-1])[0]
            ranked = rank_row(served, row, one.key, one.items, max(depth, k))
            cached = (ranked.items, ranked.scores)
            state.resources.similar_put(index, cached)
        items, scores = cached
        keep = allowed[items]
        return items[keep][:k], scores[keep][:k]

    def _fresh_by_vector(
        self,
        state: ServingState,
        vector: np.ndarray,
        slots: int,
        filters: Filters,
        exclude: np.ndarray,
    ) -> list[RecommendedItem]:
        fresh = state.catalog.fresh
        if not slots or not len(fresh):
            return []
        space = state.resources.text_space()
        similarity = space.fresh_vectors(fresh.ids, fresh.texts) @ vector
        allowed = state.catalog.fresh_allowed(filters)
        allowed &= similarity >= self._fresh_bar(state, vector, exclude)
        order = [int(j) for j in np.argsort(-similarity, kind="stable") if allowed[j]][:slots]
        return [
            RecommendedItem(
                fresh.ids[j],
                float(similarity[j]),
                fresh.titles[j],
                fresh.category_texts[j],
                "fresh",
            )
            for j in order
        ]

    def _item(
        self, state: ServingState, index: int, score: float, source: Source
    ) -> RecommendedItem:
        catalog = state.catalog
        return RecommendedItem(
            item_id=str(state.served.item_ids[index]),
            score=score,
            title=str(catalog.titles[index]),
            category=catalog.category_texts[index],
            source=source,
        )


def _with_reason(item: RecommendedItem, reason: str) -> RecommendedItem:
    return RecommendedItem(item.item_id, item.score, item.title, item.category, item.source, reason)


def _interleave(
    ranked: list[RecommendedItem], fresh: list[RecommendedItem], k: int, slots: int
) -> list[RecommendedItem]:
    """Model items in order with the fresh items at the first of the list's ``slots``
    evenly spread ranks (see :func:`recmind.serving.fresh.fresh_positions`)."""
    if not fresh:
        return ranked[:k]
    total = min(k, len(ranked) + len(fresh))
    positions = set(fresh_positions(k, max(slots, len(fresh)))[: len(fresh)])
    model_items, fresh_items = list(ranked), list(fresh)
    out: list[RecommendedItem] = []
    for position in range(total):
        first, second = (
            (fresh_items, model_items) if position in positions else (model_items, fresh_items)
        )
        out.append((first or second).pop(0))
    return out


def _json_object(value: object) -> dict[str, object]:
    import orjson

    if not isinstance(value, str | bytes):
        return {}
    parsed = orjson.loads(value)
    return parsed if isinstance(parsed, dict) else {}
