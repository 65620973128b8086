"""Bodies of ``/v1/audiences``: likely buyers and look-alikes, the JSON ``recmind
audiences`` prints."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from recmind.api.stored_text import StoredText

MAX_TOP = 1_000_000
MAX_IDS = 100_000


class BuyersIn(BaseModel):
    """Who will buy these items (or in this category) in the next ``window_days``."""

    model_config = ConfigDict(extra="forbid")

    item_ids: list[StoredText] | None = Field(
        default=None,
        min_length=1,
        max_length=MAX_IDS,
        description="Target item ids (give these or `category`).",
    )
    category: StoredText | None = Field(
        default=None,
        min_length=1,
        max_length=255,
        description="Target category, or a parent of it (give this or `item_ids`).",
    )
    as_of: float | None = Field(
        default=None, description="Only events before this moment, epoch seconds (default now)."
    )
    window_days: float = Field(gt=0, le=3660, description="Horizon: buyers in the next N days.")
    top: int = Field(ge=1, le=MAX_TOP, description="How many people to return.")


class LookalikeIn(BaseModel):
    """Who looks like these people."""

    model_config = ConfigDict(extra="forbid")

    seed_user_ids: list[StoredText] = Field(
        min_length=1, max_length=MAX_IDS, description="The seed list (never returned)."
    )
    as_of: float | None = Field(
        default=None, description="Only events before this moment, epoch seconds (default now)."
    )
    top: int = Field(ge=1, le=MAX_TOP, description="How many people to return.")


class AudienceUser(BaseModel):
    user_id: str
    score: float


class AudienceOut(BaseModel):
    """People best first, as of a moment (ISO 8601, UTC)."""

    as_of: str
    users: list[AudienceUser]
