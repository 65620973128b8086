"""Bodies of ``POST /v1/segments/draft``: a request in words in, a validated rule out."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

MAX_REQUEST_CHARS = 500
"""Longest request accepted, as ``recmind.marketing.drafting.draft.MAX_REQUEST_CHARS`` (a test
keeps them equal): defined here too because the typed client imports these bodies and must
not import the drafting module (numpy, the LLM layer)."""


class DraftIn(BaseModel):
    """Who the segment should hold, in plain English or Chinese."""

    model_config = ConfigDict(extra="forbid")

    text: str = Field(
        min_length=1,
        max_length=MAX_REQUEST_CHARS,
        description="The request, e.g. people who haven't bought in 60 days.",
        examples=["customers who bought coffee in the last 30 days"],
    )
    as_of: float | None = Field(
        default=None, description="Moment of the count, epoch seconds (default now)."
    )


class DraftOut(BaseModel):
    """A drafted rule that passed validation, for a person to approve (nothing is stored:
    ``POST /v1/segments`` stores it)."""

    request: str
    rule: dict[str, Any] = Field(description="The validated rule (the segment rule format).")
    in_words: str = Field(description="The rule in plain English.")
    count: int = Field(description="Customers the rule selects at `as_of`.")
    as_of: float
    attempts: int = Field(description="Generations it took (2 after a rejected answer).")
    rejected: list[str] = Field(description="Why earlier answers were rejected.")
    model: str
    seconds: float = Field(description="Time the model took.")
