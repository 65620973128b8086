"""Every customer's predictions over a horizon, into the store's ``customer_predictions``.

The purchases before ``as_of`` are read with one SQL aggregate (customer, day, value); the
lifetime-value models are fitted and one is chosen on a validation window inside that
history (:mod:`recmind.customers.clv.forecast`, the code the backtest scores); its
forecast replaces the table's rows, one per customer with a purchase before ``as_of``.

Columns (``model`` names the chosen model):

- ``p_active``: the probability that the customer is still active (has not silently
  lapsed), from Pareto/NBD (BG/NBD when only that one fits);
- ``expected_purchases``: expected orders (days with a purchase) in the horizon;
- ``expected_spend``: expected purchases times the expected value of an order (Gamma-Gamma);
- ``churn_risk``: the probability of no purchase in the horizon;
- ``next_purchase_at``: ``as_of + horizon / expected_purchases`` (days), the moment the
  expected count reaches one at the horizon's average rate; NULL when that is more than
  ``NEXT_PURCHASE_LIMIT_DAYS`` away (no purchase expected in the foreseeable future).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from sqlalchemy import delete, exists, select

from recmind.customers.clv.forecast import ClvFit, fit_forecasts
from recmind.customers.clv.history import read_purchase_days
from recmind.customers.sql import DAY
from recmind.data.bulk import BulkWriter
from recmind.data.schema import customer_predictions, users
from recmind.data.store import Store
from recmind.data.write_lock import write_lock

Progress = Callable[[str, int, int | None], None]
NEXT_PURCHASE_LIMIT_DAYS = 3650.0
COLUMNS = tuple(c.name for c in customer_predictions.columns)


@dataclass(frozen=True)
class PredictionBuild:
    """What a build wrote: rows, the served model, the horizon and the time it took."""

    as_of: float
    horizon_days: float
    model: str
    customers: int
    seconds: float

    def __str__(self) -> str:
        return (
            f"{self.customers:,} customers, model {self.model}, "
            f"{self.horizon_days:g}-day horizon, {self.seconds:.1f} s"
        )


def _no_progress(label: str, done: int, total: int | None) -> None:
    return None


def prediction_rows(
    fit: ClvFit, as_of: float, horizon_days: float, computed_at: float
) -> list[tuple[object, ...]]:
    """``customer_predictions`` rows (in ``COLUMNS`` order) of the served forecast."""
    served = fit.served
    expected = served.expected
    with np.errstate(divide="ignore"):
        wait = np.where(expected > 0, horizon_days / expected, np.inf)
    rows = []
    for position, user_id in enumerate(fit.customers):
        days = float(wait[position])
        values = {
            "user_id": str(user_id),
            "computed_at": computed_at,
            "as_of": as_of,
            "horizon_days": horizon_days,
            "model": fit.chosen,
            "p_active": float(served.p_alive[position]),
            "expected_purchases": float(expected[position]),
            "expected_spend": float(served.spend[position]),
            "churn_risk": float(served.churn_risk[position]),
            "next_purchase_at": as_of + days * DAY if days <= NEXT_PURCHASE_LIMIT_DAYS else None,
        }
        rows.append(tuple(values[c] for c in COLUMNS))
    return rows


def write_predictions(store: Store, rows: list[tuple[object, ...]]) -> int:
    """Replace the table's contents with ``rows`` in one transaction; users erased
    meanwhile keep no row (as :func:`recmind.customers.build.write_features`)."""
    with write_lock(store), store.engine.begin() as connection:
        if store.dialect == "postgresql" and rows:
            ids = [str(row[0]) for row in rows]
            alive: set[str] = set()
            for start in range(0, len(ids), 5_000):
                chunk = ids[start : start + 5_000]
                alive.update(
                    connection.execute(
                        select(users.c.user_id)
                        .where(users.c.user_id.in_(chunk))
                        .with_for_update(read=True)
                    ).scalars()
                )
            rows = [row for row in rows if row[0] in alive]
        connection.execute(delete(customer_predictions))
        writer = BulkWriter(connection.connection.dbapi_connection, store.dialect)
        writer.insert_ignore(customer_predictions.name, COLUMNS, rows)
        orphans = connection.execute(
            delete(customer_predictions).where(
                ~exists().where(users.c.user_id == customer_predictions.c.user_id)
            )
        )
    return len(rows) - int(orphans.rowcount)


def build_predictions(
    store: Store,
    as_of: float,
    horizon_days: float = 90.0,
    progress: Progress | None = None,
) -> PredictionBuild:
    """Fit, choose and write every customer's predictions over ``horizon_days`` after
    ``as_of`` (epoch seconds), reading only purchases before ``as_of``."""
    if not horizon_days > 0:
        raise ValueError(f"horizon_days must be positive, got {horizon_days}")
    started = time.perf_counter()
    computed_at = time.time()
    history = read_purchase_days(store, as_of, end=as_of)
    if history.customers == 0:
        written = write_predictions(store, [])
        return PredictionBuild(as_of, horizon_days, "none", written, 0.0)
    fit = fit_forecasts(history, horizon_days, progress=progress or _no_progress)
    rows = prediction_rows(fit, as_of, horizon_days, computed_at)
    written = write_predictions(store, rows)
    return PredictionBuild(as_of, horizon_days, fit.chosen, written, time.perf_counter() - started)
