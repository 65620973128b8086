"""The experiments behind journeys' ``random_split`` steps that name one
(``experiment: ID``): the journeys engine's :class:`~recmind.marketing.journeys.steps.
ExperimentAssigner`.

The person's variant (:func:`~.assignment.assign`) picks the branch of the same name; a
split whose branches have no names takes them in the experiment's variant order (then both
must have as many). A held-out person goes down the control's branch (their messages are
skipped at send). A split that names an experiment the store does not have falls back to
the step's own stable split, with a warning, so a typo does not stop the journey; a split
whose branches do not match the variants is an error of the step (retried, then the person
leaves the journey with it), since guessing would corrupt the experiment.

Experiments and bandit posteriors are cached for ``refresh_seconds``: a start, a stop or
new rewards reach the journeys within that time.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence

from recmind.config import Settings
from recmind.data.store import Store
from recmind.marketing.experiments.assignment import assign, bandit_posteriors
from recmind.marketing.experiments.repository import (
    Experiment,
    ExperimentNotFoundError,
    get_experiment,
)
from recmind.marketing.experiments.stats.bayesian import Posterior
from recmind.marketing.journeys.definition import Branch
from recmind.marketing.journeys.steps import stable_branch

logger = logging.getLogger(__name__)


class BranchMismatchError(ValueError):
    """The split's branches do not correspond to the experiment's variants."""


def branch_index(experiment: Experiment, variant: str, branches: Sequence[Branch]) -> int:
    """The branch of ``variant`` (by name, else by position; module docs)."""
    named = [b.name for b in branches]
    if variant in named:
        return named.index(variant)
    if not any(named) and len(branches) == len(experiment.variants):
        return experiment.names.index(variant)
    raise BranchMismatchError(
        f"experiment {experiment.experiment_id!r} assigned {variant!r}, but the split's "
        f"branches are {named} (name them after the variants: {experiment.names})"
    )


class JourneyExperiments:
    """Assigns ``random_split`` branches from the store's experiments (module docs)."""

    def __init__(
        self,
        store: Store,
        settings: Settings,
        *,
        clock: Callable[[], float] = time.time,
        refresh_seconds: float = 60.0,
    ) -> None:
        self.store = store
        self.settings = settings
        self.clock = clock
        self.refresh_seconds = refresh_seconds
        self._experiments: dict[str, tuple[float, Experiment | None]] = {}
        self._posteriors: dict[str, tuple[float, list[Posterior]]] = {}

    def _experiment(self, experiment_id: str, now: float) -> Experiment | None:
        cached = self._experiments.get(experiment_id)
        if cached is None or now - cached[0] >= self.refresh_seconds:
            try:
                found: Experiment | None = get_experiment(self.store, experiment_id)
            except ExperimentNotFoundError:
                found = None
            cached = (now, found)
            self._experiments[experiment_id] = cached
        return cached[1]

    def _arms(self, experiment: Experiment, now: float) -> list[Posterior] | None:
        if experiment.kind != "bandit" or experiment.status != "running":
            return None
        cached = self._posteriors.get(experiment.experiment_id)
        if cached is None or now - cached[0] >= self.refresh_seconds:
            cached = (now, bandit_posteriors(self.store, experiment, now=now))
            self._posteriors[experiment.experiment_id] = cached
        return cached[1]

    def __call__(self, experiment: str, user_id: str, branches: Sequence[Branch]) -> int:
        now = self.clock()
        found = self._experiment(experiment, now)
        if found is None:
            logger.warning("random_split names experiment %r, which does not exist", experiment)
            return stable_branch(experiment, user_id, branches)
        result = assign(
            self.store,
            self.settings,
            found,
            user_id,
            now=now,
            posteriors=self._arms(found, now),
        )
        return branch_index(found, result.variant or found.control.name, branches)
