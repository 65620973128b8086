"""Replenishment: items a person buys again and again whose usual interval has passed.

The one rule behind the ``replenish`` message source (what a campaign or a journey sends)
and the campaign replay's ``replenish`` policy, so the replay measures what is served:

* a person's purchases of an item closer together than :data:`SAME_ORDER_SECONDS` are one
  order;
* an item bought in at least two orders has a typical interval, the median gap between them;
* it is *due* at ``now`` when between 1 and :data:`REPLENISH_MAX_RATIO` typical intervals
  have passed since its last order (more: a habit that ended); the closest to one interval
  comes first.
"""

from __future__ import annotations

import itertools
import statistics
from collections import defaultdict
from collections.abc import Iterable

DAY = 86400.0
REPLENISH_MAX_RATIO = 3.0
"""A repeat purchase more than this many typical intervals overdue is a habit that ended."""
SAME_ORDER_SECONDS = DAY
"""Purchases of an item closer together than this are one order, not a repeat."""


def orders(stamps: Iterable[float]) -> list[float]:
    """Purchase times, sorted, with those of one order (within :data:`SAME_ORDER_SECONDS`
    of the previous) merged."""
    merged: list[float] = []
    for at in sorted(stamps):
        if not merged or at - merged[-1] >= SAME_ORDER_SECONDS:
            merged.append(at)
    return merged


def due_items(purchases: Iterable[tuple[str, str, float]], now: float) -> dict[str, list[str]]:
    """Per person, their items due at ``now`` (see the module docstring), best due first;
    ``purchases`` are ``(user_id, item_id, timestamp)`` at or before ``now``; ties by id."""
    times: dict[tuple[str, str], list[float]] = defaultdict(list)
    for user_id, item_id, at in purchases:
        times[(user_id, item_id)].append(at)
    due: dict[str, list[tuple[float, str]]] = defaultdict(list)
    for (user_id, item_id), stamps in times.items():
        placed = orders(stamps)
        if len(placed) < 2:
            continue
        typical = statistics.median(b - a for a, b in itertools.pairwise(placed))
        ratio = (now - placed[-1]) / typical
        if 1.0 <= ratio <= REPLENISH_MAX_RATIO:
            due[user_id].append((ratio, item_id))
    return {user: [item for _, item in sorted(found)] for user, found in due.items()}
