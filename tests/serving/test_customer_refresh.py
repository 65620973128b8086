"""The service's customer refresher: one pass brings features, predictions and segment
membership to the clock's moment; a failed lifetime-value fit keeps the previous predictions
and does not hold the segments back."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select
from tests.marketing.segments import shop

from recmind.config import Settings
from recmind.data.schema import customer_features, segment_members
from recmind.data.store import Store
from recmind.serving import customer_refresh
from recmind.serving.customer_refresh import CustomerRefresher


def _store(tmp_path: Path) -> Store:
    store = Store.from_url(f"sqlite:///{tmp_path / 'shop.db'}")
    store.migrate()
    shop.fill(store)
    return store


def _count(store: Store, table: object) -> int:
    with store.engine.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(table)).scalar_one())


def test_a_pass_refreshes_features_and_every_segment(tmp_path: Path) -> None:
    store = _store(tmp_path)
    refresher = CustomerRefresher(
        store,
        Settings(home=tmp_path, customers={"refresh_seconds": 0, "predict_seconds": 0}),
        clock=lambda: shop.AS_OF,
    )
    refresher.start()  # refresh_seconds 0: no thread, but the built-ins are installed
    done = refresher.run_once()
    assert done.as_of == shop.AS_OF and not done.predicted
    assert 0 < done.customers_computed <= _count(store, customer_features)
    assert done.segments == 15 and done.entered == _count(store, segment_members) > 0
    again = refresher.run_once()
    assert (again.customers_computed, again.entered, again.exited) == (0, 0, 0)
    store.close()


def test_a_failed_fit_keeps_the_segments_moving(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = _store(tmp_path)

    def failing(*_: object, **__: object) -> None:
        raise RuntimeError("no convergence")

    monkeypatch.setattr(customer_refresh, "build_predictions", failing)
    refresher = CustomerRefresher(store, Settings(home=tmp_path), clock=lambda: shop.AS_OF)
    refresher.start()
    done = refresher.run_once()
    assert not done.predicted and done.segments == 15 and done.entered > 0
    assert refresher.last_error == "predictions: RuntimeError: no convergence"
    refresher.stop()
    store.close()
