"""What the experiment tests share: experiments created from short dicts, exposures and
purchases written straight into the store in bulk."""

from __future__ import annotations

import itertools
from typing import Any

from sqlalchemy import insert

from recmind.data.schema import events, experiment_exposures, items
from recmind.data.store import Store
from recmind.marketing.experiments.definition import ExperimentDefinition
from recmind.marketing.experiments.repository import Experiment, create_experiment

T0 = 1_800_000_000.0
DAY = 86_400.0
_ids = itertools.count()


def experiment(store: Store, *, start: bool = True, **data: Any) -> Experiment:
    base: dict[str, Any] = {
        "name": "Subject lines",
        "experiment_id": "subjects",
        "variants": [{"name": "control"}, {"name": "short"}],
    }
    return create_experiment(
        store, ExperimentDefinition.model_validate(base | data), start=start, now=T0
    )


def exposures(store: Store, experiment_id: str, rows: list[tuple[str, str, float]]) -> None:
    """``(user_id, variant, at)`` rows, one A/B assignment each (the person is the key)."""
    values = [
        {
            "exposure_id": f"x{next(_ids)}",
            "experiment_id": experiment_id,
            "decision_key": user,
            "user_id": user,
            "variant": variant,
            "at": at,
            "propensity": None if variant == "holdout" else 0.5,
            "context": None,
            "reward": None,
            "rewarded_at": None,
        }
        for user, variant, at in rows
    ]
    with store.engine.begin() as connection:
        for start in range(0, len(values), 5000):
            connection.execute(insert(experiment_exposures), values[start : start + 5000])


def purchases(store: Store, rows: list[tuple[str, float, float | None]]) -> None:
    """``(user_id, at, value)`` purchases of ``item-1`` (price 30)."""
    values = [
        {
            "event_id": f"p{next(_ids)}",
            "user_id": user,
            "item_id": "item-1",
            "event_type": "purchase",
            "timestamp": at,
            "value": value,
        }
        for user, at, value in rows
    ]
    with store.engine.begin() as connection:
        for start in range(0, len(values), 5000):
            connection.execute(insert(events), values[start : start + 5000])


def catalogue(store: Store) -> None:
    with store.engine.begin() as connection:
        connection.execute(insert(items).values(item_id="item-1", title="Kettle", price=30.0))
