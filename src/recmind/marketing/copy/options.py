"""How a campaign or a journey's send step asks for generated copy (``copy`` in its
definition)::

    "copy": {"mode": "generated", "variants": 2,
             "offer": {"discount_percent": 15, "code": "SPRING15", "ends": "2025-04-30"},
             "experiment": "spring-copy"}

``variants`` copies are written per language for the whole audience (never per person),
each leading with a different angle, and personalised by slots (the person's name, their
recommended item's title and price). People are split between them by a stable hash, or by
the experiment named (its variants' names are the copies' names; the experiment engine
assigns and logs each person). ``check_each`` runs the claim checker on every person's
filled text too (each variant is always checked once, against facts that hold for everyone).
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

MAX_VARIANTS = 6
ANGLES = (
    "the recommended item and why it suits them",
    "the offer, plainly",
    "a short question that invites them back",
    "what is new at the shop",
    "a warm thank-you for shopping with the shop",
    "the season and the shop's own voice",
)
"""What each variant leads with, in order (variant n takes ``ANGLES[n]``)."""


class Offer(BaseModel):
    """The offer the copy may announce (each value reaches the text through a slot)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    discount_percent: float | None = Field(default=None, gt=0, lt=100)
    code: str | None = Field(default=None, pattern=r"^[A-Za-z0-9_-]{1,32}$")
    ends: date | None = Field(default=None, description="The offer's last day.")
    name: str | None = Field(default=None, max_length=80)

    def empty(self) -> bool:
        return self.discount_percent is None and self.code is None and self.ends is None


class CopyOptions(BaseModel):
    """Generated copy for a campaign or a send step (see the module's docstring)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    mode: Literal["generated", "template"] = Field(
        default="generated", description="generated: written by the model and checked."
    )
    variants: int = Field(
        default=1, ge=1, le=MAX_VARIANTS, description="Copies per language (A/B/n)."
    )
    experiment: str | None = Field(
        default=None,
        pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$",
        description="An experiment whose variants name the copies and assign people.",
    )
    offer: Offer | None = None
    audience: str | None = Field(
        default=None, max_length=300, description="Who the audience is, in words (the prompt)."
    )
    check_each: bool = Field(
        default=False, description="Also check every person's filled text with the checker."
    )

    @property
    def generated(self) -> bool:
        return self.mode == "generated"
