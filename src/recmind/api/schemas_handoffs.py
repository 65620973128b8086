"""Schemas of the handoff queue's routes (``/v1/handoffs``)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from recmind.api.stored_text import StoredText


class HandoffOut(BaseModel):
    """A conversation handed to a human."""

    handoff_id: str
    conversation_id: str
    user_id: str | None = Field(description="The bound person; null when anonymous.")
    reason: str = Field(
        description="low_confidence, asked_for_human, complaint, failed_check or other."
    )
    summary: str
    created_at: float
    status: str = Field(description="open, taken or closed.")
    taken_by: str | None
    taken_at: float | None
    closed_at: float | None


class HandoffPage(BaseModel):
    """A page of the queue, oldest first."""

    handoffs: list[HandoffOut]
    limit: int
    offset: int


class TakeIn(BaseModel):
    """Who takes the handoff."""

    model_config = ConfigDict(extra="forbid")

    taken_by: StoredText = Field(
        min_length=1, max_length=255, description="The member of staff taking it."
    )
