"""Request and response bodies of the experiment routes (``/v1/experiments``).

An experiment's body is :class:`~recmind.marketing.experiments.definition.
ExperimentDefinition` plus ``start``; a readout is :meth:`~recmind.marketing.experiments.
readout.Readout.to_dict` (numbers that cannot be estimated yet are null)."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, Field

from recmind.marketing.experiments.definition import (
    ID_PATTERN,
    ExperimentDefinition,
    Metrics,
    Text,
    Variant,
)

__all__ = [
    "AssignIn",
    "AssignmentOut",
    "ExperimentIn",
    "ExperimentList",
    "ExperimentOut",
    "ReadoutOut",
    "StopIn",
]


ContextKey = Annotated[Text, Field(min_length=1, max_length=64)]
ContextValue = Annotated[Text, Field(max_length=500)] | float | int | bool | None


class ExperimentIn(ExperimentDefinition):
    """A new experiment; ``start``: running at once (else a draft)."""

    start: bool = False

    def definition(self) -> ExperimentDefinition:
        return ExperimentDefinition.model_validate(self.model_dump(exclude={"start"}))


class ExperimentFields(BaseModel):
    """A stored experiment."""

    experiment_id: str
    name: str
    kind: str = Field(description="ab or bandit.")
    status: str = Field(description="draft, running or stopped.")
    variants: list[Variant]
    metrics: Metrics
    salt: str
    description: str | None
    winner: str | None = Field(description="What everyone gets once stopped (null: control).")
    created_at: float
    updated_at: float
    started_at: float | None
    stopped_at: float | None


class ExperimentOut(ExperimentFields):
    """A stored experiment and its logged exposures per variant (``holdout`` included)."""

    exposures: dict[str, int]


class ExperimentList(BaseModel):
    experiments: list[ExperimentOut]


class StopIn(BaseModel):
    """Stop; from then on everyone gets ``winner`` (a variant; null: the control)."""

    winner: str | None = Field(default=None, pattern=ID_PATTERN)


class AssignIn(BaseModel):
    """Ask for a person's variant (logged as an exposure while the experiment runs).
    ``key``: a bandit decides once per key (a message, an impression; default: the person);
    ``context``: stored with the decision (for off-policy evaluation)."""

    user_id: Text = Field(min_length=1, max_length=255)
    key: Text | None = Field(default=None, min_length=1, max_length=255)
    context: dict[str, Text | float | int | bool | None] | None = Field(default=None, max_length=20)


class AssignmentOut(BaseModel):
    experiment_id: str
    user_id: str
    variant: str | None = Field(description="Null: the person is in the global holdout.")
    reason: str = Field(description="assigned, holdout or not_running.")
    propensity: float | None = Field(description="The chance the policy gave this variant.")
    exposure_id: str | None
    at: float | None = Field(description="When the person was first assigned this way.")
    new: bool = Field(description="False: this decision was logged before.")


class PosteriorOut(BaseModel):
    alpha: float
    beta: float
    mean: float
    ci_low: float
    ci_high: float


class ArmOut(BaseModel):
    variant: str
    control: bool
    people: int = Field(description="A/B: people exposed; bandit: settled decisions.")
    conversions: int
    rate: float | None
    revenue: float
    revenue_per_person: float | None
    expected_share: float | None
    posterior: PosteriorOut | None
    probability_best: float | None
    allocation: float | None = Field(description="Bandit: its chance of being chosen now.")
    pending: int = Field(description="Bandit: decisions whose reward is not known yet.")


class SrmOut(BaseModel):
    observed: list[int]
    expected: list[float]
    chi2: float
    p_value: float
    threshold: float
    mismatch: bool


class ComparisonOut(BaseModel):
    variant: str
    metric: str = Field(description="conversion, revenue or revenue_cuped.")
    variant_value: float | None
    control_value: float | None
    difference: float | None
    relative: float | None
    ci_low: float | None
    ci_high: float | None
    statistic: float | None
    p_value: float | None
    p_adjusted: float | None = Field(description="Holm-adjusted across the variants.")
    significant: bool
    theta: float | None = None
    variance_reduction: float | None = None


class BayesOut(BaseModel):
    variant: str
    probability_beats_control: float | None
    expected_loss: float | None
    control_loss: float | None


class EstimateOut(BaseModel):
    estimator: str
    value: float | None
    standard_error: float | None
    ci_low: float | None
    ci_high: float | None
    decisions: int
    effective_sample_size: float | None


class OffPolicyOut(BaseModel):
    policy: str
    ips: EstimateOut
    snips: EstimateOut


class ReadoutOut(BaseModel):
    """A readout (see docs/experiments.md for what each number means)."""

    experiment: ExperimentFields
    generated_at: float
    kind: str
    blocked: bool = Field(description="True: a sample-ratio mismatch; no test is shown.")
    blocked_reason: str | None
    arms: list[ArmOut]
    holdout: ArmOut | None
    srm: SrmOut | None
    tests: dict[str, list[ComparisonOut]]
    bayesian: list[BayesOut]
    off_policy: list[OffPolicyOut]
    notes: list[str]
