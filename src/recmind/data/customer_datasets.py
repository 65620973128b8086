"""Bundled datasets about customers rather than for recommending: what they write
(women's clothing reviews, for sentiment) and when they come back (the CDNOW purchase log,
for churn and lifetime value). Neither links people to items a recommender could learn."""

from __future__ import annotations

import numpy as np
import pandas as pd

from recmind.data.bundle import DataBundle
from recmind.data.dataset_files import (
    category_path,
    most_common,
    package_dir,
    synthetic_price_stock,
    widedeep_file,
)


def load_clothing_reviews() -> DataBundle:
    """Women's clothing e-commerce reviews: 1,206 items, 23,486 reviews with text.

    The source has no reviewer ids and no dates: each review gets its own anonymous
    reviewer (with the age the source gives) and no timestamp.
    """
    raw = pd.read_parquet(widedeep_file("WomensClothingE-CommerceReviews"))
    raw = raw.reset_index(drop=True)
    grouped = raw.groupby("Clothing ID", sort=True)
    department = grouped["Department Name"].agg(most_common)
    klass = grouped["Class Name"].agg(most_common)
    ids = department.index.to_numpy()
    synthetic = synthetic_price_stock(len(ids), low=19.0, high=180.0, salt=2)
    categories = [category_path(d, c) for d, c in zip(department, klass, strict=True)]
    items = pd.DataFrame(
        {
            "item_id": [str(i) for i in ids],
            "title": [
                f"{c if c is not None else 'Clothing item'} #{i}"
                for i, c in zip(ids, klass, strict=True)
            ],
            "description": None,
            "category": categories,
            "price": synthetic["price"],
            "stock": synthetic["stock"],
            "language": "en",
            "attributes": [
                {"department": d, "class": c, "synthetic": ["price", "stock"]}
                for d, c in zip(department, klass, strict=True)
            ],
        }
    )
    reviewer = "clothing-reviewer-" + raw.index.astype(str)
    titles = raw["Title"].fillna("")
    texts = raw["Review Text"].fillna("")
    review_text = np.where(titles != "", titles + ". " + texts, texts)
    reviews = pd.DataFrame(
        {
            "review_id": "clothing:" + raw.index.astype(str),
            "user_id": reviewer,
            "item_id": raw["Clothing ID"].astype(str),
            "rating": raw["Rating"].astype(np.float64),
            "text": review_text,
            "timestamp": np.nan,
        }
    )
    users = pd.DataFrame(
        {
            "user_id": reviewer,
            "created_at": None,
            "email": None,
            "consent_email": False,
            "timezone": None,
            "attributes": [{"age": int(a)} for a in raw["Age"]],
        }
    )
    return DataBundle(
        name="clothing-reviews",
        items=items,
        users=users,
        reviews=reviews,
        description="Women's clothing e-commerce reviews; prices/stock synthetic.",
    )


def load_cdnow() -> DataBundle:
    """CDNOW purchase log 1997-98: 23,570 customers, for churn and lifetime value.

    The log names no products, so every purchase points at one catalogue entry standing
    for "a CDNOW order"; purchases by one customer on one day are summed into one event
    (value = dollars), as the customer-base models that use this log do.
    """
    path = package_dir("lifetimes") / "datasets" / "CDNOW_master.txt"
    raw = pd.read_csv(path, sep=r"\s+", dtype={"customer_id": str, "date": str})
    daily = raw.groupby(["customer_id", "date"], as_index=False, sort=True).agg(
        dollars=("dollar_value", "sum"), cds=("number_of_cds", "sum")
    )
    dates = pd.to_datetime(daily["date"], format="%Y%m%d", utc=True)
    customer = daily["customer_id"].str.lstrip("0")
    items = pd.DataFrame(
        {
            "item_id": ["cdnow-order"],
            "title": ["CDNOW order (the log has no item-level data)"],
            "description": None,
            "category": ["Music/CD"],
            "price": None,
            "stock": None,
            "language": "en",
            "attributes": [{"source": "CDNOW_master.txt"}],
        }
    )
    events = pd.DataFrame(
        {
            "event_id": "cdnow:" + customer + ":" + daily["date"],
            "user_id": customer,
            "item_id": "cdnow-order",
            "event_type": "purchase",
            "timestamp": (dates - pd.Timestamp(0, tz="UTC")).dt.total_seconds().to_numpy(),
            "value": daily["dollars"].round(2).astype(np.float64),
        }
    )
    return DataBundle(
        name="cdnow",
        items=items,
        events=events,
        description="CDNOW purchases 1997-98, one event per customer-day (value = dollars).",
    )
