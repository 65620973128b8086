"""Seeded synthetic orders for the demo shop: every one marked synthetic by its ids.

The orders are placed by synthetic customers (``synthetic-customer-0001``, ...) and have
ids ``synthetic-order-000001``, ...: nothing here belongs to a real person, and the prefix
says so wherever an order is shown. Lines take the catalogue's prices; totals follow the
demo shop's shipping policy (``policies/shipping.md``: standard shipping $5.95, free from
$75; express $14.95). Statuses follow the order's age at ``now``: placed or paid on the
first day, shipped (with a carrier, tracking number and expected delivery) while in
transit, then mostly delivered, some returned or cancelled. Same seed, catalogue and
``now``: the same orders.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from recmind.data.bundle import ORDER_COLUMNS

ORDER_PREFIX = "synthetic-order-"
CUSTOMER_PREFIX = "synthetic-customer-"
CURRENCY = "USD"
FREE_SHIPPING_FROM = 75.0
STANDARD_SHIPPING = 5.95
EXPRESS_SHIPPING = 14.95
CARRIERS = {"standard": ("Parcelink", "PL", 5), "express": ("SwiftPost", "SP", 2)}
"""Service: (carrier, tracking prefix, days from dispatch to delivery)."""
DAY = 86_400.0


def _lines(
    rng: np.random.Generator, item_ids: np.ndarray, prices: np.ndarray
) -> tuple[list[dict[str, Any]], float]:
    """An order's lines and their sum."""
    count = int(rng.choice([1, 1, 1, 2, 2, 3]))
    picks = rng.choice(len(item_ids), size=min(count, len(item_ids)), replace=False)
    quantities = [int(rng.choice([1, 1, 1, 2])) for _ in picks]
    lines = [
        {"item_id": str(item_ids[p]), "quantity": q, "unit_price": float(prices[p])}
        for p, q in zip(picks, quantities, strict=True)
    ]
    return lines, sum(q * float(prices[p]) for p, q in zip(picks, quantities, strict=True))


def _status(rng: np.random.Generator, age_days: float, transit_days: int) -> str:
    if age_days < 0.1:
        return "placed"
    if age_days < 1:
        return "paid"
    if age_days < 1 + transit_days:
        return "shipped"
    return str(rng.choice(["delivered"] * 92 + ["returned"] * 5 + ["cancelled"] * 3))


def _order(
    rng: np.random.Generator,
    number: int,
    *,
    customers: int,
    items: tuple[np.ndarray, np.ndarray],
    now: float,
    days: int,
) -> dict[str, Any]:
    # Skewed to the recent past, so that every status (placed to delivered) is common.
    created = round(now - days * float(rng.random()) ** 2 * DAY, 0)
    service = "express" if rng.random() < 0.1 else "standard"
    carrier, prefix, transit = CARRIERS[service]
    lines, subtotal = _lines(rng, *items)
    shipping = EXPRESS_SHIPPING if service == "express" else STANDARD_SHIPPING
    if service == "standard" and subtotal >= FREE_SHIPPING_FROM:
        shipping = 0.0
    status = _status(rng, (now - created) / DAY, transit)
    shipped = status in ("shipped", "delivered", "returned")
    tracking = f"{prefix}{int(rng.integers(10**8, 10**9))}" if shipped else None
    dispatched = created + DAY
    return {
        "order_id": f"{ORDER_PREFIX}{number:06d}",
        "user_id": f"{CUSTOMER_PREFIX}{int(rng.integers(1, customers + 1)):04d}",
        "created_at": created,
        "status": status,
        "lines": lines,
        "total": round(subtotal + shipping, 2),
        "currency": CURRENCY,
        "carrier": carrier if shipped else None,
        "tracking_number": tracking,
        "expected_delivery": dispatched + transit * DAY if status != "cancelled" else None,
    }


def synthetic_orders(
    catalogue: pd.DataFrame,
    *,
    count: int = 300,
    customers: int = 100,
    days: int = 90,
    seed: int = 42,
    now: float,
) -> pd.DataFrame:
    """``count`` orders of ``customers`` synthetic customers over the ``days`` before
    ``now``, from the priced items of ``catalogue`` (columns ``item_id``, ``price``).

    Raises:
        ValueError: no item of the catalogue has a price, or a count is not positive.
    """
    if count < 1 or customers < 1 or days < 1:
        raise ValueError("count, customers and days must be at least 1")
    priced = catalogue.loc[pd.to_numeric(catalogue["price"], errors="coerce").notna()]
    if priced.empty:
        raise ValueError("the catalogue has no priced item to order")
    items = (
        priced["item_id"].astype(str).to_numpy(),
        pd.to_numeric(priced["price"]).to_numpy(dtype=float),
    )
    rng = np.random.default_rng(seed)
    rows = [
        _order(rng, n, customers=customers, items=items, now=now, days=days)
        for n in range(1, count + 1)
    ]
    return pd.DataFrame(rows, columns=list(ORDER_COLUMNS))
