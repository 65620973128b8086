"""Who gets which variant: sticky hashing for A/B/n tests, Thompson sampling for bandits,
and the global holdout before both.

**Sticky hashing.** A person's place is a number in [0, 1) from HMAC-SHA256 of their id
under the experiment's salt; the variants cover [0, 1) in order, each a slice as wide as
its share of the weights. The same person always lands in the same variant (on any
worker, after any restart, with no table to look up), different experiments (different
salts) split people independently of each other and of the global holdout, and the shares
follow the weights. The first assignment is logged (once per person: the decision key is
the person), so the readout knows who was exposed and when.

**The global holdout.** People of the marketing holdout
(:func:`recmind.marketing.policy.holdout.in_holdout`) are never put in an arm: they are
logged under the variant ``holdout`` (so a readout can show how people without any message
fared) and get no variant. A journey sends them down the control's branch, where the
send-time rules skip their message.

**Not running.** A draft or stopped experiment assigns everyone its resting variant (the
control, or the winner named when it was stopped) and logs nothing.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from recmind.config import Settings
from recmind.data.store import Store
from recmind.marketing.experiments.bandit import (
    decision_rng,
    posteriors_of,
    thompson_choice,
    thompson_probabilities,
)
from recmind.marketing.experiments.definition import HOLDOUT, Variant
from recmind.marketing.experiments.exposures import (
    Exposure,
    log_exposure,
    new_exposure_id,
    settle_rewards,
    settled_counts,
)
from recmind.marketing.experiments.repository import Experiment
from recmind.marketing.experiments.stats.bayesian import Posterior
from recmind.marketing.policy.holdout import in_holdout

_SCALE = 1.0 / float(1 << 64)


def hash_point(salt: str, user_id: str) -> float:
    """The person's stable place in [0, 1) under ``salt``."""
    digest = hmac.new(salt.encode(), str(user_id).encode(), hashlib.sha256).digest()
    return int.from_bytes(digest[:8], "big") * _SCALE


def sticky_variant(experiment: Experiment, user_id: str) -> Variant:
    """The variant of ``user_id`` by weight (module docs)."""
    point = hash_point(experiment.salt, user_id) * sum(v.weight for v in experiment.variants)
    for variant in experiment.variants:
        point -= variant.weight
        if point < 0:
            return variant
    return experiment.variants[-1]


@dataclass(frozen=True)
class Assignment:
    """What a person gets: ``variant`` (None: held out, no arm) and why (``reason``)."""

    experiment_id: str
    user_id: str
    variant: str | None
    reason: Literal["assigned", "holdout", "not_running"]
    propensity: float | None = None
    exposure: Exposure | None = None
    new: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "experiment_id": self.experiment_id,
            "user_id": self.user_id,
            "variant": self.variant,
            "reason": self.reason,
            "propensity": self.propensity,
            "exposure_id": None if self.exposure is None else self.exposure.exposure_id,
            "at": None if self.exposure is None else self.exposure.at,
            "new": self.new,
        }


def bandit_posteriors(store: Store, experiment: Experiment, *, now: float) -> list[Posterior]:
    """Settle what can be settled, then each arm's posterior (in variant order)."""
    settle_rewards(store, experiment, now=now)
    metrics = experiment.metrics
    counts = settled_counts(store, experiment.experiment_id)
    return posteriors_of(experiment.names, counts, (metrics.prior_alpha, metrics.prior_beta))


def _choose(
    store: Store,
    experiment: Experiment,
    key: str,
    *,
    now: float,
    posteriors: list[Posterior] | None,
    rng: np.random.Generator | None,
) -> tuple[str, float]:
    if experiment.kind == "ab":
        variant = sticky_variant(experiment, key)
        return variant.name, variant.weight / sum(v.weight for v in experiment.variants)
    arms = posteriors if posteriors is not None else bandit_posteriors(store, experiment, now=now)
    share = experiment.metrics.min_share
    index = thompson_choice(arms, share, rng or decision_rng(experiment.salt, key))
    return experiment.names[index], thompson_probabilities(arms, share)[index]


def assign(
    store: Store,
    settings: Settings,
    experiment: Experiment,
    user_id: str,
    *,
    now: float,
    key: str | None = None,
    context: dict[str, Any] | None = None,
    posteriors: list[Posterior] | None = None,
    rng: np.random.Generator | None = None,
) -> Assignment:
    """The variant of ``user_id``, logged. ``key``: the decision key (an A/B test always
    uses the person; a bandit decides once per key, default the person, so a message or
    an impression can each be one decision). ``posteriors``: a bandit's arms as the caller
    already knows them (default: read from the store); ``rng``: the decision's random
    numbers (default: seeded by salt and key)."""
    eid = experiment.experiment_id
    if experiment.status != "running":
        return Assignment(eid, user_id, experiment.resting_variant, "not_running")
    decision_key = user_id if experiment.kind == "ab" or key is None else key
    exposure = Exposure(new_exposure_id(), eid, decision_key, user_id, HOLDOUT, now, None, context)
    if in_holdout(user_id, settings):
        stored, new = log_exposure(store, exposure)
        return Assignment(eid, user_id, None, "holdout", None, stored, new)
    name, propensity = _choose(
        store, experiment, decision_key, now=now, posteriors=posteriors, rng=rng
    )
    stored, new = log_exposure(
        store,
        Exposure(exposure.exposure_id, eid, decision_key, user_id, name, now, propensity, context),
    )
    if stored.variant == HOLDOUT:  # held out when first seen (the holdout was larger then)
        return Assignment(eid, user_id, None, "holdout", None, stored, new)
    return Assignment(eid, user_id, stored.variant, "assigned", stored.propensity, stored, new)
