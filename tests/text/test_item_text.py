"""What goes into an item's text, and the catalogue that carries it."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from recmind.data.datasets import load_dataset
from recmind.rec.interactions import ItemCatalog
from recmind.text.item_text import attribute_pairs, category_text, item_texts, shorten


def catalogue() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "item_id": [1, "b", "c", "d"],
            "title": ["Toy Story (1995)", "Cable Knit Sweater", None, "Toy Story again"],
            "category": ["Animation|Comedy", "Tops/Knits", None, None],
            "description": [None, "Chunky   knit\nin merino wool.", None, None],
            "attributes": [
                {
                    "genres": ["Animation", "Comedy"],
                    "release_date": "01-Jan-1995",
                    "imdb_url": "http://us.imdb.com/M/title-exact?Toy%20Story%20(1995)",
                    "synthetic": ["price", "stock"],
                },
                {
                    "department": "Tops",
                    "class": "Knits",
                    "material": "merino wool",
                    "colors": ["navy", "cream"],
                    "price": 59.0,
                    "stock": 3,
                    "brand_id": "B-77",
                    "lining": "https://cdn.example/lining.png",
                    "machine_washable": False,
                    "nested": {"a": 1},
                },
                None,
                {"first_release_date": "spring 2003", "weight": 1.5},
            ],
            "price": [9.99, 59.0, None, None],
        }
    )


def reviews() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "review_id": ["r1", "r2", "r3", "r4", "r5"],
            "item_id": ["b", "b", "b", "b", "z"],
            "rating": [5.0, 4.0, 1.0, 4.0, 3.0],
            "text": [
                "Lovely.",
                "Warm and soft, a bit itchy at the collar but I wear it every day.",
                "Terrible: it fell apart in the wash after one week of wear.",
                "Cosy.",
                "Orphan review of an item not in the catalogue.",
            ],
        }
    )


def test_title_category_attributes_description() -> None:
    texts = item_texts(catalogue())
    assert texts["1"] == "Toy Story (1995). Category: Animation, Comedy."
    sweater = texts["b"]
    assert sweater.startswith("Cable Knit Sweater. Category: Tops > Knits. ")
    assert "material: merino wool; colors: navy, cream; machine washable: no." in sweater
    assert sweater.endswith("Chunky knit in merino wool.")


def test_what_is_never_included() -> None:
    text = " ".join(item_texts(catalogue()).values()).lower()
    for absent in ("imdb", "http", "price", "stock", "59", "b-77", "brand", "lining", "nested"):
        assert absent not in text
    assert "department" not in text and "class:" not in text  # repeat the category


def test_dates_become_years() -> None:
    assert attribute_pairs({"release_date": "01-Jan-1994"}) == [("release year", "1994")]
    assert attribute_pairs({"release_date": "soon"}) == []
    assert item_texts(catalogue())["d"] == (
        "Toy Story again. first release year: 2003; weight: 1.5."
    )


def test_an_item_with_nothing_is_its_id() -> None:
    assert item_texts(catalogue())["c"] == "c"
    assert item_texts(pd.DataFrame({"item_id": ["x", "x"]})) == {"x": "x"}


def test_review_snippets_are_representative_and_bounded() -> None:
    texts = item_texts(catalogue(), reviews(), max_snippets=2)
    sweater = texts["b"]
    # median rating 4: the two 4-star reviews, longest first; the outlier 1-star is left out
    assert sweater.endswith(
        'Reviews: "Warm and soft, a bit itchy at the collar but I wear it every day." "Cosy."'
    )
    assert "Terrible" not in sweater and "Orphan" not in " ".join(texts.values())
    assert item_texts(catalogue(), reviews(), max_snippets=0)["b"] == item_texts(catalogue())["b"]
    assert item_texts(catalogue(), reviews()) == item_texts(catalogue(), reviews())


def test_shorten_cuts_at_sentence_or_word() -> None:
    assert shorten("short", 10) == "short"
    assert shorten("First sentence here. Second one is long", 30) == "First sentence here."
    assert shorten("one two three four five six", 14) == "one two three…"
    assert category_text("Books|Fiction/Fantasy| ") == "Books, Fiction > Fantasy"


def test_catalog_from_frame_carries_texts() -> None:
    ids = np.asarray(["b", "1", "unknown"], dtype=object)
    catalog = ItemCatalog.from_frame(catalogue(), ids, reviews(), max_snippets=1)
    assert catalog.texts is not None
    assert catalog.texts.dtype == object and len(catalog.texts) == 3
    assert catalog.texts[0].endswith(
        'Reviews: "Warm and soft, a bit itchy at the collar but I wear it every day."'
    )
    assert catalog.texts[1] == "Toy Story (1995). Category: Animation, Comedy."
    assert catalog.texts[2] == "unknown"  # outside the frame: its title, which is its id
    without_reviews = ItemCatalog.from_frame(catalogue(), ids).texts
    assert without_reviews is not None and without_reviews[0] == item_texts(catalogue())["b"]


def test_with_texts() -> None:
    bare = ItemCatalog.bare(np.asarray(["a", "b"], dtype=object))
    assert bare.texts is None
    mapped = bare.with_texts({"b": "a blue scarf"})
    assert mapped.texts is not None and mapped.texts.tolist() == ["a", "a blue scarf"]
    assert bare.with_texts(["x", "y"]).texts.tolist() == ["x", "y"]  # type: ignore[union-attr]
    with pytest.raises(ValueError, match="3 texts for a catalogue of 2"):
        bare.with_texts(["x", "y", "z"])


def test_bundled_datasets() -> None:
    movies = load_dataset("movielens-100k")
    texts = item_texts(movies.items)
    assert len(texts) == 1682
    assert texts["1"] == "Toy Story (1995). Category: Animation, Children's, Comedy."
    clothing = load_dataset("clothing")
    described = item_texts(clothing.items, clothing.reviews)
    assert len(described) == 1206
    with_reviews = {i for i, t in described.items() if 'Reviews: "' in t}
    has_text = clothing.reviews.loc[clothing.reviews["text"].str.strip() != "", "item_id"]
    assert with_reviews == set(has_text)
    assert max(len(t) for t in described.values()) < 1000
