"""Candidate sources score histories at moments: time-aware ones (popularity, trending)
read only what was known then, and items first taken up later score ``-inf``."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from recmind.rec.hybrid.config import DEFAULT_SOURCES, KNOWN_SOURCES
from recmind.rec.hybrid.sources import (
    SOURCE_DEFAULTS,
    RecommenderSource,
    TransitionSource,
    create_source,
    fit_sources,
)
from recmind.rec.interactions import Interactions, ItemCatalog
from recmind.rec.popular import PopularityRecommender, decayed_counts


def test_trending_is_popularity_with_a_three_day_half_life() -> None:
    assert "trending" in DEFAULT_SOURCES and "trending" in KNOWN_SOURCES
    trending = create_source("trending")
    assert isinstance(trending, RecommenderSource)
    assert trending.model_cls is PopularityRecommender
    assert trending.params == {"half_life_days": 3.0}
    assert SOURCE_DEFAULTS["popular"] == {"half_life_days": 30.0}
    assert create_source("trending", {"half_life_days": 1.0}).params == {"half_life_days": 1.0}
    with pytest.raises(ValueError, match="unknown source 'nope'"):
        create_source("nope")


def test_popularity_sources_count_what_was_known_at_each_moment(
    interactions: Interactions, catalog: ItemCatalog
) -> None:
    source = create_source("trending")
    source.fit(interactions, catalog, seed=0)
    first_seen = interactions.item_first_seen()
    history = interactions.histories(0)[0]
    end = float(interactions.timestamps.max())
    moments = np.asarray([float(np.quantile(first_seen, 0.5)), end, end + 86_400.0])
    rows = source.history_scores([history] * 3, moments)
    assert rows.dtype == np.float32 and rows.shape == (3, interactions.n_items)
    for row, moment in zip(rows, moments, strict=True):
        existed = first_seen <= moment
        expected = decayed_counts(interactions, 3.0, at=float(moment)).astype(np.float32)
        np.testing.assert_allclose(row[existed], expected[existed], rtol=1e-6)
        assert np.isneginf(row[~existed]).all()
    assert (~(first_seen <= moments[0])).any()  # some items did not exist yet at the first
    np.testing.assert_array_equal(rows[1], rows[2])  # nothing new after the end
    # each row at its own moment, as if asked alone
    alone = source.history_scores([history], moments[:1])
    np.testing.assert_array_equal(alone[0], rows[0])


def test_transitions_follow_the_newest_items() -> None:
    """a then b (twice), b then c once: after b comes c; after a comes b (weight 1) and c
    (weight 1/2, two steps on)."""
    rows = [("u1", "a", 1.0), ("u1", "b", 2.0), ("u1", "c", 3.0), ("u2", "a", 1.0)]
    rows += [("u2", "b", 2.0)]
    data = Interactions.from_frame(pd.DataFrame(rows, columns=["user_id", "item_id", "timestamp"]))
    source = TransitionSource(window=2, last=1)
    source.fit(data, ItemCatalog.bare(data.item_ids), seed=0)
    scores = source.history_scores([np.asarray([0, 1]), np.asarray([0])], np.zeros(2))
    np.testing.assert_allclose(scores[0], [0, 0, 1])  # only b, the newest, counts
    np.testing.assert_allclose(scores[1], [0, 2 / 2.5, 0.5 / 2.5])


def test_automatic_sources_leave_out_text_without_words(
    interactions: Interactions,
) -> None:
    """Bare ids say nothing: ``sources=None`` skips the text source (and the sequential
    one is never a default)."""
    catalog = ItemCatalog.bare(interactions.item_ids)
    fitted = fit_sources(None, {}, interactions, catalog, seed=0)
    assert [s.name for s in fitted] == [n for n in DEFAULT_SOURCES if n != "semantic"]
    with pytest.raises(ValueError, match="unknown source 'nope'"):
        fit_sources(["ease", "nope"], {}, interactions, catalog, seed=0)
    with pytest.raises(ValueError, match="at least one"):
        fit_sources([], {}, interactions, catalog, seed=0)
