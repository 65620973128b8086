"""The events a replay reads, and the one door to them: :meth:`ReplayLog.past` hands a
policy the events strictly before a campaign moment (and checks it did), and
:meth:`ReplayLog.outcome` the buys of the window after it, which only the counting reads.

A *buy* is a purchase event; a dataset with no purchases but ratings (MovieLens) counts a
rating as the buy (the person watched the film). Revenue is the buys' ``value`` only
when buys are purchases that carry one (a rating's value is stars, not money).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from recmind.data.bundle import DataBundle

DAY = 86_400.0
COLUMNS = ("user_id", "item_id", "event_type", "timestamp", "value")


class LeakError(AssertionError):
    """A policy was about to read an event at or after its campaign moment."""


@dataclass(frozen=True)
class Past:
    """Everything a policy may read at a campaign moment: the events strictly before it
    (canonical columns plus ``buy``), time-sorted, and the catalogue."""

    moment: float
    events: pd.DataFrame
    items: pd.DataFrame

    def __post_init__(self) -> None:
        check_before(self.events, self.moment)

    @property
    def buys(self) -> pd.DataFrame:
        """The buy events."""
        return self.events.loc[self.events["buy"].to_numpy(dtype=bool)]

    def buyers(self) -> np.ndarray:
        """Everyone with a buy before the moment, sorted by id: the people a campaign may
        reach."""
        return np.asarray(sorted(self.buys["user_id"].unique()), dtype=object)

    def owned(self) -> dict[str, set[str]]:
        """Per person, the items they bought before the moment."""
        buys = self.buys
        return {str(u): set(g) for u, g in buys.groupby("user_id", sort=False)["item_id"]}

    def since(self, start: float) -> Past:
        """The events from ``start`` on (the same moment): a window of the past."""
        times = self.events["timestamp"].to_numpy(dtype=np.float64)
        return Past(self.moment, self.events.loc[times >= start], self.items)


def check_before(events: pd.DataFrame, moment: float) -> None:
    """LeakError unless every event is strictly before ``moment``."""
    if len(events):
        latest = float(np.max(events["timestamp"].to_numpy(dtype=np.float64)))
        if not latest < moment:
            raise LeakError(f"an event at {latest} is not before the moment {moment}")


@dataclass(frozen=True)
class ReplayLog:
    """One dataset's item events, time-sorted, each marked a buy or not."""

    name: str
    events: pd.DataFrame
    items: pd.DataFrame
    buy_type: str
    """The event type counted as a buy (``purchase``, or ``rating`` for MovieLens)."""
    revenue: bool
    """Whether buys carry an amount of money (``value`` of purchases)."""

    @classmethod
    def from_bundle(cls, bundle: DataBundle) -> ReplayLog:
        """The bundle's item events; buys are purchases, or ratings where there is no
        purchase at all."""
        frame = bundle.events.loc[bundle.events["item_id"].notna()]
        frame = frame.reindex(columns=list(COLUMNS))
        kinds = frame["event_type"].astype(str).str.lower()
        buy_type = "purchase" if (kinds == "purchase").any() else "rating"
        events = pd.DataFrame(
            {
                "user_id": frame["user_id"].astype(str).to_numpy(),
                "item_id": frame["item_id"].astype(str).to_numpy(),
                "event_type": kinds.to_numpy(),
                "timestamp": pd.to_numeric(frame["timestamp"]).to_numpy(dtype=np.float64),
                "value": pd.to_numeric(frame["value"]).to_numpy(dtype=np.float64),
                "buy": (kinds == buy_type).to_numpy(),
            }
        )
        events = events.loc[np.isfinite(events["timestamp"].to_numpy())]
        events = events.sort_values(["timestamp", "user_id", "item_id"], kind="stable")
        money = buy_type == "purchase" and bool(events.loc[events["buy"], "value"].notna().any())
        items = bundle.items.astype({"item_id": str}) if len(bundle.items) else bundle.items
        return cls(
            name=bundle.name,
            events=events.reset_index(drop=True),
            items=items,
            buy_type=buy_type,
            revenue=money,
        )

    @property
    def start(self) -> float:
        return float(self.events["timestamp"].iloc[0])

    @property
    def end(self) -> float:
        return float(self.events["timestamp"].iloc[-1])

    def _stop(self, moment: float) -> int:
        times = self.events["timestamp"].to_numpy(dtype=np.float64)
        return int(np.searchsorted(times, moment, side="left"))

    def past(self, moment: float) -> Past:
        """The events strictly before ``moment`` (checked) and the catalogue."""
        return Past(moment, self.events.iloc[: self._stop(moment)], self.items)

    def outcome(self, start: float, stop: float) -> pd.DataFrame:
        """The buys in ``[start, stop)``: ``user_id``, ``item_id``, ``value`` (0 where a
        purchase has none, or when buys are not money)."""
        rows = self.events.iloc[self._stop(start) : self._stop(stop)]
        rows = rows.loc[rows["buy"].to_numpy(dtype=bool), ["user_id", "item_id", "value"]]
        value = rows["value"].fillna(0.0) if self.revenue else 0.0
        return rows.assign(value=value).reset_index(drop=True)


def campaign_moments(
    log: ReplayLog, cut: float, *, step_days: float, window_days: float, limit: int | None
) -> list[float]:
    """Campaign moments: the first midnight (UTC) at or after ``cut``, then every
    ``step_days``, as long as the whole window after a moment lies inside the data."""
    first = float(np.ceil(cut / DAY) * DAY)
    moments: list[float] = []
    moment = first
    while moment + window_days * DAY <= log.end and (limit is None or len(moments) < limit):
        moments.append(moment)
        moment += step_days * DAY
    return moments
