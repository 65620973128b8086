"""The bundled datasets load offline, with the shapes docs/models-and-data.md promises and
honest labels."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from recmind.data.bundle import EVENT_TYPES
from recmind.data.dataset_files import spread_ties
from recmind.data.datasets import DATASETS, instacart_order_times, load_dataset, resolve_name
from recmind.data.importer import import_bundle
from recmind.data.retail_datasets import RETAIL_NON_PRODUCT
from recmind.data.store import Store


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
    assert recommendable == {
        "movielens-100k",
        "instacart-sample",
        "online-retail",
        "movielens-latest-small",
        "complete-journey",
    }


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


def _utc(text: str) -> float:
    return pd.Timestamp(text, tz="UTC").timestamp()


def test_online_retail_is_one_purchase_per_kept_invoice_line() -> None:
    bundle = load_dataset("retail")
    events, items = bundle.events, bundle.items
    assert len(events) == 396_370 and events["event_id"].is_unique
    assert events["user_id"].nunique() == 4335 == len(bundle.users)
    assert len(items) == 3659 and set(events["item_id"]) == set(items["item_id"])
    assert set(events["event_type"]) == {"purchase"}
    invoice = events["event_id"].str.split(":").str[1]
    assert not invoice.str.startswith("C").any()  # no cancellations
    assert not items["item_id"].isin(list(RETAIL_NON_PRODUCT)).any()
    assert (events["value"] >= 0).all() and (items["price"] > 0).all()
    assert events["timestamp"].min() == _utc("2010-12-01 08:26")  # winter: UK time = UTC
    assert events["timestamp"].max() < _utc("2011-12-09 12:51")
    assert not events.duplicated(["user_id", "timestamp"]).any()
    row = events.set_index("event_id").loc["retail:556819:23298:0"]
    assert row["timestamp"] == _utc("2011-06-15 09:21")  # 10:21 British Summer Time
    assert row["value"] == pytest.approx(9 * 4.95)
    lines = events[invoice == "536365"]["timestamp"]  # one invoice keeps its minute, in order
    assert lines.is_monotonic_increasing and lines.max() - lines.min() < 60
    heart = items.set_index("item_id").loc["85123A"]
    assert heart["title"] == "WHITE HANGING HEART T-LIGHT HOLDER"


def test_movielens_latest_small_shapes_and_titles() -> None:
    bundle = load_dataset("ml-latest-small")
    events, items = bundle.events, bundle.items
    assert len(events) == 100_004 and events["event_id"].is_unique
    assert events["user_id"].nunique() == 671
    assert len(items) == 9066 and set(events["item_id"]) == set(items["item_id"])
    assert set(events["event_type"]) == {"rating"}
    assert events["value"].between(0.5, 5).all() and (events["value"] * 2 % 1 == 0).all()
    assert events["timestamp"].min() >= _utc("1995-01-01")
    assert events["timestamp"].max() < _utc("2016-11-01")
    toy_story = items.set_index("item_id").loc["1"]
    assert toy_story["title"] == "Toy Story (1995)"
    assert toy_story["category"] == "Adventure|Animation|Children|Comedy|Fantasy"
    assert toy_story["attributes"]["year"] == 1995
    assert items["title"].str.contains("title missing").sum() == 5
    # the year keeps films of one name apart; MovieLens itself lists two "Hamlet (2000)"
    # and two "War of the Worlds (2005)"
    assert items["title"].duplicated().sum() == 2


def test_complete_journey_is_one_purchase_per_transaction_line() -> None:
    bundle = load_dataset("completejourney")
    events, items = bundle.events, bundle.items
    assert len(events) == 1_460_438 and events["event_id"].is_unique
    assert events["user_id"].nunique() == 2469
    assert len(items) == 68_260 and set(events["item_id"]) == set(items["item_id"])
    assert set(events["event_type"]) == {"purchase"}
    assert (events["value"] >= 0).all()
    # 2017 in the stores' US Eastern time, stored as UTC instants
    assert events["timestamp"].min() == _utc("2017-01-01 11:53:26")
    assert events["timestamp"].max() < _utc("2018-01-01 05:00")
    assert not events.duplicated(["user_id", "timestamp"]).any()
    milk = items.set_index("item_id").loc["1029743"]  # no names: type, size, brand and id
    assert milk["title"] == "FLUID MILK WHITE ONLY, 1 GA (store brand) #1029743"
    assert milk["category"] == "GROCERY/FLUID MILK PRODUCTS"
    # a "/" inside a source name is not a level of the path
    assert "GROCERY/COOKIES & CONES" in set(items["category"])
    assert items["category"].dropna().str.count("/").max() == 1  # department/category only
    assert items["title"].str.contains("not in the product table").sum() == 3


def test_spread_ties_keeps_order_inside_the_clock_resolution() -> None:
    user = pd.Series(["a", "a", "a", "b", "a"])
    start = pd.Series([60.0, 60.0, 60.0, 60.0, 120.0])
    assert spread_ties(user, start, 60.0).tolist() == [60.0, 80.0, 100.0, 60.0, 120.0]


@pytest.mark.parametrize(
    "name",
    [
        "online-retail",
        "movielens-latest-small",
        pytest.param("complete-journey", marks=pytest.mark.slow),
    ],
)
def test_new_datasets_import_without_quarantine(
    name: str, sqlite_store: Store, tmp_path: Path
) -> None:
    bundle = load_dataset(name)
    summary = import_bundle(sqlite_store, bundle, quarantine_dir=tmp_path / "q")
    counts = sqlite_store.counts()
    assert summary.total_quarantined == 0
    assert all(source.duplicates == 0 for source in summary.sources)
    assert counts["events"] == len(bundle.events)
    assert counts["items"] == len(bundle.items)
