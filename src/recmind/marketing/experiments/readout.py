"""A readout: each arm's numbers, the sample-ratio check, and (unless it blocks) the tests.

An **A/B/n test** reads, in this order:

1. each arm's people, conversions and revenue (:mod:`.metrics`), and the global holdout's
   people beside them (not an arm: it got no message at all);
2. the sample-ratio-mismatch check of the arms' people against their weights
   (:mod:`.stats.srm`). When it fails the readout is **blocked**: no test, no verdict, only
   the counts and the check, because arms that did not get the people they should have
   cannot be compared;
3. the frequentist tests of every variant against the control: conversion (two-proportion
   z-test), revenue per person (Welch) and CUPED-adjusted revenue, each metric's p-values
   Holm-adjusted across the variants (:mod:`.stats.frequentist`);
4. the Bayesian readout of conversion: each arm's posterior, the probability to beat the
   control, the expected loss of choosing the variant (and of keeping the control), and
   each arm's probability of being the best (:mod:`.stats.bayesian`).

A **bandit** moves people between arms as it learns, so fixed-split tests and the sample-
ratio check do not apply. Its readout shows each arm's settled decisions and successes, the
posteriors, the allocation it would use now, and off-policy estimates (IPS and SNIPS,
:mod:`.stats.offpolicy`) of what each arm alone, and a uniform split, would have earned
per decision.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import Any

from recmind.data.store import Store
from recmind.marketing.experiments.bandit import posteriors_of, thompson_probabilities
from recmind.marketing.experiments.definition import HOLDOUT
from recmind.marketing.experiments.exposures import (
    decision_log,
    settle_rewards,
    settled_counts,
)
from recmind.marketing.experiments.metrics import arm_statistics
from recmind.marketing.experiments.repository import Experiment
from recmind.marketing.experiments.stats.bayesian import (
    Posterior,
    compare_to_control,
    probability_best,
)
from recmind.marketing.experiments.stats.frequentist import (
    ArmStats,
    Test,
    conversion_test,
    cuped_test,
    cuped_theta,
    holm,
    pooled,
    revenue_test,
)
from recmind.marketing.experiments.stats.offpolicy import ips, snips
from recmind.marketing.experiments.stats.srm import SrmCheck, srm_check


@dataclass
class ArmReadout:
    """One arm (or the holdout) as the readout shows it."""

    variant: str
    control: bool
    people: int
    conversions: int
    revenue: float = 0.0
    expected_share: float | None = None
    posterior: Posterior | None = None
    probability_best: float | None = None
    allocation: float | None = None
    pending: int = 0

    @property
    def rate(self) -> float | None:
        return self.conversions / self.people if self.people else None

    def to_dict(self) -> dict[str, Any]:
        posterior = None
        if self.posterior is not None:
            low, high = self.posterior.interval()
            posterior = {
                "alpha": self.posterior.alpha,
                "beta": self.posterior.beta,
                "mean": self.posterior.mean,
                "ci_low": low,
                "ci_high": high,
            }
        return {
            "variant": self.variant,
            "control": self.control,
            "people": self.people,
            "conversions": self.conversions,
            "rate": self.rate,
            "revenue": self.revenue,
            "revenue_per_person": self.revenue / self.people if self.people else None,
            "expected_share": self.expected_share,
            "posterior": posterior,
            "probability_best": self.probability_best,
            "allocation": self.allocation,
            "pending": self.pending,
        }


@dataclass
class Readout:
    """Everything one readout says (module docs); :meth:`to_dict` is its JSON."""

    experiment: Experiment
    generated_at: float
    arms: list[ArmReadout]
    holdout: ArmReadout | None = None
    srm: SrmCheck | None = None
    tests: dict[str, list[Test]] = field(default_factory=dict)
    bayesian: list[dict[str, Any]] = field(default_factory=list)
    off_policy: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def blocked(self) -> bool:
        return self.srm is not None and self.srm.mismatch

    @property
    def blocked_reason(self) -> str | None:
        if not self.blocked:
            return None
        assert self.srm is not None
        return (
            f"sample ratio mismatch: the arms hold {self.srm.observed} people where the "
            f"weights expect {[round(e) for e in self.srm.expected]} (chi-square p = "
            f"{self.srm.p_value:.2g} < {self.srm.threshold:g}); find what lost or added "
            "people in an arm before reading any result"
        )

    def to_dict(self) -> dict[str, Any]:
        """The readout as JSON-ready values (non-finite numbers as None)."""
        cleaned: dict[str, Any] = finite(self._dict())
        return cleaned

    def _dict(self) -> dict[str, Any]:
        return {
            "experiment": self.experiment.to_dict(),
            "generated_at": self.generated_at,
            "kind": self.experiment.kind,
            "blocked": self.blocked,
            "blocked_reason": self.blocked_reason,
            "arms": [a.to_dict() for a in self.arms],
            "holdout": None if self.holdout is None else self.holdout.to_dict(),
            "srm": None if self.srm is None else self.srm.to_dict(),
            "tests": {k: [t.to_dict() for t in v] for k, v in self.tests.items()},
            "bayesian": self.bayesian,
            "off_policy": self.off_policy,
            "notes": self.notes,
        }


def finite(value: Any) -> Any:
    """``value`` with every NaN or infinite float (an estimate with nothing to go on)
    replaced by None, as JSON can carry it."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: finite(v) for k, v in value.items()}
    if isinstance(value, list):
        return [finite(v) for v in value]
    return value


def _prior(experiment: Experiment) -> tuple[float, float]:
    return experiment.metrics.prior_alpha, experiment.metrics.prior_beta


