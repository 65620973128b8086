"""The bundled datasets load offline, with the shapes DATA.md promises and honest labels."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from recmind.data.bundle import EVENT_TYPES
from recmind.data.datasets import DATASETS, instacart_order_times, load_dataset, resolve_name


def test_movielens_shapes_and_types() -> None:
    bundle = load_dataset("movielens-100k")
    assert len(bundle.events) == 100_000
    assert len(bundle.items) == 1682
    assert len(bundle.users) == 943
    assert bundle.events["event_id"].is_unique
    assert set(bundle.events["event_type"]) == {"rating"}
    assert bundle.events["value"].between(1, 5).all()
    assert set(bundle.events["item_id"]) <= set(bundle.items["item_id"])
    toy_story = bundle.items.set_index("item_id").loc["1"]
    assert toy_story["title"] == "Toy Story (1995)"
    assert toy_story["category"] == "Animation|Children's|Comedy"


def test_synthetic_fields_are_labelled_and_reproducible() -> None:
    first = load_dataset("movielens-100k").items
    second = load_dataset("ml-100k").items
    assert first["price"].equals(second["price"])
    assert first["stock"].equals(second["stock"])
    assert all("price" in a["synthetic"] for a in first["attributes"])
    assert (first["price"] > 0).all()
    assert 0.02 < (first["stock"] == 0).mean() < 0.2


def test_clothing_reviews_have_text_and_known_items() -> None:
    bundle = load_dataset("clothing")
    assert len(bundle.items) == 1206
    assert len(bundle.reviews) == 23_486
    assert set(bundle.reviews["item_id"]) <= set(bundle.items["item_id"])
    assert bundle.reviews["rating"].between(1, 5).all()
    assert (bundle.reviews["text"].str.len() > 0).mean() > 0.95
    assert bundle.items["category"].str.contains("/").any()


def test_cdnow_is_one_event_per_customer_day() -> None:
    bundle = load_dataset("cdnow")
    events = bundle.events
    assert events["user_id"].nunique() == 23_570
    assert not events.duplicated(["user_id", "timestamp"]).any()
    assert set(events["event_type"]) <= set(EVENT_TYPES)
    assert np.isfinite(events["timestamp"]).all()
    first_day = pd.Timestamp("1997-01-01", tz="UTC").timestamp()
    assert events["timestamp"].min() == first_day
    assert events["timestamp"].max() < pd.Timestamp("1998-07-01", tz="UTC").timestamp()
    assert (events["value"] >= 0).all()


def test_unknown_dataset_lists_valid_names() -> None:
    with pytest.raises(ValueError, match="movielens-100k"):
        resolve_name("netflix")
    recommendable = {info.name for info in DATASETS.values() if info.recommendable}
    assert recommendable == {"movielens-100k", "instacart-sample"}


def test_instacart_sample_is_one_purchase_per_order_line() -> None:
    bundle = load_dataset("instacart")
    events = bundle.events
    assert len(events) == 150_000 and events["event_id"].is_unique
    assert events["user_id"].nunique() == 593
    assert len(bundle.items) == 14_190 and set(events["item_id"]) == set(bundle.items["item_id"])
    assert set(events["event_type"]) == {"purchase"}
    # every customer's last order falls on the same day; no two order lines share a moment
    last = events.groupby("user_id")["timestamp"].max()
    day = pd.Timestamp("2017-05-01", tz="UTC").timestamp()
    assert last.between(day, day + 86_400).all()
    assert not events.duplicated(["user_id", "timestamp"]).any()
    assert events["timestamp"].min() > pd.Timestamp("2014-01-01", tz="UTC").timestamp()


def test_instacart_orders_keep_their_order() -> None:
    """Gaps in days and the hour place the orders; a same-day order at an earlier hour (the
    data allow it) still comes after the previous one."""
    orders = pd.DataFrame(
        {
            "user_id": [7, 7, 7, 9],
            "order_number": [1, 2, 3, 1],
            "order_hour_of_day": [10, 9, 8, 15],
            "days_since_prior_order": [np.nan, 3.0, 0.0, np.nan],
        },
        index=[102, 100, 101, 103],
    )
    times = instacart_order_times(orders)
    end = pd.Timestamp("2017-05-01", tz="UTC").timestamp()
    assert times.loc[102] == end - 3 * 86_400 + 10 * 3600
    assert times.loc[100] == end + 9 * 3600
    assert times.loc[101] == times.loc[100] + 3600  # same day, earlier hour: an hour later
    assert times.loc[103] == end + 15 * 3600
