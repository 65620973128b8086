"""Settings of the online serving engine (environment prefix ``RECMIND_SERVING__``)."""

from __future__ import annotations

from pydantic import BaseModel, Field


class ServingSettings(BaseModel):
    """How the served model is loaded, refreshed and combined with live data."""

    reload_seconds: float = Field(
        default=2.0,
        gt=0,
        description="How often the server checks the registry for a newly published version.",
    )
    history_events: int = Field(
        default=200, ge=1, description="Latest events of a user read at request time."
    )
