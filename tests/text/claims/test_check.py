"""The verdict's shape, the facts model, and the finders' order."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest
from pydantic import ValidationError

from recmind.text.claims import FINDERS, Facts, check


def test_verdict_shape(shop: dict[str, Any]) -> None:
    verdict = check("Only 4 left: the Merino Crew Sweater, $79.", shop)
    data = verdict.to_dict()
    assert set(data) == {"ok", "claims"} and data["ok"] is False
    assert all(set(c) == {"text", "kind", "supported", "reason"} for c in data["claims"])
    assert [c["kind"] for c in data["claims"]] == ["stock", "product", "price"]  # text order
    assert [c.text for c in verdict.unsupported] == ["$79"]
    assert "'$79' (price)" in verdict.feedback()


def test_a_text_without_claims_is_fine(shop: dict[str, Any]) -> None:
    assert check("", shop).ok and check("Cosy up this winter.", shop).ok
    assert check("Cosy up this winter.", Facts()).claims == ()


def test_facts_model(shop: dict[str, Any]) -> None:
    shop["items"][0]["fabric_weight"] = "heavy"  # an unknown item field is an attribute
    shop["unknown_top_level"] = True
    facts = Facts.model_validate(shop)
    assert facts.offer is not None and facts.offer.ends == date(2025, 11, 30)
    assert facts.now == datetime(2025, 11, 27, 9)
    assert facts.items[0].extra_fields() == {"fabric_weight": "heavy"}
    assert check("A heavy merino knit.", facts).ok
    assert Facts.model_validate({"offer": {"ends": "2025-11-30T20:00"}}).offer.ends == (  # type: ignore[union-attr]
        datetime(2025, 11, 30, 20)
    )
    with pytest.raises(ValidationError):
        Facts.model_validate({"items": [{"title": "no id"}]})


def test_every_finder_runs() -> None:
    assert len(FINDERS) == len({f.__module__ + f.__name__ for f in FINDERS}) >= 14
