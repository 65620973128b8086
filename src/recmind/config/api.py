"""Settings of the REST service: ``Settings.api``, environment prefix ``RECMIND_API__``."""

from __future__ import annotations

from pydantic import BaseModel, Field

DEFAULT_SECRET = "recmind-development-secret-change-me"
"""The secret shipped in the code: accepted only in development mode."""


class ApiSettings(BaseModel):
    """How ``recmind serve`` listens, authenticates and protects itself."""

    host: str = Field(default="127.0.0.1", description="Interface to listen on.")
    port: int = Field(default=8000, ge=1, le=65535, description="TCP port.")
    secret: str = Field(
        default=DEFAULT_SECRET,
        description="Server secret (keys API keys' hashes). Set RECMIND_API__SECRET; the "
        "server refuses to start with the default outside development mode.",
    )
    dev_mode: bool = Field(
        default=False, description="Development mode: allows the default secret."
    )
    cors_origins: list[str] = Field(
        default_factory=list, description="Origins allowed by CORS (empty: CORS off)."
    )
    rate_limit_per_second: float = Field(
        default=500.0, gt=0, description="Sustained requests per second allowed per API key."
    )
    rate_limit_burst: int = Field(
        default=1000, ge=1, description="Requests a key may send at once above the rate."
    )
    max_body_bytes: int = Field(
        default=16 * 1024 * 1024, ge=1024, description="Largest request body accepted."
    )
    max_batch_events: int = Field(
        default=10_000, ge=1, description="Most events accepted in one POST /v1/events."
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
