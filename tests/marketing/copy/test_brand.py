"""The brand profile in the store (SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from recmind.config import Settings
from recmind.data.store import Store
from recmind.marketing.copy.brand import (
    BrandProfile,
    default_brand,
    get_brand,
    merged,
    set_brand,
    stored_brand,
)


def test_a_store_without_a_profile_gets_the_default(store: Store) -> None:
    settings = Settings()
    assert stored_brand(store) is None
    brand = get_brand(store, settings)
    assert brand == default_brand(settings)
    assert brand.name == settings.marketing.shop_name and brand.policies == {}


def test_set_replaces_and_round_trips(store: Store) -> None:
    first = BrandProfile(name="Harbor & Pine", avoid=["cheap"], policies={"returns_days": 30})
    set_brand(store, first, now=1.0)
    second = merged(first, {"tone": "calm", "language": "zh"})
    set_brand(store, second, now=2.0)
    found = stored_brand(store)
    assert found == (second, 2.0)
    assert found[0].avoid == ["cheap"] and found[0].language == "zh"
    assert first.version() != second.version()


def test_bad_profiles_are_refused() -> None:
    with pytest.raises(ValidationError):
        BrandProfile(name="")
    with pytest.raises(ValidationError):
        BrandProfile(name="x", language="fr")  # type: ignore[arg-type]
    with pytest.raises(ValidationError):
        BrandProfile(name="x", policies={"returns": {"days": 30}})
    with pytest.raises(ValidationError):
        BrandProfile(name="x\x00")


def test_avoided_words_are_found_whole() -> None:
    brand = BrandProfile(name="x", avoid=["cheap", "最便宜"])
    assert brand.avoided_in("Not cheap, just good.") == ["cheap"]
    assert brand.avoided_in("Cheapest ever") == []
    assert brand.avoided_in("全网最便宜") == ["最便宜"]