def _family(tests: list[Test | None], confidence: float) -> list[Test]:
    return [t for t in holm(tests, confidence) if t is not None]


def _ab_tests(experiment: Experiment, stats: dict[str, ArmStats]) -> dict[str, list[Test]]:
    confidence = experiment.metrics.confidence
    control = stats[experiment.control.name]
    others = [stats[v.name] for v in experiment.variants if not v.control]
    tests = {
        "conversion": _family(
            [conversion_test(v, control, confidence) for v in others], confidence
        ),
        "revenue": _family([revenue_test(v, control, confidence) for v in others], confidence),
    }
    if experiment.metrics.pre_period_days > 0:
        arms = [stats[name] for name in experiment.names]
        theta, everyone = cuped_theta(arms), pooled(arms)
        mean_x = everyone.sum_x / everyone.n if everyone.n else 0.0
        tests["revenue_cuped"] = _family(
            [cuped_test(v, control, confidence, theta, mean_x) for v in others], confidence
        )
    return tests


def _bayesian(experiment: Experiment, arms: list[ArmReadout]) -> list[dict[str, Any]]:
    control = next(a for a in arms if a.control)
    assert control.posterior is not None
    out = []
    for arm in arms:
        if arm.control or arm.posterior is None or not (arm.people and control.people):
            continue
        compared = compare_to_control(arm.variant, arm.posterior, control.posterior)
        out.append(
            {
                "variant": compared.variant,
                "probability_beats_control": compared.probability_beats_control,
                "expected_loss": compared.expected_loss,
                "control_loss": compared.control_loss,
            }
        )
    return out


def _ab_readout(store: Store, experiment: Experiment, now: float) -> Readout:
    stats = arm_statistics(store, experiment, until=now)
    total_weight = sum(v.weight for v in experiment.variants)
    arms = []
    for variant in experiment.variants:
        one = stats[variant.name]
        arms.append(
            ArmReadout(
                variant.name,
                variant.control,
                one.n,
                one.conversions,
                one.sum_y,
                expected_share=variant.weight / total_weight,
                posterior=Posterior.of(one.conversions, one.n, _prior(experiment)),
            )
        )
    best = probability_best([a.posterior for a in arms if a.posterior is not None])
    for arm, chance in zip(arms, best, strict=True):
        arm.probability_best = chance
    held = stats.get(HOLDOUT)
    holdout = (
        None if held is None else ArmReadout(HOLDOUT, False, held.n, held.conversions, held.sum_y)
    )
    srm = srm_check(
        [a.people for a in arms],
        [v.weight for v in experiment.variants],
        experiment.metrics.srm_threshold,
    )
    readout = Readout(experiment, now, arms, holdout, srm)
    if readout.blocked:
        for arm in arms:
            arm.posterior = arm.probability_best = None
        readout.notes.append("blocked: no test is shown while the sample ratio is off")
        return readout
    readout.tests = _ab_tests(experiment, stats)
    readout.bayesian = _bayesian(experiment, arms)
    if any(a.people == 0 for a in arms):
        readout.notes.append("an arm has nobody yet: its tests are missing")
    return readout


def _off_policy(store: Store, experiment: Experiment) -> list[dict[str, Any]]:
    log = decision_log(store, experiment.experiment_id)
    if not log or any(d.propensity is None for d in log):
        return []
    rewards = [d.reward or 0.0 for d in log]
    propensities = [d.propensity or 0.0 for d in log]
    policies = {f"always {name}": {name: 1.0} for name in experiment.names}
    policies["uniform"] = {name: 1 / len(experiment.names) for name in experiment.names}
    confidence = experiment.metrics.confidence
    out = []
    for label, chances in policies.items():
        target = [chances.get(d.variant, 0.0) for d in log]
        out.append(
            {
                "policy": label,
                "ips": ips(rewards, propensities, target, confidence).to_dict(),
                "snips": snips(rewards, propensities, target, confidence).to_dict(),
            }
        )
    return out


def _bandit_readout(store: Store, experiment: Experiment, now: float) -> Readout:
    settle_rewards(store, experiment, now=now)
    counts = settled_counts(store, experiment.experiment_id)
    posteriors = posteriors_of(experiment.names, counts, _prior(experiment))
    allocation = thompson_probabilities(posteriors, experiment.metrics.min_share)
    best = probability_best(posteriors)
    logged = arm_statistics(store, experiment, until=now)
    arms = []
    for index, variant in enumerate(experiment.variants):
        successes, settled = counts.get(variant.name, (0, 0))
        arm = ArmReadout(variant.name, variant.control, settled, successes)
        arm.posterior, arm.probability_best = posteriors[index], best[index]
        arm.allocation = allocation[index]
        arm.pending = logged[variant.name].n - settled
        arm.revenue = logged[variant.name].sum_y
        arms.append(arm)
    held = logged.get(HOLDOUT)
    holdout = (
        None if held is None else ArmReadout(HOLDOUT, False, held.n, held.conversions, held.sum_y)
    )
    readout = Readout(experiment, now, arms, holdout)
    readout.bayesian = _bayesian(experiment, arms)
    readout.off_policy = _off_policy(store, experiment)
    readout.notes.append(
        "bandit: people are moved to what works, so fixed-split tests and the sample-ratio "
        "check do not apply; counts are settled decisions (reward known)"
    )
    return readout


def compute_readout(store: Store, experiment: Experiment, *, now: float | None = None) -> Readout:
    """The readout of ``experiment`` as of ``now`` (module docs)."""
    moment = time.time() if now is None else now
    if experiment.kind == "bandit":
        return _bandit_readout(store, experiment, moment)
    return _ab_readout(store, experiment, moment)
