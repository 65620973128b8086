"""The shop's brand profile, kept in the store: how copy sounds and what it may promise.

A profile holds the shop's name, the tone in a few words, words copy must never use, a few
example texts in the shop's voice, the default language, and the shop's policies (free
shipping over an amount, days to return, a warranty...): the only promises copy may make
besides the offer it is given. Example::

    {"name": "Harbor & Pine", "tone": "warm, plain, confident",
     "avoid": ["cheap", "amazing"], "examples": ["Layer up for autumn."],
     "language": "en", "policies": {"free_shipping_over": 75, "returns_days": 30}}

A store without a profile gets :func:`default_brand`: the shop's name from the settings, a
neutral tone, no policies (so no shipping or returns promise is ever supported).
"""

from __future__ import annotations

import hashlib
import time
from typing import Annotated, Any, Literal

import orjson
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator
from sqlalchemy import select

from recmind.config.settings import Settings
from recmind.data.online_checks import text_problem
from recmind.data.schema import brand_profiles
from recmind.data.store import Store
from recmind.data.write_lock import write_lock

DEFAULT_BRAND = "default"
Language = Literal["en", "zh"]
LANGUAGES: tuple[Language, ...] = ("en", "zh")


def _storable(value: str) -> str:
    if text_problem(value):
        raise ValueError("text the store cannot hold (NUL or unpaired surrogate characters)")
    return value


Text = Annotated[str, AfterValidator(_storable)]


class BrandProfile(BaseModel):
    """The shop's voice and promises (see the module's docstring)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: Text = Field(min_length=1, max_length=120, description="The shop's name in copy.")
    tone: Text = Field(
        default="friendly, clear, honest",
        max_length=300,
        description="The tone in a few words (said to the model).",
    )
    avoid: list[Annotated[Text, Field(min_length=1, max_length=60)]] = Field(
        default_factory=list,
        max_length=100,
        description="Words and phrases copy must never use (checked after generation).",
    )
    examples: list[Annotated[Text, Field(min_length=1, max_length=500)]] = Field(
        default_factory=list,
        max_length=5,
        description="A few texts in the shop's voice (shown to the model as style only).",
    )
    language: Language = Field(
        default="en", description="Language of people whose own is unknown (en or zh)."
    )
    policies: dict[Annotated[Text, Field(max_length=64)], Any] = Field(
        default_factory=dict,
        description="Promises copy may make: free_shipping_over (amount; 0: always free), "
        "returns_days, free_returns, warranty_years, ... (anything else: none).",
    )

    @field_validator("avoid")
    @classmethod
    def _unique(cls, value: list[str]) -> list[str]:
        return list(dict.fromkeys(w.strip() for w in value if w.strip()))

    @field_validator("policies")
    @classmethod
    def _plain(cls, value: dict[str, Any]) -> dict[str, Any]:
        for key, item in value.items():
            if not isinstance(item, bool | int | float | str) and item is not None:
                raise ValueError(f"policy {key!r}: a number, a string or true/false")
        return value

    def version(self) -> str:
        """A short digest of the profile (part of every cache key that depends on it)."""
        payload = orjson.dumps(self.model_dump(mode="json"), option=orjson.OPT_SORT_KEYS)
        return hashlib.sha256(payload).hexdigest()[:16]

    def avoided_in(self, text: str) -> list[str]:
        """The avoided words that occur in ``text`` (case-insensitive, whole words for
        Latin script)."""
        lowered = f" {' '.join(text.lower().split())} "
        found = []
        for word in self.avoid:
            key = word.lower()
            if key.isascii():
                padded = [f"{c}{key}{d}" for c in " \"'(" for d in " .,;:!?\"')"]
                if any(p in lowered for p in padded):
                    found.append(word)
            elif key in lowered:
                found.append(word)
        return found


def default_brand(settings: Settings) -> BrandProfile:
    """The profile of a store that has none: the shop's name, a neutral tone, no policies."""
    return BrandProfile(name=settings.marketing.shop_name)


def get_brand(store: Store, settings: Settings, brand_id: str = DEFAULT_BRAND) -> BrandProfile:
    """The stored profile (the default one when none is stored)."""
    with store.engine.connect() as connection:
        row = connection.execute(
            select(brand_profiles.c.profile).where(brand_profiles.c.brand_id == brand_id)
        ).first()
    if row is None:
        return default_brand(settings)
    return BrandProfile.model_validate_json(row[0])


def stored_brand(store: Store, brand_id: str = DEFAULT_BRAND) -> tuple[BrandProfile, float] | None:
    """The stored profile and when it was set, or None."""
    with store.engine.connect() as connection:
        row = connection.execute(
            select(brand_profiles.c.profile, brand_profiles.c.updated_at).where(
                brand_profiles.c.brand_id == brand_id
            )
        ).first()
    if row is None:
        return None
    return BrandProfile.model_validate_json(row[0]), float(row[1])


def set_brand(
    store: Store,
    profile: BrandProfile,
    *,
    brand_id: str = DEFAULT_BRAND,
    now: float | None = None,
) -> None:
    """Store ``profile`` (replacing the one stored)."""
    text = profile.model_dump_json()
    moment = time.time() if now is None else now
    with write_lock(store), store.engine.begin() as connection:
        connection.execute(brand_profiles.delete().where(brand_profiles.c.brand_id == brand_id))
        connection.execute(
            brand_profiles.insert().values(brand_id=brand_id, profile=text, updated_at=moment)
        )


def merged(current: BrandProfile, changes: dict[str, Any]) -> BrandProfile:
    """``current`` with ``changes`` applied (validated again)."""
    data = current.model_dump(mode="json")
    data.update(changes)
    return BrandProfile.model_validate(data)
