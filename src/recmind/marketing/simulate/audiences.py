"""Who a campaign goes to: ``n`` of the people with a buy before the moment.

``recmind``
    recmind's likely buyers (:func:`recmind.marketing.audiences.find_buyers`, what
    ``recmind audiences buyers`` runs): the people most likely to buy in the campaign's
    window, any item bought before the moment being a target, learned at inner cuts before
    the moment.
``recent``
    The people whose latest buy is the most recent (the R of RFM: a shop's usual choice).
``random``
    A seeded uniform sample.

Every rule returns exactly ``n`` people (fewer only when fewer have bought), so policies
are compared at equal audience sizes.
"""

from __future__ import annotations

import numpy as np

from recmind.marketing.audiences import BuyersConfig, EventLog, find_buyers
from recmind.marketing.audiences.combiner import rank, tie_keys
from recmind.marketing.simulate.log import Past

AUDIENCES = ("recmind", "recent", "random")


def audience_size(candidates: int, share: float, cap: int | None) -> int:
    """``share`` of the candidates (at least one), at most ``cap``."""
    n = max(1, round(share * candidates)) if candidates else 0
    return min(n, cap) if cap is not None else n


def likely_buyers(past: Past, n: int, window_days: float, seed: int) -> tuple[list[str], str]:
    """recmind's ``n`` likely buyers of anything bought before the moment in the next
    ``window_days``, and the model that ranked them. Buys of any type (ratings, for
    MovieLens) are read as purchases."""
    events = past.events.assign(
        event_type=np.where(past.events["buy"], "purchase", past.events["event_type"])
    )
    log = EventLog.from_frame(events, past.moment)
    targets = sorted(past.buys["item_id"].unique())
    found = find_buyers(
        log,
        past.items,
        BuyersConfig(window_days=window_days, top=n, seed=seed),
        as_of=past.moment,
        item_ids=targets,
    )
    return found.user_ids, found.model


def recent_buyers(past: Past, n: int, seed: int) -> list[str]:
    """The ``n`` people with the latest buys (ties by a seeded hash of the id)."""
    latest = past.buys.groupby("user_id")["timestamp"].max()
    ids = np.asarray(latest.index.astype(str), dtype=object)
    order = rank(latest.to_numpy(dtype=np.float64), tie_keys(ids, seed))[:n]
    return [str(u) for u in ids[order]]


def random_people(past: Past, n: int, seed: int) -> list[str]:
    """``n`` people drawn uniformly (seeded by the moment) from those with a buy."""
    people = past.buyers()
    rng = np.random.default_rng([seed, int(past.moment), 1])
    chosen = rng.choice(len(people), size=min(n, len(people)), replace=False)
    return [str(u) for u in people[np.sort(chosen)]]


def choose_audience(
    name: str, past: Past, n: int, *, window_days: float, seed: int
) -> tuple[list[str], str]:
    """Audience ``name`` (one of :data:`AUDIENCES`) and how it was ranked."""
    if name == "recmind":
        return likely_buyers(past, n, window_days, seed)
    if name == "recent":
        return recent_buyers(past, n, seed), "latest buy"
    if name == "random":
        return random_people(past, n, seed), "uniform sample"
    raise ValueError(f"unknown audience {name!r}; choose from {', '.join(AUDIENCES)}")
