"""Sentiment: the labelled sets, the fixed held-out split, the head file, and (slow) the
committed head's accuracy on held-out English and Chinese rows with the real e5 encoder."""

from __future__ import annotations

import numpy as np
import pytest

from recmind.config import Settings
from recmind.text.encoders import Encoder
from recmind.text.sentiment import (
    LabelledTexts,
    SentimentClassifier,
    SentimentHead,
    chinese_sentences,
    clothing_sentiment,
    load_head,
    sample,
    split,
)


@pytest.fixture(scope="module")
def chinese() -> LabelledTexts:
    return chinese_sentences()


@pytest.fixture(scope="module")
def english() -> LabelledTexts:
    return clothing_sentiment()


def test_chinese_sentences_are_unique_and_unambiguous(chinese: LabelledTexts) -> None:
    assert len(set(chinese.texts)) == len(chinese) > 17_000
    assert chinese.language == "zh" and 0.4 < chinese.labels.mean() < 0.6


def test_clothing_labels_leave_out_the_middle_rating(english: LabelledTexts) -> None:
    assert len(english) > 19_000 and set(np.unique(english.labels)) == {0, 1}
    assert 0.85 < english.labels.mean() < 0.9
    assert all(text for text in english.texts[:100])


def test_split_is_fixed_stratified_and_disjoint(chinese: LabelledTexts) -> None:
    train, test = split(chinese)
    again_train, again_test = split(chinese)
    assert np.array_equal(train, again_train) and np.array_equal(test, again_test)
    assert not set(train) & set(test) and len(train) + len(test) == len(chinese)
    for label in (0, 1):
        share = (chinese.labels[test] == label).sum() / (chinese.labels == label).sum()
        assert share == pytest.approx(0.2, abs=0.001)


def test_samples_are_balanced_or_stratified(english: LabelledTexts) -> None:
    _, test = split(english)
    balanced = sample(test, english.labels, 200, seed=1, balanced=True)
    stratified = sample(test, english.labels, 200, seed=1, balanced=False)
    assert english.labels[balanced].mean() == 0.5 and set(balanced) <= set(test)
    assert english.labels[stratified].mean() == pytest.approx(english.labels.mean(), abs=0.02)


def test_head_round_trips_through_json() -> None:
    rng = np.random.default_rng(0)
    head = SentimentHead("e5", rng.normal(size=384), 0.25, {"note": "test"})
    back = SentimentHead.from_json(head.to_json())
    vectors = rng.normal(size=(5, 384))
    assert np.allclose(back.proba(vectors), head.proba(vectors), atol=1e-5)
    assert back.meta == {"note": "test"}


def test_committed_head_says_how_it_was_trained() -> None:
    head = load_head()
    assert head.encoder == "e5" and head.coef.shape == (384,)
    assert set(head.meta["training_rows"]) == {"en", "zh"}
    assert head.meta["trained_by"].startswith("benchmarks/understanding.py")


def test_classifier_needs_the_encoder_of_its_head(onnx_encoder: Encoder) -> None:
    with pytest.raises(ValueError, match="trained on 'e5'"):
        SentimentClassifier(encoder=onnx_encoder)


def test_neutral_band_and_labels(onnx_encoder: Encoder) -> None:
    flat = SentimentHead("minilm-onnx", np.zeros(384), 0.0)
    undecided = SentimentClassifier(flat, onnx_encoder, neutral_band=0.1)
    assert [s.label for s in undecided.predict(["fine", "ok"])] == ["neutral", "neutral"]
    leaning = SentimentHead("minilm-onnx", np.zeros(384), 1.0)
    (positive,) = SentimentClassifier(leaning, onnx_encoder).predict(["fine"])
    assert positive.label == "positive" and positive.score == pytest.approx(1 / (1 + np.e**-1))
    assert SentimentClassifier(flat, onnx_encoder).predict_proba([]).shape == (0,)


@pytest.mark.slow
@pytest.mark.parametrize(("which", "floor"), [("en", 0.75), ("zh", 0.75)])
def test_accuracy_on_held_out_rows(
    which: str,
    floor: float,
    settings: Settings,
    english,
    chinese,
) -> None:
    """60 rows of the 20% never trained on (fresh embedding cache), class-balanced."""
    data = english if which == "en" else chinese
    _, test = split(data)
    rows = sample(test, data.labels, 60, seed=7, balanced=True)
    part = data.take(rows)
    proba = SentimentClassifier().predict_proba(part.texts)
    accuracy = float(((proba >= 0.5) == (part.labels == 1)).mean())
    assert accuracy >= floor, accuracy
