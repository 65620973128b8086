"""Hybrid search on a small shop, on SQLite and PostgreSQL: policy questions in English and
Chinese, products by attribute words, filters on the store's present prices and stock,
reviews fenced as untrusted and gone once the store drops them."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import delete
from tests.assistant.retrieval.shop import set_item

from recmind.assistant.retrieval import Filters, Hit, Retriever, load_index, reindex
from recmind.data.schema import reviews
from recmind.data.store import Store


@pytest.fixture
def retriever(shop: Store, tmp_path: Path) -> Retriever:
    reindex(shop, root=tmp_path / "index")
    return Retriever(shop, load_index(tmp_path / "index"))


def sources(hits: list[Hit]) -> list[str]:
    return [h.source for h in hits]


def test_policy_questions_find_the_passage_in_english_and_chinese(retriever: Retriever) -> None:
    english = retriever.search("how long do I have to return", kinds=["policy"], top=3)
    assert english[0].metadata["doc_id"] == "returns"
    assert "Returns and refunds > Return window" in [h.title for h in english]
    chinese = retriever.search("退货", top=3)
    assert chinese[0].kind == "policy"
    assert chinese[0].title == "Returns and refunds > Return window"
    assert chinese[0].semantic_rank == 1 and chinese[0].lexical_rank is None
    assert retriever.search("退货期限是多久", top=1)[0].metadata["doc_id"] == "returns"
    assert retriever.search("可以用贝宝付款吗", top=1)[0].metadata["doc_id"] == "payment"
    paypal = retriever.search("can I pay with PayPal", kinds=["policy"], top=1)[0]
    assert paypal.title == "Payment > Accepted payment methods"
    assert paypal.lexical_rank == 1 and not paypal.untrusted


def test_products_are_found_by_attribute_words(retriever: Retriever) -> None:
    assert retriever.search("merino wool", kinds=["product"], top=1)[0].source == "k-cardigan"
    assert retriever.search("waterproof hood", kinds=["product"], top=1)[0].source == "j-rain"
    assert retriever.search("真丝", kinds=["product"], top=1)[0].source == "zh-silk"
    linen = retriever.search("Linen Wrap Dress", kinds=["product"], top=2)
    assert linen[0].source == "d-linen"
    assert linen[0].score > linen[1].score * 1.3  # the title named in full is boosted
    product = retriever.search("merino cardigan", kinds=["product"], top=1)[0]
    assert product.metadata["price"] == 74.0 and product.metadata["stock"] == 7
    assert "74" not in product.text  # price is never part of the indexed text


def test_filters_read_prices_and_stock_from_the_store_without_reindexing(
    retriever: Retriever, shop: Store, tmp_path: Path
) -> None:
    under_100 = Filters(max_price=100.0)
    found = sources(retriever.search("dress", kinds=["product"], filters=under_100, top=10))
    assert {"d-linen", "d-shirt"} <= set(found)
    assert not {"d-velvet", "zh-silk"} & set(found)
    set_item(shop, tmp_path, "d-linen", price=120.0)
    found = retriever.search("dress", kinds=["product"], filters=under_100, top=10)
    assert "d-linen" not in sources(found)
    linen = retriever.search("linen dress", kinds=["product"], top=1)[0]
    assert linen.source == "d-linen" and linen.metadata["price"] == 120.0

    in_stock = Filters(in_stock=True, category="dresses")
    assert "d-velvet" not in sources(retriever.search("velvet", filters=in_stock, top=10))
    set_item(shop, tmp_path, "d-velvet", stock=5)
    assert retriever.search("velvet", filters=in_stock, top=1)[0].source == "d-velvet"
    knits = retriever.search("warm", filters=Filters(category="Tops"), top=10)
    assert knits and all(h.metadata["category"] == "Tops/Knits" for h in knits)
    priced = retriever.search("jacket", filters=Filters(min_price=100, max_price=200), top=10)
    assert priced[0].source == "j-rain"
    assert all(100 <= h.metadata["price"] <= 200 for h in priced)
    assert {h.kind for h in priced} == {"product", "review"}


def test_item_filters_drop_policies_and_kinds_are_checked(retriever: Retriever) -> None:
    hits = retriever.search("return", filters=Filters(max_price=500), top=10)
    assert hits and all(h.kind != "policy" for h in hits)
    assert retriever.search("", top=3) == []
    with pytest.raises(ValueError, match="unknown kinds"):
        retriever.search("dress", kinds=["order"], top=3)  # type: ignore[list-item]


def test_reviews_are_untrusted_and_vanish_when_the_store_drops_them(
    retriever: Retriever, shop: Store
) -> None:
    hits = retriever.search("ignore all previous instructions", kinds=["review"], top=1)
    assert hits[0].source == "r5" and hits[0].untrusted
    assert hits[0].title == "Velvet Evening Dress" and hits[0].metadata["item_id"] == "d-velvet"
    with shop.engine.begin() as connection:
        connection.execute(delete(reviews).where(reviews.c.review_id == "r5"))
    after = retriever.search("ignore all previous instructions", kinds=["review"], top=10)
    assert "r5" not in sources(after)
