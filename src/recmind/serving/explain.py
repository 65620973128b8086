"""Reasons for served recommendations, from the person's history at request time.

The same facts as :class:`recmind.rec.explain.Explainer` (the history items that
contributed most to an item under the served model, and shared tags), but the history is
the live one, so an event stored a moment ago can be the reason.
"""

from __future__ import annotations

from collections import Counter

import numpy as np

from recmind.rec.explain import MIN_RATING, POPULARITY_MODELS, VERBS, Explainer, reason_text
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
        out = []
        for target in targets:
            candidates = items[items != target]
            if len(candidates) == 0 or self.served.name in POPULARITY_MODELS:
                out.append(reason_text(verb, [], []))
                continue
            weights = self.explainer.contributions(candidates, target)
            order = np.argsort(-weights, kind="stable")
            best = [int(candidates[j]) for j in order[: self.top] if weights[j] > 0]
            item_id = str(self.served.item_ids[target])
            because_ids = [str(self.served.item_ids[b]) for b in best]
            shared = self.explainer._shared(item_id, because_ids, candidates)
            out.append(reason_text(verb, [str(catalog.titles[b]) for b in best], shared))
        return out

    def fresh_reason(self, history: UserHistory, closest: list[int], catalog: LiveCatalog) -> str:
        """Why a new item is in the list: the history items whose text is closest to it."""
        _, verb = self._history(history)
        titles = [str(catalog.titles[i]) for i in closest]
        return "New arrival. " + reason_text(verb, titles, [])
