"""The baseline item policies: what a shop without recmind would promote. Each reads only a
:class:`~recmind.marketing.simulate.log.Past` and returns, per person, the items to
promote, best first.

``bestsellers``
    The top ``k`` of the last ``N`` days before the moment, ranked by distinct buyers or by
    buys; ``N`` and the ranking are tuned at inner moments before the campaign moment
    (:func:`tune_best_sellers`), so the baseline is as strong as the past can make it.
``random``
    ``k`` items drawn uniformly from those bought by someone in the last
    :data:`RANDOM_POOL_DAYS` days (items on sale now), seeded by the moment.
``last``
    The ``k`` items the person touched most recently (any event: a view counts).
``replenish``
    recmind's replenishment (not a baseline): the items the person buys again and again
    whose usual interval has passed, by the rule the ``replenish`` message source serves
    (:func:`recmind.rec.replenish.due_items`); only with repeat buys allowed.

With ``new_only`` every policy leaves out what the person bought before the moment, and
a person who has nothing left gets nothing.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from recmind.marketing.simulate.log import DAY, Past
from recmind.marketing.simulate.outcome import conversions
from recmind.rec.replenish import due_items

RANDOM_POOL_DAYS = 28.0
BEST_SELLER_WINDOWS: tuple[float, ...] = (7.0, 14.0, 28.0, 56.0, 112.0, 365.0)
"""Days of history the best-seller list may be taken over (tuned)."""
RANK_BY = ("buyers", "buys")
"""Distinct buyers of an item in the window, or its buy events."""
TUNING_MOMENTS = 3
RANKING_DEPTH = 500
"""Best-sellers kept in the global list (enough for ``k`` after anyone's own buys)."""

Lists = dict[str, list[str]]


def first_new(
    ranking: Sequence[str], k: int, owned: set[str] | frozenset[str], new_only: bool
) -> list[str]:
    """The first ``k`` of ``ranking`` (those not in ``owned`` with ``new_only``)."""
    if not new_only:
        return list(ranking[:k])
    out: list[str] = []
    for item in ranking:
        if item not in owned:
            out.append(item)
            if len(out) == k:
                break
    return out


def best_seller_ranking(past: Past, window_days: float, rank_by: str) -> list[str]:
    """Items bought in the ``window_days`` before the moment, most buyers (or buys) first;
    ties by the buys of the whole past, then by id."""
    if rank_by not in RANK_BY:
        raise ValueError(f"rank_by must be one of {', '.join(RANK_BY)}, got {rank_by!r}")
    buys = past.buys
    times = buys["timestamp"].to_numpy(dtype=np.float64)
    recent = buys.loc[times >= past.moment - window_days * DAY]
    if rank_by == "buyers":
        score = recent.groupby("item_id")["user_id"].nunique()
    else:
        score = recent.groupby("item_id").size()
    overall = buys.groupby("item_id").size().reindex(score.index)
    frame = pd.DataFrame({"score": score, "overall": overall, "item": score.index.astype(str)})
    frame = frame.sort_values(["score", "overall", "item"], ascending=[False, False, True])
    return [str(i) for i in frame["item"].head(RANKING_DEPTH)]


@dataclass(frozen=True)
class BestSellerChoice:
    """The tuned best-seller list: its window, its ranking and what each candidate scored
    at the inner moments (conversion rate over everyone with a buy before them)."""

    window_days: float
    rank_by: str
    trials: dict[str, float] = field(default_factory=dict)


def tune_best_sellers(
    past: Past,
    *,
    k: int,
    window_days: float,
    new_only: bool,
    windows: Iterable[float] = BEST_SELLER_WINDOWS,
    moments: int = TUNING_MOMENTS,
) -> BestSellerChoice:
    """The window and ranking whose lists converted best at ``moments`` inner moments,
    ``window_days`` apart, before the campaign moment: each inner campaign goes to
    everyone who had bought by then, and its outcome (the next ``window_days``) lies before
    the campaign moment. The shortest window wins a tie."""
    grid = [(w, r) for w in sorted(windows) for r in RANK_BY]
    hits = dict.fromkeys(grid, 0)
    reached = 0
    for j in range(1, moments + 1):
        inner = past.moment - j * window_days * DAY
        times = past.events["timestamp"].to_numpy(dtype=np.float64)
        earlier = Past(inner, past.events.loc[times < inner], past.items)
        people = earlier.buyers()
        if not len(people):
            continue
        window = past.since(inner).buys
        window = window.loc[
            window["timestamp"].to_numpy(dtype=np.float64) < inner + window_days * DAY
        ]
        owned = earlier.owned()
        reached += len(people)
        for w, r in grid:
            ranking = best_seller_ranking(earlier, w, r)
            lists = {
                str(u): first_new(ranking, k, owned.get(str(u), set()), new_only) for u in people
            }
            hits[(w, r)] += int(conversions(lists, window)["converted"].sum())
    if not reached:
        return BestSellerChoice(window_days=float(sorted(windows)[1]), rank_by="buyers")
    best = max(grid, key=lambda c: (hits[c], -c[0]))
    trials = {f"{w:g}d {r}": hits[(w, r)] / reached for w, r in grid}
    return BestSellerChoice(window_days=best[0], rank_by=best[1], trials=trials)


def best_sellers(
    past: Past, people: Sequence[str], k: int, choice: BestSellerChoice, new_only: bool
) -> Lists:
    """Per person, the top ``k`` of the tuned best-seller list."""
    ranking = best_seller_ranking(past, choice.window_days, choice.rank_by)
    owned = past.owned() if new_only else {}
    return {str(u): first_new(ranking, k, owned.get(str(u), set()), new_only) for u in people}


def random_items(past: Past, people: Sequence[str], k: int, seed: int, new_only: bool) -> Lists:
    """Per person, ``k`` distinct items drawn from those bought in the last
    :data:`RANDOM_POOL_DAYS` days, seeded by the moment and the person's id (so a person's
    draw does not depend on who else is in the campaign)."""
    recent = past.since(past.moment - RANDOM_POOL_DAYS * DAY).buys
    pool = np.asarray(sorted(recent["item_id"].unique()), dtype=object)
    owned = past.owned() if new_only else {}
    out: Lists = {}
    for person in sorted(str(u) for u in people):
        mine = owned.get(person, set())
        rng = np.random.default_rng([seed, int(past.moment), zlib.crc32(person.encode())])
        size = min(len(pool), k + (len(mine) if new_only else 0))
        draw = pool[rng.choice(len(pool), size=size, replace=False)] if size else pool[:0]
        out[person] = first_new([str(i) for i in draw], k, mine, new_only)
    return out


def last_items(past: Past, people: Sequence[str], k: int, new_only: bool) -> Lists:
    """Per person, the ``k`` distinct items of their latest events, newest first."""
    wanted = {str(u) for u in people}
    events = past.events.loc[past.events["user_id"].isin(wanted)]
    latest = events.iloc[::-1].drop_duplicates(["user_id", "item_id"])
    owned = past.owned() if new_only else {}
    out: Lists = {u: [] for u in wanted}
    for user, items in latest.groupby("user_id", sort=False)["item_id"]:
        out[str(user)] = first_new(
            [str(i) for i in items], k, owned.get(str(user), set()), new_only
        )
    return out


def replenish_items(past: Past, people: Sequence[str], k: int, new_only: bool) -> Lists:
    """Per person, up to ``k`` items due for replenishment at the moment (none with
    ``new_only``: every such item was bought before)."""
    wanted = {str(u) for u in people}
    if new_only:
        return {u: [] for u in wanted}
    buys = past.buys
    mine = buys.loc[buys["user_id"].astype(str).isin(wanted)]
    rows = zip(
        mine["user_id"].astype(str),
        mine["item_id"].astype(str),
        mine["timestamp"].to_numpy(dtype=np.float64).tolist(),
        strict=True,
    )
    due = due_items(rows, past.moment)
    return {u: due.get(u, [])[:k] for u in wanted}


def lists_cover(lists: Mapping[str, Sequence[str]]) -> int:
    """How many people got at least one item."""
    return sum(bool(items) for items in lists.values())
