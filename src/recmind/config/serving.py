"""Settings of the online serving engine: ``Settings.serving``, environment prefix
``RECMIND_SERVING__``."""

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
    cache_users: int = Field(
        default=100_000,
        ge=0,
        description="Ranked lists kept in memory (one per person; 0 turns the cache off). An "
        "entry is keyed by the model version and the person's history at request time, so a "
        "new event always recomputes.",
    )
    cache_depth: int = Field(
        default=500,
        ge=1,
        description="Items kept per cached list; filters that leave fewer than k of them "
        "recompute the whole ranking.",
    )
    precompute_users: int = Field(
        default=100_000,
        ge=0,
        description="Most recently active people whose lists are computed when a version is "
        "loaded, before it serves (so the first request of each is a cache hit).",
    )
    warm_in_child: bool = Field(
        default=True,
        description="When a new version loads while another serves, rank people for it in "
        "a low-priority child process, so requests keep the server's CPU and GIL.",
    )
    fresh_share: float = Field(
        default=0.2,
        ge=0,
        le=1,
        description="Largest share of a list's slots that items created after the model was "
        "trained may take (ceil(k * share)), placed evenly through the list.",
    )
    fresh_min_similarity: float = Field(
        default=0.2,
        ge=-1,
        le=1,
        description="Cosine between a new item's text and the person's recent history (or "
        "the item, for similar items) needed to include it.",
    )
    fresh_quantile: float = Field(
        default=0.9,
        ge=0,
        le=1,
        description="A new item must also be closer to that history (or item) than this "
        "share of the catalogue's other items are: a bar relative to the encoder's scale.",
    )
    fresh_half_life_events: float = Field(
        default=3.0,
        gt=0,
        description="History item this many events older than the newest weighs half in the "
        "text vector that places new items.",
    )
    load_retry_seconds: float = Field(
        default=5.0,
        gt=0,
        description="After a version fails to load, wait this long before the first retry; "
        "each further failure doubles the wait (the previous version keeps serving).",
    )
    load_retry_max_seconds: float = Field(
        default=300.0,
        gt=0,
        description="Longest wait between retries of a version that fails to load.",
    )
