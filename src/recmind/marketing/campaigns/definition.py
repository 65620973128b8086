"""The campaign format: who (an audience), how (a channel and a template), with which items
(per-person recommendations), and when (optional: without ``schedule_at`` a campaign is a
draft until it is scheduled or sent).

A campaign as JSON::

    {"name": "Spring newsletter",
     "audience": {"type": "segment", "segment": "active-buyers"},
     "channel": "email",
     "template": "newsletter",
     "recommendations": {"source": "personal", "count": 4},
     "context": {"headline": "Spring is here", "intro": "Our new collection just arrived."},
     "schedule_at": "2025-04-01T09:00:00+02:00"}

Audiences: ``segment`` (its members when the campaign runs), ``users`` (a list of ids),
``buyers`` (the likely buyers of items or a category in the next days, from
:mod:`recmind.marketing.audiences`) and ``lookalike`` (people like the members of a seed list
or segment). ``context`` is the shop's own words for the template (a headline, an intro):
text only, never facts about items, which come from the catalogue. ``copy`` asks for
generated copy instead (:mod:`recmind.marketing.copy.options`): ``{"mode": "generated",
"variants": 2, "offer": {...}}``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)

from recmind.data.online_checks import text_problem
from recmind.marketing.copy.options import CopyOptions

MAX_USERS = 1_000_000
"""The longest explicit list of people a campaign may name."""
CONTEXT_KEYS = 20
CONTEXT_CHARS = 2000


def _storable(value: str) -> str:
    if text_problem(value):
        raise ValueError("text the store cannot hold (NUL or unpaired surrogate characters)")
    return value


Text = Annotated[str, AfterValidator(_storable)]
"""Text that reaches the store (refused, naming the field, when the store cannot hold it)."""


def check_moment(value: datetime) -> float:
    """Epoch seconds of ``value``; ValueError without a time zone (a moment would depend on
    the server's zone)."""
    if value.tzinfo is None:
        raise ValueError("give a time zone (e.g. 2025-04-01T09:00:00+02:00 or ...Z)")
    return value.timestamp()


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SegmentAudience(_Model):
    """The segment's members at the moment the campaign runs."""

    type: Literal["segment"]
    segment: Text = Field(min_length=1, max_length=64, description="The segment's id.")


class UsersAudience(_Model):
    """An explicit list of people."""

    type: Literal["users"]
    user_ids: list[Annotated[Text, Field(min_length=1, max_length=255)]] = Field(
        min_length=1, max_length=MAX_USERS
    )

    @field_validator("user_ids")
    @classmethod
    def _unique(cls, value: list[str]) -> list[str]:
        return list(dict.fromkeys(value))


class BuyersAudience(_Model):
    """The ``top`` likeliest buyers of ``items`` or of ``category`` (exactly one) in the
    ``window_days`` after the campaign starts."""

    type: Literal["buyers"]
    items: list[Annotated[Text, Field(min_length=1, max_length=255)]] | None = Field(
        default=None, min_length=1, max_length=10_000
    )
    category: Text | None = Field(default=None, min_length=1, max_length=500)
    window_days: float = Field(default=14.0, gt=0, le=365)
    top: int = Field(default=1000, ge=1, le=MAX_USERS)

    @model_validator(mode="after")
    def _one_target(self) -> BuyersAudience:
        if (self.items is None) == (self.category is None):
            raise ValueError("give exactly one of items and category")
        return self


class LookalikeAudience(_Model):
    """The ``top`` people most like the seeds (a list of ids or a segment's members)."""

    type: Literal["lookalike"]
    seeds: list[Annotated[Text, Field(min_length=1, max_length=255)]] | None = Field(
        default=None, min_length=1, max_length=MAX_USERS
    )
    seed_segment: Text | None = Field(default=None, min_length=1, max_length=64)
    top: int = Field(default=1000, ge=1, le=MAX_USERS)

    @model_validator(mode="after")
    def _one_seed(self) -> LookalikeAudience:
        if (self.seeds is None) == (self.seed_segment is None):
            raise ValueError("give exactly one of seeds and seed_segment")
        return self


Audience = Annotated[
    SegmentAudience | UsersAudience | BuyersAudience | LookalikeAudience,
    Field(discriminator="type"),
]


class CampaignRecommendations(_Model):
    """The items of each person's message: ``personal`` (the served model's list),
    ``similar`` / ``complements`` (around the person's latest item or purchase),
    ``new_arrivals`` (in their categories) or ``replenish`` (their repeat purchases due
    again). ``count`` 0: no items."""

    source: Literal["personal", "similar", "complements", "new_arrivals", "replenish"] = "personal"
    count: int = Field(default=4, ge=0, le=20)
    in_stock_only: bool = True


class CampaignDefinition(_Model):
    """A campaign (see the module's docstring)."""

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        validate_by_name=True,
        validate_by_alias=True,
        serialize_by_alias=True,
    )

    name: Text = Field(min_length=1, max_length=200)
    audience: Audience
    channel: Literal["email", "webhook", "onsite"] = "email"
    template: Text = Field(min_length=1, max_length=64)
    recommendations: CampaignRecommendations = Field(default_factory=CampaignRecommendations)
    context: dict[Annotated[Text, Field(max_length=64)], Text] = Field(
        default_factory=dict,
        description="The shop's own words for the template (headline, intro).",
    )
    schedule_at: datetime | None = Field(
        default=None, description="When to send (ISO 8601 with a time zone); none: a draft."
    )
    copy_options: CopyOptions | None = Field(
        default=None,
        alias="copy",
        exclude_if=lambda value: value is None,
        description="Generated copy instead of the template's words: variants per language, "
        "personalised by slots, every claim checked (recmind.marketing.copy.options).",
    )

    @field_validator("context")
    @classmethod
    def _short_context(cls, value: dict[str, str]) -> dict[str, str]:
        if len(value) > CONTEXT_KEYS:
            raise ValueError(f"at most {CONTEXT_KEYS} entries")
        for key, text in value.items():
            if len(text) > CONTEXT_CHARS:
                raise ValueError(f"{key!r} is longer than {CONTEXT_CHARS} characters")
        return value

    @field_validator("schedule_at")
    @classmethod
    def _aware(cls, value: datetime | None) -> datetime | None:
        if value is not None:
            check_moment(value)
        return value

    @property
    def scheduled_at(self) -> float | None:
        return None if self.schedule_at is None else self.schedule_at.timestamp()

    def stored(self) -> dict[str, Any]:
        """The JSON kept in ``campaigns.definition`` (the schedule lives in its column)."""
        return self.model_dump(mode="json", exclude={"schedule_at"})
