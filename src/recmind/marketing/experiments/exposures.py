"""The exposure log: one row per assignment (A/B: per person) or bandit decision, written
once (a second write under the same decision key returns the first), and the rewards of
bandit decisions settled from the events that followed them."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import orjson
from sqlalchemy import Connection, and_, exists, func, select, update

from recmind.data.schema import events, experiment_exposures
from recmind.data.store import Store
from recmind.marketing.experiments.definition import HOLDOUT
from recmind.marketing.experiments.repository import Experiment
from recmind.marketing.journeys.scheduler import write_transaction
from recmind.marketing.policy.sql import dialect_insert

DAY = 86400.0
x = experiment_exposures.c


@dataclass(frozen=True)
class Exposure:
    """A logged assignment or decision."""

    exposure_id: str
    experiment_id: str
    decision_key: str
    user_id: str
    variant: str
    at: float
    propensity: float | None
    context: dict[str, Any] | None
    reward: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "exposure_id": self.exposure_id,
            "experiment_id": self.experiment_id,
            "decision_key": self.decision_key,
            "user_id": self.user_id,
            "variant": self.variant,
            "at": self.at,
            "propensity": self.propensity,
            "context": self.context,
            "reward": self.reward,
        }


def _from_row(row: Any) -> Exposure:
    return Exposure(
        exposure_id=str(row.exposure_id),
        experiment_id=str(row.experiment_id),
        decision_key=str(row.decision_key),
        user_id=str(row.user_id),
        variant=str(row.variant),
        at=float(row.at),
        propensity=None if row.propensity is None else float(row.propensity),
        context=orjson.loads(row.context) if row.context else None,
        reward=None if row.reward is None else float(row.reward),
    )


def find_exposure(connection: Connection, experiment_id: str, key: str) -> Exposure | None:
    """The decision logged under ``key``, if any."""
    row = connection.execute(
        select(experiment_exposures).where(x.experiment_id == experiment_id, x.decision_key == key)
    ).first()
    return None if row is None else _from_row(row)


def log_exposure(store: Store, exposure: Exposure) -> tuple[Exposure, bool]:
    """Write ``exposure`` unless its decision key is logged already; the stored one and
    whether it is new."""
    values = exposure.to_dict()
    context = values.pop("context")
    values["context"] = (
        None if context is None else orjson.dumps(context, option=orjson.OPT_SORT_KEYS).decode()
    )
    with write_transaction(store) as connection:
        statement = dialect_insert(connection, experiment_exposures).values(**values)
        written = connection.execute(
            statement.on_conflict_do_nothing(
                index_elements=["experiment_id", "decision_key"]
            ).returning(x.exposure_id)
        ).first()
        stored = find_exposure(connection, exposure.experiment_id, exposure.decision_key)
    assert stored is not None
    return stored, written is not None


def new_exposure_id() -> str:
    return uuid.uuid4().hex


def settle_rewards(store: Store, experiment: Experiment, *, now: float) -> int:
    """Give unsettled decisions of the arms their reward: 1 when the person had the
    conversion event within the window after the decision (and before ``now``), 0 once the
    window has passed without one. The number settled."""
    metrics = experiment.metrics
    window = metrics.window_days * DAY
    open_ = and_(
        x.experiment_id == experiment.experiment_id, x.reward.is_(None), x.variant != HOLDOUT
    )
    converted = exists().where(
        events.c.user_id == x.user_id,
        events.c.event_type == metrics.conversion_event,
        events.c.timestamp > x.at,
        events.c.timestamp <= x.at + window,
        events.c.timestamp <= now,
    )
    with write_transaction(store) as connection:
        ones = connection.execute(
            update(experiment_exposures).where(open_, converted).values(reward=1.0, rewarded_at=now)
        ).rowcount
        zeros = connection.execute(
            update(experiment_exposures)
            .where(open_, x.at + window <= now)
            .values(reward=0.0, rewarded_at=now)
        ).rowcount
    return int(ones) + int(zeros)


def settled_counts(store: Store, experiment_id: str) -> dict[str, tuple[int, int]]:
    """``variant -> (successes, settled decisions)``."""
    with store.engine.connect() as connection:
        rows = connection.execute(
            select(x.variant, func.sum(x.reward), func.count())
            .where(x.experiment_id == experiment_id, x.reward.is_not(None), x.variant != HOLDOUT)
            .group_by(x.variant)
        )
        return {str(v): (round(float(s or 0)), int(n)) for v, s, n in rows}


def decision_log(store: Store, experiment_id: str) -> list[Exposure]:
    """The settled decisions of the arms, oldest first (for off-policy evaluation)."""
    query = (
        select(experiment_exposures)
        .where(x.experiment_id == experiment_id, x.reward.is_not(None), x.variant != HOLDOUT)
        .order_by(x.at, x.exposure_id)
    )
    with store.engine.connect() as connection:
        return [_from_row(r) for r in connection.execute(query)]
