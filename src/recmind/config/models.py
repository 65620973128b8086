"""Settings of the model registry: ``Settings.models``, environment prefix ``RECMIND_MODELS__``."""

from __future__ import annotations

from pydantic import BaseModel, Field


class ModelsSettings(BaseModel):
    """How many trained versions the registry under ``<home>/models`` keeps."""

    keep_versions: int = Field(
        default=5,
        ge=1,
        description="Trained model versions the registry keeps; older ones are pruned, and "
        "with them the copies of people's histories they hold.",
    )
