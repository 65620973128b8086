"""Reasons for served recommendations, from the person's history at request time.

The same facts as :class:`recmind.rec.explain.Explainer` (the history items that
contributed most to an item under the served model, and shared tags), but the history is
the live one, so an event stored a moment ago can be the reason.
"""

from __future__ import annotations

from collections import Counter

import numpy as np

from recmind.rec.explain import (
    MAX_ITEM_TAGS,
    MIN_RATING,
    POPULARITY_MODELS,
    VERBS,
    Contribution,
    Explainer,
    Explanation,
)
from recmind.rec.explain_text import reason_text
from recmind.serving.catalog import LiveCatalog
from recmind.serving.history import UserHistory
from recmind.serving.snapshot import ServedModel


class LiveExplainer:
    """Explains one served model version's lists; build once per version."""

    def __init__(self, served: ServedModel, top: int = 2) -> None:
        self.served = served
        self.explainer = Explainer(served.model, top=top)
        self.top = top

    def _history(self, history: UserHistory) -> tuple[np.ndarray, str]:
        """Model indices newest first, items rated below MIN_RATING dropped (unless that
        leaves nothing), and the verb of the person's most common event type."""
        events = history.events
        disliked = {
            self.served.item_index.get(item, -1)
            for item, kind, value in zip(
                events.item_ids, events.event_types, events.values, strict=True
            )
            if kind == "rating" and not np.isnan(value) and value < MIN_RATING
        }
        newest_first = history.items[::-1]
        kept = np.asarray([i for i in newest_first if int(i) not in disliked], dtype=np.int64)
        common = Counter(events.event_types).most_common(1)
        verb = VERBS.get(common[0][0], "chose") if common else "chose"
        return (kept if len(kept) else newest_first), verb

    def reasons(self, history: UserHistory, targets: list[int], catalog: LiveCatalog) -> list[str]:
        """One readable reason per target model index."""
        items, verb = self._history(history)
        return [self._explain(items, verb, t, catalog, tags=False).reason for t in targets]

    def explanation(self, history: UserHistory, target: int, catalog: LiveCatalog) -> Explanation:
        """The facts and the reason for one target model index, with the item's own tags
        (what a generated sentence may say about it)."""
        items, verb = self._history(history)
        return self._explain(items, verb, target, catalog, tags=True)

    def _explain(
        self, items: np.ndarray, verb: str, target: int, catalog: LiveCatalog, *, tags: bool
    ) -> Explanation:
        item_id = str(self.served.item_ids[target])
        title = str(catalog.titles[target])
        own = self._own_tags(item_id) if tags else ()
        candidates = items[items != target]
        if len(candidates) == 0 or self.served.name in POPULARITY_MODELS:
            reason = reason_text(verb, [], [])
            return Explanation(item_id, title, (), (), reason, "popularity", tags=own)
        weights = self.explainer.contributions(candidates, target)
        order = np.argsort(-weights, kind="stable")
        because = tuple(
            Contribution(
                str(self.served.item_ids[candidates[j]]),
                str(catalog.titles[candidates[j]]),
                float(weights[j]),
            )
            for j in order[: self.top]
            if weights[j] > 0
        )
        shared = self.explainer._shared(item_id, [c.item_id for c in because], candidates)
        reason = reason_text(verb, [c.title for c in because], shared)
        return Explanation(
            item_id, title, because, tuple(shared), reason, self.explainer.method, tags=own
        )

    def _own_tags(self, item_id: str) -> tuple[str, ...]:
        return tuple(t for t, _ in self.explainer.tags.get(item_id, []))[:MAX_ITEM_TAGS]

    def fresh_reason(self, history: UserHistory, closest: list[int], catalog: LiveCatalog) -> str:
        """Why a new item is in the list: the history items whose text is closest to it."""
        _, verb = self._history(history)
        titles = [str(catalog.titles[i]) for i in closest]
        return "New arrival. " + reason_text(verb, titles, [])
