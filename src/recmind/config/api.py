"""Settings of the REST service: ``Settings.api``, environment prefix ``RECMIND_API__``."""

from __future__ import annotations

from pydantic import BaseModel, Field

DEFAULT_SECRET = "recmind-development-secret-change-me"
"""The secret shipped in the code: accepted only in development mode."""

LIST_CEILING = 10_000
"""No list limit below can be set higher than this."""


class ApiSettings(BaseModel):
    """How ``recmind serve`` listens, authenticates and protects itself."""

    host: str = Field(
        default="127.0.0.1", description="Interface `recmind serve` listens on (`--host` wins)."
    )
    port: int = Field(
        default=8000,
        ge=1,
        le=65535,
        description="TCP port `recmind serve` listens on (`--port` wins).",
    )
    secret: str = Field(
        default=DEFAULT_SECRET,
        json_schema_extra={"default_text": "built-in (development only)"},
        description="Server secret: API keys are stored as HMAC-SHA256 under it. The server "
        "refuses to start with the built-in one unless RECMIND_API__DEV_MODE=true.",
    )
    dev_mode: bool = Field(
        default=False, description="Development mode: allows the default secret."
    )
    cors_origins: list[str] = Field(
        default_factory=list,
        description='Origins allowed by CORS, a JSON list such as ["https://shop.example"] '
        "(empty: CORS off).",
    )
    rate_limit_per_second: float = Field(
        default=500.0,
        gt=0,
        description="Sustained requests per second allowed per API key (token bucket; 429 "
        "with Retry-After above it).",
    )
    rate_limit_burst: int = Field(
        default=1000, ge=1, description="Requests a key may send at once above the rate."
    )
    max_body_bytes: int = Field(
        default=16 * 1024 * 1024,
        ge=1024,
        description="Largest request body accepted, in bytes (413 above it).",
    )
    max_batch_events: int = Field(
        default=10_000,
        ge=1,
        description="Most events accepted in one POST /v1/events (422 above it).",
    )
    key_cache_seconds: float = Field(
        default=5.0,
        ge=0,
        description="How long a verified API key is trusted without asking the store again "
        "(a key revoked by another process stops working within this time).",
    )
    log_requests: bool = Field(
        default=True, description="Write one JSON log line per request (logger recmind.api)."
    )
    profile_cache_seconds: float = Field(
        default=60.0,
        ge=0,
        description="How long the catalogue-wide part of user profiles (item tags, tag "
        "prevalence) is reused before being recomputed.",
    )
    max_filter_categories: int = Field(
        default=100,
        ge=1,
        le=LIST_CEILING,
        description="Most `category` values in one recommendation request (422 past it).",
    )
    max_exclude_items: int = Field(
        default=1000,
        ge=1,
        le=LIST_CEILING,
        description="Most `exclude` item ids in one recommendation request (422 past it).",
    )
    max_session_items: int = Field(
        default=1000,
        ge=1,
        le=LIST_CEILING,
        description="Most `item_ids` in one anonymous-session request (422 past it).",
    )
    generation_queue: int = Field(
        default=32,
        ge=1,
        description="Portrait and explanation-sentence jobs that may wait for the language "
        "model; past it such requests get 503 with Retry-After.",
    )
    generation_results_kept: int = Field(
        default=10_000,
        ge=0,
        description="Finished generation jobs (and explanation sentences) kept in memory.",
    )
    quarantine_max_bytes: int = Field(
        default=64 * 1024 * 1024,
        ge=1024,
        description="Most bytes the online quarantine (rows rejected by the API) may hold; "
        "past it the oldest rows are dropped and counted "
        "(recmind_quarantine_rows_dropped_total).",
    )
