"""Stored experiments: create, start, stop, list, read.

States (``experiments.status``)::

    draft --start--> running --stop--> stopped

Only a running experiment assigns people and logs exposures. Before it starts and after it
stops everyone gets one variant and nothing is logged: the control, or after a stop the
``winner`` named when stopping. Stopping keeps every exposure, so the final readout can be
read at any time after.
"""

from __future__ import annotations

import re
import time
import uuid
from dataclasses import dataclass
from typing import Any, Literal, get_args

import orjson
from sqlalchemy import Connection, func, insert, select, update

from recmind.data.schema import experiment_exposures, experiments
from recmind.data.store import Store
from recmind.data.write_lock import write_lock
from recmind.marketing.experiments.definition import (
    ExperimentDefinition,
    Kind,
    Metrics,
    Variant,
)

Status = Literal["draft", "running", "stopped"]
STATUSES: tuple[str, ...] = get_args(Status)


class ExperimentNotFoundError(KeyError):
    """No experiment has this id."""

    def __init__(self, experiment_id: str) -> None:
        super().__init__(experiment_id)
        self.experiment_id = experiment_id

    def __str__(self) -> str:
        return f"no experiment {self.experiment_id!r}"


class ExperimentStateError(ValueError):
    """The change is not allowed in the experiment's state (starting a stopped one)."""


class ExperimentExistsError(ValueError):
    """An experiment with this id exists already."""


@dataclass(frozen=True)
class Experiment:
    """A stored experiment."""

    experiment_id: str
    name: str
    kind: Kind
    variants: tuple[Variant, ...]
    salt: str
    status: Status
    metrics: Metrics
    description: str | None
    winner: str | None
    created_at: float
    updated_at: float
    started_at: float | None
    stopped_at: float | None

    @property
    def control(self) -> Variant:
        return next(v for v in self.variants if v.control)

    @property
    def names(self) -> list[str]:
        return [v.name for v in self.variants]

    def variant(self, name: str) -> Variant:
        for one in self.variants:
            if one.name == name:
                return one
        raise KeyError(name)

    @property
    def resting_variant(self) -> str:
        """Who everyone gets while nothing is being measured (draft or stopped)."""
        return self.winner or self.control.name

    def to_dict(self) -> dict[str, Any]:
        return {
            "experiment_id": self.experiment_id,
            "name": self.name,
            "kind": self.kind,
            "status": self.status,
            "variants": [v.model_dump() for v in self.variants],
            "metrics": self.metrics.model_dump(),
            "salt": self.salt,
            "description": self.description,
            "winner": self.winner,
            "created_at": self.created_at,
            "updated_at": self.updated_at,
            "started_at": self.started_at,
            "stopped_at": self.stopped_at,
        }


def _optional(value: Any) -> float | None:
    return None if value is None else float(value)


def experiment_from_row(row: Any) -> Experiment:
    variants = tuple(Variant.model_validate(v) for v in orjson.loads(row.variants))
    return Experiment(
        experiment_id=str(row.experiment_id),
        name=str(row.name),
        kind=row.kind,
        variants=variants,
        salt=str(row.salt),
        status=row.status,
        metrics=Metrics.model_validate(orjson.loads(row.settings)),
        description=row.description,
        winner=row.winner,
        created_at=float(row.created_at),
        updated_at=float(row.updated_at),
        started_at=_optional(row.started_at),
        stopped_at=_optional(row.stopped_at),
    )


def _new_id(name: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:48].strip("-")
    return f"{slug or 'experiment'}-{uuid.uuid4().hex[:8]}"


def _dump(value: Any) -> str:
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS).decode()


def _get(connection: Connection, experiment_id: str) -> Experiment:
    row = connection.execute(
        select(experiments).where(experiments.c.experiment_id == experiment_id)
    ).first()
    if row is None:
        raise ExperimentNotFoundError(experiment_id)
    return experiment_from_row(row)


def get_experiment(store: Store, experiment_id: str) -> Experiment:
    """The experiment, or :class:`ExperimentNotFoundError`."""
    with store.engine.connect() as connection:
        return _get(connection, experiment_id)


def list_experiments(store: Store, status: str | None = None) -> list[Experiment]:
    """Every experiment (or those in ``status``), newest first."""
    query = select(experiments).order_by(
        experiments.c.created_at.desc(), experiments.c.experiment_id
    )
    if status is not None:
        query = query.where(experiments.c.status == status)
    with store.engine.connect() as connection:
        return [experiment_from_row(r) for r in connection.execute(query)]


def create_experiment(
    store: Store,
    definition: ExperimentDefinition,
    *,
    start: bool = False,
    now: float | None = None,
) -> Experiment:
    """Store a new experiment, a draft (running at once with ``start``)."""
    moment = time.time() if now is None else now
    experiment_id = definition.experiment_id or _new_id(definition.name)
    variants = [v.model_dump() for v in definition.normalised_variants()]
    with write_lock(store), store.engine.begin() as connection:
        taken = connection.execute(
            select(func.count())
            .select_from(experiments)
            .where(experiments.c.experiment_id == experiment_id)
        ).scalar()
        if taken:
            raise ExperimentExistsError(f"experiment {experiment_id!r} exists already")
        connection.execute(
            insert(experiments).values(
                experiment_id=experiment_id,
                name=definition.name,
                kind=definition.kind,
                variants=_dump(variants),
                salt=definition.salt or experiment_id,
                status="running" if start else "draft",
                settings=_dump(definition.metrics.model_dump()),
                description=definition.description,
                created_at=moment,
                updated_at=moment,
                started_at=moment if start else None,
            )
        )
        return _get(connection, experiment_id)


def _change(
    store: Store, experiment_id: str, allowed: str, action: str, values: dict[str, Any]
) -> Experiment:
    with write_lock(store), store.engine.begin() as connection:
        done = connection.execute(
            update(experiments)
            .where(experiments.c.experiment_id == experiment_id, experiments.c.status == allowed)
            .values(**values)
        ).rowcount
        experiment = _get(connection, experiment_id)
        if not done:
            raise ExperimentStateError(
                f"experiment {experiment_id!r} is {experiment.status}: it cannot be {action} "
                f"(only when {allowed})"
            )
        return experiment


def start_experiment(store: Store, experiment_id: str, *, now: float | None = None) -> Experiment:
    """Start assigning people (a draft only)."""
    moment = time.time() if now is None else now
    values = {"status": "running", "started_at": moment, "updated_at": moment}
    return _change(store, experiment_id, "draft", "started", values)


def stop_experiment(
    store: Store, experiment_id: str, *, winner: str | None = None, now: float | None = None
) -> Experiment:
    """Stop assigning (a running experiment only); from then on everyone gets ``winner``
    (a variant's name; default: the control)."""
    experiment = get_experiment(store, experiment_id)
    if winner is not None and winner not in experiment.names:
        raise ValueError(f"no variant {winner!r} (variants: {', '.join(experiment.names)})")
    moment = time.time() if now is None else now
    values = {"status": "stopped", "stopped_at": moment, "updated_at": moment, "winner": winner}
    return _change(store, experiment_id, "running", "stopped", values)


def exposure_counts(store: Store, experiment_id: str) -> dict[str, int]:
    """Logged assignments or decisions per variant (``holdout`` included)."""
    with store.engine.connect() as connection:
        rows = connection.execute(
            select(experiment_exposures.c.variant, func.count())
            .where(experiment_exposures.c.experiment_id == experiment_id)
            .group_by(experiment_exposures.c.variant)
        )
        return {str(variant): int(count) for variant, count in rows}
