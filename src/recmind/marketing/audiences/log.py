"""The item events an audience is computed from, as time-sorted arrays: a prefix up to
any moment is a slice, so every inner cut reads only what was known then."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

SECONDS_PER_DAY = 86_400.0
PURCHASE = "purchase"
CART = "add_to_cart"
LOOKS = ("view", "click")


@dataclass(frozen=True)
class EventLog:
    """Item events (searches dropped) sorted by time. ``user``/``item`` index
    ``user_ids``/``item_ids``; ``kind`` is 0 look (view, click), 1 cart, 2 purchase,
    3 anything else (rating)."""

    user_ids: np.ndarray
    item_ids: np.ndarray
    user: np.ndarray
    item: np.ndarray
    kind: np.ndarray
    time: np.ndarray

    LOOK = 0
    CART = 1
    PURCHASE = 2
    OTHER = 3

    @classmethod
    def from_frame(cls, events: pd.DataFrame, as_of: float | None = None) -> EventLog:
        """From canonical event columns (``user_id``, ``item_id``, ``event_type``,
        ``timestamp``); with ``as_of`` only events strictly before it are kept. Codes
        number people and items by first appearance in (time, user, item, type) order."""
        missing = {"user_id", "item_id", "event_type", "timestamp"} - set(events.columns)
        if missing:
            raise ValueError(f"events lack the column(s) {', '.join(sorted(missing))}")
        keep = events["item_id"].notna().to_numpy().copy()
        times = pd.to_numeric(events["timestamp"], errors="coerce").to_numpy(dtype=np.float64)
        keep &= np.isfinite(times)
        if as_of is not None:
            keep &= times < as_of
        frame = events.loc[keep]
        times = times[keep]
        users = frame["user_id"].astype(str).to_numpy()
        items = frame["item_id"].astype(str).to_numpy()
        kinds = frame["event_type"].astype(str).str.lower().to_numpy()
        # one canonical order (time, then ids), whatever order the events came in: every
        # code, and so every tie downstream, is the same for the same events
        order = np.lexsort(
            (
                pd.factorize(kinds, sort=True)[0],
                pd.factorize(items, sort=True)[0],
                pd.factorize(users, sort=True)[0],
                times,
            )
        )
        user_codes, user_ids = pd.factorize(users[order])
        item_codes, item_ids = pd.factorize(items[order])
        kinds = kinds[order]
        kind = np.full(len(kinds), cls.OTHER, dtype=np.int8)
        kind[np.isin(kinds, LOOKS)] = cls.LOOK
        kind[kinds == CART] = cls.CART
        kind[kinds == PURCHASE] = cls.PURCHASE
        return cls(
            user_ids=np.asarray(user_ids, dtype=object),
            item_ids=np.asarray(item_ids, dtype=object),
            user=user_codes.astype(np.int64),
            item=item_codes.astype(np.int64),
            kind=kind,
            time=times[order],
        )

    @property
    def n_users(self) -> int:
        return len(self.user_ids)

    @property
    def n_items(self) -> int:
        return len(self.item_ids)

    def __len__(self) -> int:
        return len(self.time)

    @property
    def start(self) -> float:
        """The first event's time (``inf`` when there is none)."""
        return float(self.time[0]) if len(self.time) else float("inf")

    def stop(self, moment: float) -> int:
        """How many events happened strictly before ``moment``."""
        return int(np.searchsorted(self.time, moment, side="left"))

    def before(self, moment: float) -> EventLog:
        """The events strictly before ``moment``, with only the people and items they
        name: nothing about later events (not even how many people or items there are
        then) is left. Codes keep their order (first appearance in time), so a person's
        code is the same in every prefix."""
        end = self.stop(moment)
        user, users = _compact(self.user[:end], self.user_ids)
        item, items = _compact(self.item[:end], self.item_ids)
        return EventLog(
            user_ids=users,
            item_ids=items,
            user=user,
            item=item,
            kind=self.kind[:end],
            time=self.time[:end],
        )

    def between(self, start: float, stop: float) -> slice:
        """The rows with ``start <= time < stop``."""
        return slice(self.stop(start), self.stop(stop))

    def item_mask(self, item_ids: np.ndarray | list[str]) -> np.ndarray:
        """Per item code, whether its id is in ``item_ids``."""
        wanted = pd.Index(np.asarray([str(i) for i in item_ids], dtype=object))
        return np.asarray(wanted.get_indexer(self.item_ids) >= 0, dtype=bool)

    def active_users(self, moment: float) -> np.ndarray:
        """Per user code, whether they had any event before ``moment``."""
        end = self.stop(moment)
        return np.bincount(self.user[:end], minlength=self.n_users) > 0


def _compact(codes: np.ndarray, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``codes`` re-indexed onto the ids they use (in code order), and those ids."""
    used = np.unique(codes)
    if len(used) == len(ids):
        return codes, ids
    if len(used) and used[-1] == len(used) - 1:  # a prefix of the id space: no remap
        return codes, ids[: len(used)]
    return np.searchsorted(used, codes).astype(np.int64), ids[used]


def positions(ids: np.ndarray, subset: np.ndarray) -> np.ndarray:
    """Where each of ``subset`` sits in ``ids`` (ValueError when one is missing)."""
    found = pd.Index(ids).get_indexer(subset)
    if (found < 0).any():
        raise ValueError("some ids of a prefix of the log are missing from the log")
    return np.asarray(found, dtype=np.int64)
