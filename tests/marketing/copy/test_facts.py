"""Facts read from items' texts: attributes by the model (each value in its source text),
review sentiment, keywords; kept with their source; unchanged texts are not read again."""

from __future__ import annotations

import pytest
from tests.marketing.copy.shop import build_shop

from recmind.data.store import Store
from recmind.marketing.copy.facts_build import FactsBuilder, item_texts
from recmind.marketing.copy.facts_store import (
    ATTRIBUTES,
    DESCRIPTION,
    KEYWORDS,
    REVIEWS,
    SENTIMENT,
    FactRow,
    keyword_rows,
    read_item_facts,
    stored_hashes,
    text_hash,
    write_facts,
)
from recmind.text.extract import supported
from recmind.text.llm.local import LocalGGUFGenerator


def test_rows_round_trip_with_their_source(store: Store) -> None:
    rows = [
        FactRow("a", ATTRIBUTES, DESCRIPTION, {"materials": ["wool"], "fit": "slim"}, "h1", "m"),
        FactRow("a", ATTRIBUTES, REVIEWS, {"materials": ["wool", "cashmere"]}, "h2", "m"),
        FactRow("a", SENTIMENT, REVIEWS, {"reviews": 3, "positive_share": 0.67}, "h3"),
        FactRow("a", KEYWORDS, "description+reviews", [{"phrase": "wool", "score": 0.5}], "h4"),
    ]
    assert write_facts(store, rows, now=1.0) == 4
    write_facts(store, rows[:1], now=2.0)  # replaced, not doubled
    found = read_item_facts(store, ["a", "b"])
    assert list(found) == ["a"]
    facts = found["a"]
    assert [(a.name, a.value, a.source) for a in facts.attributes] == [
        ("fit", "slim", "description"),
        ("materials", "wool", "description"),
        ("materials", "wool", "reviews"),
        ("materials", "cashmere", "reviews"),
    ]
    assert facts.attribute_map() == {"materials": ["wool", "cashmere"], "fit": ["slim"]}
    assert facts.sentiment == {"reviews": 3, "positive_share": 0.67}
    assert keyword_rows(store) == {"a": ["wool"]}
    assert stored_hashes(store, ["a"])[("a", ATTRIBUTES, DESCRIPTION)] == "h1"


@pytest.mark.llm
def test_build_reads_descriptions_and_reviews(
    sqlite_store: Store, smollm: LocalGGUFGenerator
) -> None:
    """(SQLite only: the rows' round trip on both stores is the test above.)"""
    store = sqlite_store
    build_shop(store)
    builder = FactsBuilder(store, smollm, timeout_s=60)
    seen: list[tuple[str, int, int | None]] = []
    report = builder.build(["sweater", "tee"], progress=lambda *a: seen.append(a))
    assert report.items == 2 and report.unchanged == 0
    assert report.written["sentiment"] == 2 and report.written["keywords"] == 2
    assert {stage for stage, _, _ in seen} >= {"sentiment", "keywords"}
    texts = {t.item_id: t for t in item_texts(store, ["sweater", "tee"])}
    facts = read_item_facts(store, ["sweater", "tee"])
    for item_id, item in facts.items():
        for attribute in item.attributes:  # every kept value is in the text it came from
            source = (
                texts[item_id].description
                if attribute.source == DESCRIPTION
                else (texts[item_id].review_text)
            )
            assert supported(attribute.value, source), attribute
    sweater = facts["sweater"].sentiment
    assert sweater is not None
    assert sweater["reviews"] == 2 and sweater["rated"] == 2 and sweater["mean_rating"] == 3.5
    assert 0 <= sweater["positive"] <= 2
    assert facts["sweater"].keywords and all(k["phrase"] for k in facts["sweater"].keywords)
    again = builder.build(["sweater", "tee"])
    assert again.unchanged == 2 and again.written == {}
    hashes = stored_hashes(store, ["tee"])
    assert hashes[("tee", KEYWORDS, "description+reviews")] == text_hash(
        [texts["tee"].description, *texts["tee"].reviews]
    )


def test_keywords_and_sentiment_without_the_model(store: Store) -> None:
    build_shop(store)
    report = FactsBuilder(store, None).build()
    assert "attributes" not in report.written
    assert report.written == {"keywords": 2, "sentiment": 2}  # the scarf has no text
    assert set(keyword_rows(store)) == {"sweater", "tee"}
