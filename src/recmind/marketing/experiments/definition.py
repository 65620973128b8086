"""The experiment format: its variants (one of them the control), how people are split
(an A/B/n test by fixed weights, or a Thompson-sampling bandit), and what is measured.

An experiment as JSON::

    {"name": "Subject line, spring",
     "experiment_id": "subject-spring",
     "kind": "ab",
     "variants": [{"name": "control", "control": true},
                  {"name": "short", "weight": 1},
                  {"name": "question", "weight": 1}],
     "metrics": {"conversion_event": "purchase", "window_days": 7}}

Without a variant marked ``control`` the first one is the control. ``weight`` sets an A/B
test's shares (a bandit ignores weights: it moves people to what works, never below
``metrics.min_share`` per arm). The name ``holdout`` is reserved: people of the global
holdout are logged under it and are never in an arm. Everything is fixed once the
experiment exists (a readout must compare like with like); a new idea is a new experiment.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from recmind.data.online_checks import text_problem

HOLDOUT = "holdout"
"""The variant name under which people of the global holdout are logged (never an arm)."""
ID_PATTERN = r"^[a-z0-9][a-z0-9_-]{0,63}$"
MAX_VARIANTS = 20
Kind = Literal["ab", "bandit"]
EventType = Literal["view", "click", "add_to_cart", "purchase", "rating", "search"]
"""The store's event types (``recmind.data.bundle.EVENT_TYPES``; a test keeps them equal)."""


def _storable(value: str) -> str:
    if text_problem(value):
        raise ValueError("text the store cannot hold (NUL or unpaired surrogate characters)")
    return value


Text = Annotated[str, AfterValidator(_storable)]
"""Text that reaches the store (refused, naming the field, when the store cannot hold it)."""


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Variant(_Model):
    """One arm: a name that journeys' branches and copy variants refer to."""

    name: str = Field(pattern=ID_PATTERN, description="The variant's name (unique).")
    weight: float = Field(default=1.0, gt=0, le=1e6, description="Share of an A/B/n test.")
    control: bool = Field(default=False, description="The baseline the others are tested against.")
    description: Text | None = Field(default=None, max_length=2000)


class Metrics(_Model):
    """What counts as success, and how the readout tests it."""

    conversion_event: EventType = Field(
        default="purchase",
        description="The event that counts as a conversion (and as a bandit's reward).",
    )
    window_days: float = Field(
        default=7.0,
        gt=0,
        le=365,
        description="A person converts when the event happens this many days after their "
        "first exposure (revenue: purchases in the same window).",
    )
    pre_period_days: float = Field(
        default=30.0,
        ge=0,
        le=365,
        description="CUPED covariate: each person's purchase revenue this many days before "
        "their first exposure (0: no CUPED).",
    )
    confidence: float = Field(
        default=0.95, gt=0.5, lt=1, description="Confidence level of intervals and tests."
    )
    srm_threshold: float = Field(
        default=0.001,
        gt=0,
        lt=0.5,
        description="A sample-ratio-mismatch p-value below this blocks the readout.",
    )
    prior_alpha: float = Field(default=1.0, gt=0, description="Beta prior: successes + 1.")
    prior_beta: float = Field(default=1.0, gt=0, description="Beta prior: failures + 1.")
    min_share: float = Field(
        default=0.05,
        ge=0,
        lt=0.5,
        description="Bandit: each arm is chosen at least this share of the time.",
    )


class ExperimentDefinition(_Model):
    """A new experiment (see the module docs)."""

    name: Text = Field(min_length=1, max_length=200)
    experiment_id: str | None = Field(
        default=None,
        pattern=ID_PATTERN,
        description="Its id (journeys name it in `random_split.experiment`); default: "
        "from the name.",
    )
    kind: Kind = "ab"
    variants: list[Variant] = Field(min_length=2, max_length=MAX_VARIANTS)
    metrics: Metrics = Field(default_factory=Metrics)
    salt: Text | None = Field(
        default=None,
        min_length=1,
        max_length=64,
        description="Key of the sticky hash (default: the id): the same salt and person "
        "always give the same variant.",
    )
    description: Text | None = Field(default=None, max_length=2000)

    @model_validator(mode="after")
    def _check(self) -> ExperimentDefinition:
        names = [v.name for v in self.variants]
        if len(set(names)) != len(names):
            raise ValueError("variant names must be unique")
        if HOLDOUT in names:
            raise ValueError(f"{HOLDOUT!r} is reserved for the global holdout")
        if sum(v.control for v in self.variants) > 1:
            raise ValueError("at most one variant is the control")
        if self.kind == "bandit" and self.metrics.min_share * len(self.variants) > 1:
            raise ValueError("metrics.min_share times the number of variants exceeds 1")
        return self

    def normalised_variants(self) -> list[Variant]:
        """The variants with exactly one control (the first when none is marked)."""
        if any(v.control for v in self.variants):
            return list(self.variants)
        first, *rest = self.variants
        return [first.model_copy(update={"control": True}), *rest]
