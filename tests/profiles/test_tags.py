"""Interest tags: item tags from categories and attributes, recency weights, ranking."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from recmind.data.bundle import DataBundle
from recmind.profiles.tags import interest_tags, item_tags, recency_weights, tag_prevalence
from recmind.text.extract import Keyphrase


def test_item_tags_from_categories_attributes_and_decades(bundle: DataBundle) -> None:
    tags = item_tags(bundle.items)
    assert tags["1"] == [("Action", "category"), ("Sci-Fi", "category"), ("1970s", "decade")]
    assert ("http://x", "attribute") not in tags["3"]
    assert [t for t, _ in tags["3"]] == ["Animation", "Children's", "Comedy", "1990s"]


def test_hierarchies_generic_values_and_keyphrases() -> None:
    items = pd.DataFrame(
        {
            "item_id": ["a"],
            "category": ["Tops/Knits|unknown"],
            "attributes": [{"material": ["Cotton", "cotton"], "sku": "X1"}],
        }
    )
    tags = item_tags(items, keyphrases={"a": [Keyphrase("soft fabric", 0.6)]})
    assert tags["a"] == [
        ("Tops", "category"),
        ("Knits", "category"),
        ("Cotton", "attribute"),
        ("soft fabric", "keyphrase"),
    ]


def test_recency_weights_halve_every_half_life_and_share_ties() -> None:
    weights = recency_weights(np.asarray([1.0, 2.0, 3.0, 3.0]), half_life_events=1.0)
    assert weights.tolist() == pytest.approx([0.125, 0.25, 1.0, 1.0])  # 2 and 1 newer events
    assert recency_weights(np.asarray([1.0, 2.0]), None).tolist() == [1.0, 1.0]


def test_interest_tags_count_weight_share_and_lift(bundle: DataBundle) -> None:
    tags = item_tags(bundle.items)
    prevalence = tag_prevalence(tags, list(bundle.events["item_id"]))
    found = interest_tags(
        ["1", "2", "3"], [1.0, 2.0, 3.0], tags, prevalence, half_life_events=None, top=3
    )
    top = found[0]
    assert (top.tag, top.count, top.weight) == ("Action", 2, 2.0)
    assert top.share == pytest.approx(2 / 3)
    assert top.lift == pytest.approx((2 / 3) / (2 / 6))
    assert len(found) == 3


def test_recent_items_weigh_more(bundle: DataBundle) -> None:
    tags = item_tags(bundle.items)
    prevalence = {t: 0.5 for v in tags.values() for t, _ in v}
    newest_first = interest_tags(["1", "3"], [1.0, 100.0], tags, prevalence, half_life_events=1)
    assert newest_first[0].tag in {"Animation", "Children's", "Comedy", "1990s"}


def test_empty_history_has_no_tags(bundle: DataBundle) -> None:
    assert interest_tags([], [], item_tags(bundle.items), {}) == []
