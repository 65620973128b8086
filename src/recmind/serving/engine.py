"""The online serving engine: one facade over the parts that serve the published model.

- :mod:`recmind.serving.lifecycle`: the watcher thread, reload and rollback;
- :mod:`recmind.serving.loading`: building a version and warming its list cache;
- :mod:`recmind.serving.catalog_updates`: items changed through the API apply at once;
- :mod:`recmind.serving.erasure`: erased people are unknown to the served model;
- :mod:`recmind.serving.recommend`: lists for a person or an anonymous session;
- :mod:`recmind.serving.similar`: items that go with an item;
- :mod:`recmind.serving.placement`: where items newer than the model go in a list.
"""

from __future__ import annotations

from collections.abc import Sequence

from recmind.config import Settings
from recmind.data.store import Store
from recmind.rec.artifacts import ModelStore
from recmind.rec.base import Filters
from recmind.serving.catalog_updates import CatalogUpdates
from recmind.serving.current import CurrentState
from recmind.serving.erasure import Erasure
from recmind.serving.history import UserHistory
from recmind.serving.jobs import TrainingJobs
from recmind.serving.lifecycle import Lifecycle, LoadFailure
from recmind.serving.loading import VersionLoader
from recmind.serving.recommend import Recommending
from recmind.serving.results import RecommendationResult
from recmind.serving.similar import similar as similar_items
from recmind.serving.snapshot import ServedModel
from recmind.serving.state import ServingState


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
        self.current = CurrentState()
        self.erasure = Erasure(store, self.current, settings.api.secret)
        self.catalog_updates = CatalogUpdates(store, self.current)
        loader = VersionLoader(settings, store, self.current, self.erasure, self.catalog_updates)
        self.lifecycle = Lifecycle(settings, self.models, self.current, loader)
        self.requests = Recommending(settings, store, self.erasure)
        self.jobs = TrainingJobs(settings, on_published=self.reload)
        """Training jobs started through the API (one at a time, in a child process)."""

    # -- lifecycle -------------------------------------------------------------------

    def start(self) -> None:
        """Load the latest published model (if any) and start watching for new ones."""
        self.lifecycle.start()

    def stop(self) -> None:
        """Stop the watcher thread and a running training job (the served model stays
        usable)."""
        self.lifecycle.stop()
        self.jobs.shutdown()

    def reload(self) -> bool:
        """Swap in the version LATEST names if it differs from the served one; True when
        a new version is now served."""
        return self.lifecycle.reload()

    def use_version(self, version: str) -> None:
        """Serve ``version`` now and make it LATEST (rollback); ValueError if unknown."""
        self.lifecycle.use_version(version)

    # -- what is served --------------------------------------------------------------

    @property
    def state(self) -> ServingState | None:
        """The current state (one atomic read); None before a model is loaded."""
        return self.current.state

    @property
    def served(self) -> ServedModel | None:
        state = self.current.state
        return state.served if state else None

    @property
    def ready(self) -> bool:
        return self.current.state is not None

    @property
    def version(self) -> str | None:
        state = self.current.state
        return state.served.version if state else None

    @property
    def load_failure(self) -> LoadFailure | None:
        """The newest published version when it failed to load (retried with back-off
        while the previous version keeps serving)."""
        return self.lifecycle.load_failure

    @property
    def model_name(self) -> str | None:
        state = self.current.state
        return state.served.name if state else None

    # -- hooks called by the API after a durable write ------------------------------

    def events_ingested(self, user_ids: Sequence[str]) -> None:
        """New events of these people are stored. Their cached lists are dropped (a cached
        list is keyed by the history it came from, so it could not be served anyway)."""
        state = self.current.state
        if state is not None:
            state.resources.cache.drop(tuple(dict.fromkeys(str(u) for u in user_ids)))

    def items_changed(self, item_ids: Sequence[str]) -> None:
        """These items were created, updated or deleted: re-read them, so titles, stock,
        categories and deletions apply at once and new items get a text vector."""
        self.catalog_updates.items_changed(item_ids)

    def forget_user(self, user_id: str) -> None:
        """The person was erased: from now on the served model treats them as unknown
        (their training row is ignored) and no cache holds anything about them."""
        self.erasure.forget_user(user_id)

    def is_forgotten(self, user_id: str) -> bool:
        return self.erasure.is_forgotten(user_id)

    # -- requests --------------------------------------------------------------------

    def history(self, user_id: str, state: ServingState | None = None) -> UserHistory:
        """What the served model is told about ``user_id`` now."""
        return self.requests.history(state or self.current.require(), str(user_id))

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
        return self.requests.for_user(
            self.current.require(),
            str(user_id),
            k,
            filters or Filters(),
            diversity=diversity,
            explain=explain,
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
        return self.requests.for_session(
            self.current.require(),
            item_ids,
            k,
            filters or Filters(),
            diversity=diversity,
            explain=explain,
        )

    def similar(self, item_id: str, k: int = 10) -> RecommendationResult:
        """Items people engage with alongside ``item_id``, by the served model (its score
        for a history of just this item); new items by text."""
        return similar_items(self.current.require(), str(item_id), k, self.settings.serving)
