"""Request and answer bodies of ``/v1/copy`` (generated marketing copy)."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from recmind.api.stored_text import StoredText
from recmind.marketing.copy.kinds import CopyKind


class OfferIn(BaseModel):
    """The offer the copy may announce (each value reaches the text through a slot)."""

    model_config = ConfigDict(extra="forbid")

    discount_percent: float | None = Field(default=None, gt=0, lt=100)
    code: str | None = Field(default=None, pattern=r"^[A-Za-z0-9_-]{1,32}$")
    ends: date | None = Field(default=None, description="The offer's last day.")
    name: StoredText | None = Field(default=None, max_length=80)


class CopyIn(BaseModel):
    """What to write, about what, for whom."""

    model_config = ConfigDict(extra="forbid")

    type: CopyKind = Field(description="email, push, sms, ad, slogan, description, review-reply.")
    item_ids: list[StoredText] = Field(
        default_factory=list,
        max_length=4,
        description="Items to write about (default for a person: their recommendations).",
    )
    user_id: StoredText | None = Field(
        default=None, min_length=1, max_length=255, description="The person it is for."
    )
    review_id: StoredText | None = Field(
        default=None, min_length=1, max_length=255, description="The review a reply answers."
    )
    language: Literal["en", "zh"] | None = Field(
        default=None, description="Default: the person's, else the brand's."
    )
    offer: OfferIn | None = None
    llm: bool = Field(
        default=True, description="false: the template fallback only (answered at once)."
    )


class ClaimOut(BaseModel):
    """One claim of the final text and why the facts support it."""

    text: str
    kind: str
    supported: bool
    reason: str


class CopyOut(BaseModel):
    """Copy that passed the claim checker (``source`` llm or fallback), or why none did
    (``source`` rejected, ``parts`` empty, ``reasons`` say why)."""

    kind: str
    language: str
    source: Literal["llm", "fallback", "rejected"]
    parts: dict[str, str] = Field(description="Each part as a reader sees it (slots filled).")
    template: dict[str, str] = Field(description="The same with its slots.")
    attempts: int
    rejected: list[list[str]] = Field(description="Why each rejected generation was rejected.")
    claims: list[ClaimOut]
    cut: list[str] = Field(description="Parts cut to their length limit.")
    seconds: float
    llm_calls: int
    model: str
    reasons: list[str]
    edited: list[str] = Field(
        default_factory=list,
        description="Why sentences were cut out of the generation sent (empty: as written).",
    )
