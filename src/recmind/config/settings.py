"""The root of the settings tree: ``Settings`` and the process-wide ``get_settings()``."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from recmind.config.api import ApiSettings
from recmind.config.assistant import AssistantSettings
from recmind.config.customers import CustomerSettings
from recmind.config.encoders import DEFAULT_ENCODER, EncoderName
from recmind.config.llm import LLMSettings
from recmind.config.marketing import MarketingSettings
from recmind.config.models import ModelsSettings
from recmind.config.serving import ServingSettings


class Settings(BaseSettings):
    """Runtime configuration.

    Every field can be set with an environment variable named ``RECMIND_<FIELD>``
    (for example ``RECMIND_DB_URL``) or in a ``.env`` file in the working directory; a field
    of a section is ``RECMIND_<SECTION>__<FIELD>`` (for example ``RECMIND_LLM__BACKEND``).
    """

    model_config = SettingsConfigDict(
        env_prefix="RECMIND_", env_file=".env", env_nested_delimiter="__", extra="ignore"
    )

    home: Path = Field(
        default=Path("./var"),
        description="Holds the embedded database, trained models, caches, reports and "
        "quarantine files.",
    )
    db_url: str | None = Field(
        default=None,
        json_schema_extra={"default_text": "sqlite:///<home>/recmind.db"},
        description="SQLAlchemy URL of the store (SQLite or PostgreSQL, e.g. "
        "postgresql+psycopg://user@host:5432/dbname).",
    )
    rating_min: float = Field(default=0.5, description="Lowest valid rating (events and reviews).")
    rating_max: float = Field(default=5.0, description="Highest valid rating (events and reviews).")
    future_tolerance_seconds: float = Field(
        default=300.0,
        description="How far past the current clock a timestamp may lie (clock skew) before it "
        "is rejected as being in the future.",
    )
    default_model: str = Field(
        default="hybrid",
        description="Model that `recmind train` fits when no name is given.",
    )
    seed: int = Field(default=42, description="Seed for splits, tie-breaking and model training.")
    encoder: EncoderName = DEFAULT_ENCODER

    api: ApiSettings = Field(
        default_factory=ApiSettings, description="REST service (RECMIND_API__PORT, ...)."
    )
    serving: ServingSettings = Field(
        default_factory=ServingSettings,
        description="Online serving engine (RECMIND_SERVING__RELOAD_SECONDS, ...).",
    )
    llm: LLMSettings = Field(
        default_factory=LLMSettings,
        description="Text generation (RECMIND_LLM__BACKEND, RECMIND_LLM__BASE_URL, ...).",
    )
    models: ModelsSettings = Field(
        default_factory=ModelsSettings,
        description="Model registry (RECMIND_MODELS__KEEP_VERSIONS).",
    )
    customers: CustomerSettings = Field(
        default_factory=CustomerSettings,
        description="Customer features, predictions and segments "
        "(RECMIND_CUSTOMERS__REFRESH_SECONDS, ...).",
    )
    marketing: MarketingSettings = Field(
        default_factory=MarketingSettings,
        description="Journeys, campaigns, channels, consent and pressure "
        "(RECMIND_MARKETING__SMTP__HOST, RECMIND_MARKETING__HOLDOUT_PERCENT, ...).",
    )
    assistant: AssistantSettings = Field(
        default_factory=AssistantSettings,
        description="Customer-service assistant (RECMIND_ASSISTANT__RETRIEVAL__RRF_K, ...).",
    )

    @property
    def resolved_db_url(self) -> str:
        """The store URL, defaulting to a SQLite file under ``home``."""
        if self.db_url:
            return self.db_url
        return f"sqlite:///{(self.home / 'recmind.db').resolve()}"

    @property
    def models_dir(self) -> Path:
        return self.home / "models"

    @property
    def quarantine_dir(self) -> Path:
        return self.home / "quarantine"

    @property
    def reports_dir(self) -> Path:
        return self.home / "reports"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings (cached; call ``get_settings.cache_clear()`` in tests)."""
    return Settings()
