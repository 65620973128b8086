"""Settings of customer intelligence and segments: ``Settings.customers``, environment prefix
``RECMIND_CUSTOMERS__``."""

from __future__ import annotations

from pydantic import BaseModel, Field


class CustomerSettings(BaseModel):
    """How customer features, predictions and segment memberships are kept up to date."""

    horizon_days: float = Field(
        default=90.0,
        gt=0,
        le=3650,
        description="Horizon of the lifetime-value predictions in days: expected purchases and "
        "spend over it, and churn risk as the chance of no purchase in it.",
    )
    refresh_seconds: float = Field(
        default=300.0,
        ge=0,
        description="How often `recmind serve` brings customer features up to the clock from "
        "the event stream (incremental: only people with new events, or events leaving a "
        "window, are recomputed) and then refreshes every segment's membership; 0 turns it "
        "off (run `recmind customers build` and `recmind segments refresh` from a scheduler).",
    )
    predict_seconds: float = Field(
        default=86_400.0,
        ge=0,
        description="How often `recmind serve` refits the lifetime-value models and rewrites "
        "the predictions (a fit takes seconds to minutes); 0 turns it off.",
    )
