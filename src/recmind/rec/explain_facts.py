"""The facts an explanation's generated sentence is checked against: the recommended item
(its tags and how popular it is), the history items behind it (the person's rating, whether
recent, their tags), all as :class:`recmind.text.claims.Facts`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from scipy.stats import rankdata

from recmind.data.bundle import DataBundle
from recmind.rec.interactions import Interactions
from recmind.text.claims import Facts, HistoryFacts, ItemFacts
from recmind.text.claims.grounded import SupportedFacts

if TYPE_CHECKING:
    from recmind.rec.explain import Explanation

POSITIVE_RATING = 4.0
"""A rating at least this high (of 5) counts towards an item's positive ratings."""
POPULAR_SHARE = 20
"""The catalogue's top 1/20 (at least 10 items) by people counts as "popular"."""


@dataclass(frozen=True)
class Popularity:
    """How popular an item is in the data."""

    interactions: int
    """People who engaged with it."""
    rank: int
    """1 = the item most people engaged with."""
    popular_rank: int
    """A rank at or under this is "popular"."""
    positive: int | None = None
    """People who rated it :data:`POSITIVE_RATING` or more (``None``: no ratings)."""
    average_rating: float | None = None
    """Its mean rating."""


def item_popularity(interactions: Interactions, bundle: DataBundle | None) -> dict[str, Popularity]:
    """Every item's popularity: people per item and its rank, and where the bundle has
    ratings, how many rated it highly and its mean rating."""
    counts = np.bincount(interactions.item_index, minlength=interactions.n_items)
    ranks = rankdata(-counts, method="min").astype(int)
    popular = max(10, interactions.n_items // POPULAR_SHARE)
    positive: dict[str, int] = {}
    means: dict[str, float] = {}
    if bundle is not None:
        rated = bundle.events[bundle.events["event_type"] == "rating"]
        values = rated["value"].astype(float)
        by_item = rated["item_id"].astype(str)
        positive = {
            str(k): int(v) for k, v in (values >= POSITIVE_RATING).groupby(by_item).sum().items()
        }
        means = {str(k): round(float(v), 2) for k, v in values.groupby(by_item).mean().items()}
    out = {}
    for index, raw in enumerate(interactions.item_ids):
        item_id = str(raw)
        out[item_id] = Popularity(
            int(counts[index]),
            int(ranks[index]),
            popular,
            positive.get(item_id),
            means.get(item_id),
        )
    return out


def newest_items(interactions: Interactions, user_id: str) -> list[str]:
    """Item ids the person engaged with, newest first."""
    row = interactions.lookup_users([user_id])[0]
    if row < 0:
        return []
    mask = interactions.user_index == row
    order = np.argsort(-interactions.timestamps[mask], kind="stable")
    return [str(interactions.item_ids[i]) for i in interactions.item_index[mask][order]]


def person_ratings(events: pd.DataFrame) -> dict[str, float]:
    """A person's latest rating (or review rating) of each item, from their events."""
    rated = events[events["event_type"].isin(["rating", "review"])]
    rated = rated.sort_values("timestamp", kind="stable")
    return dict(zip(rated["item_id"].astype(str), rated["value"].astype(float), strict=True))


def explanation_facts(explanation: Explanation) -> SupportedFacts:
    """The titles and tags the sentence may name, and the claim facts (see the module
    docstring)."""
    terms = list(dict.fromkeys([*explanation.shared, *explanation.tags]))
    pop = explanation.popularity
    item = ItemFacts(
        item_id=explanation.item_id,
        title=explanation.title,
        tags=list(explanation.tags or explanation.shared),
        rating_count=pop.interactions if pop else None,
        positive_count=pop.positive if pop else None,
        average_rating=pop.average_rating if pop else None,
        bestseller_rank=pop.rank if pop else None,
    )
    history = [
        HistoryFacts(
            title=c.title, item_id=c.item_id, rating=c.rating, recent=c.recent, tags=[*c.tags]
        )
        for c in explanation.because
    ]
    claims = Facts(
        items=[item],
        history=history,
        terms=terms,
        popular_rank=pop.popular_rank if pop else Facts().popular_rank,
    )
    titles = [explanation.title, *(c.title for c in explanation.because)]
    return SupportedFacts.supported(claims, titles=titles, terms=terms)
