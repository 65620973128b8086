"""The bundled datasets load offline, with the shapes DATA.md promises and honest labels."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from recmind.data.bundle import EVENT_TYPES
from recmind.data.datasets import DATASETS, load_dataset, resolve_name


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
    assert {info.name for info in DATASETS.values() if info.recommendable} == {"movielens-100k"}
