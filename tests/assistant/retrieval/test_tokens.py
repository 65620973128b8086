"""English stems and Chinese bigrams for the lexical index."""

from __future__ import annotations

from recmind.assistant.retrieval.tokens import language_of, tokens


def test_english_words_are_stemmed_and_stop_words_dropped() -> None:
    assert tokens("Returns are RETURNED; the return of it") == ["return", "return", "return"]
    assert tokens("Waterproof jackets, don't") == ["waterproof", "jacket", "don"]


def test_chinese_runs_become_bigrams_and_documents_keep_characters() -> None:
    assert tokens("退货政策") == ["退货", "货政", "政策"]
    assert tokens("裙") == ["裙"]
    document = tokens("真丝连衣裙", document=True)
    assert {"真丝", "连衣", "衣裙", "裙"} <= set(document)
    assert tokens("Ｓｉｌｋ 真丝 dress") == ["silk", "真丝", "dress"]


def test_language_of() -> None:
    assert language_of("退货") == "zh"
    assert language_of("how long do I have to return it") == "en"
    assert language_of("这条 dress 多少钱") == "zh"
    assert language_of("") == "en"
