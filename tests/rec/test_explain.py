"""Explanations: contributions per model family (exact for EASE and ItemKNN), shared tags,
verbs and low ratings from a bundle, and the generated sentence behind the grounding check
(scripted fake for the decision logic, the real SmolLM2-135M for the code path)."""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from recmind.data.bundle import DataBundle
from recmind.rec.base import Recommender
from recmind.rec.explain import Explainer, explain, reason_text
from recmind.rec.interactions import Interactions, ItemCatalog
from recmind.rec.registry import create_model
from recmind.rec.semantic import SemanticRecommender
from recmind.text.llm.gguf_assets import ModelAssetsMissingError, ensure_model
from recmind.text.llm.local import LocalGGUFGenerator
from recmind.text.llm.protocol import GenerationRequest, GenerationResult, TextStream

FAST = {"itemknn": {"neighbors": 10}, "ease": {"l2": 10.0}, "als": {"factors": 8}}


def fitted(name: str, interactions: Interactions, catalog: ItemCatalog) -> Recommender:
    return create_model(name, FAST.get(name), seed=3).fit(interactions, catalog)


def top_items(model: Recommender, user: str, k: int = 3) -> list[str]:
    return [i for i, _ in model.recommend([user], k).for_user(0)]


def test_ease_contributions_are_the_score_terms(
    interactions: Interactions, catalog: ItemCatalog
) -> None:
    model = fitted("ease", interactions, catalog)
    user = str(interactions.user_ids[0])
    explainer = Explainer(model, top=50)
    for item in top_items(model, user):
        found = explainer.explain_one(user, item)
        target = int(interactions.lookup_items([item])[0])
        history = model.seen_[0].indices
        terms = model.weights_[history, target]
        assert sum(c.weight for c in found.because) == pytest.approx(terms[terms > 0].sum())
        assert found.method == "ease weights"
        score = model.score_users(np.asarray([0]))[0, target]
        assert terms.sum() == pytest.approx(score, rel=1e-5)


@pytest.mark.parametrize("name", ["popular", "itemknn", "ease", "als"])
def test_every_model_is_explained_with_catalogue_titles(
    name: str, interactions: Interactions, catalog: ItemCatalog
) -> None:
    model = fitted(name, interactions, catalog)
    user = str(interactions.user_ids[5])
    items = top_items(model, user)
    found = explain(model, user, items, catalog)
    titles = set(catalog.titles)
    assert [e.item_id for e in found] == items
    for e in found:
        assert e.reason and e.title in titles
        assert all(c.title in titles and c.weight > 0 for c in e.because)
        assert e.item_id not in {c.item_id for c in e.because}
        assert e.sentence is None
    if name == "popular":
        assert {e.reason for e in found} == {"Popular right now."}
    else:
        assert all(e.because for e in found)


def test_item_vectors_are_used_when_the_model_has_them(
    interactions: Interactions, catalog: ItemCatalog
) -> None:
    model = SemanticRecommender({"encoder": "minilm-onnx", "cache_embeddings": False})
    model.fit(interactions, catalog)
    user = str(interactions.user_ids[2])
    (found,) = explain(model, user, top_items(model, user, 1), catalog)
    assert found.method == "item vectors" and found.because


def test_unknown_user_and_unknown_item(interactions: Interactions, catalog: ItemCatalog) -> None:
    model = fitted("ease", interactions, catalog)
    (stranger,) = explain(model, "stranger", ["i01"], catalog)
    assert (stranger.reason, stranger.method, stranger.because) == (
        "Popular right now.",
        "popularity",
        (),
    )
    (unknown,) = explain(model, str(interactions.user_ids[0]), ["nope"], catalog)
    assert unknown.title == "nope" and unknown.method == "popularity"


def make_bundle() -> DataBundle:
    items = pd.DataFrame(
        {
            "item_id": ["1", "2", "3", "4"],
            "title": [
                "Star Wars (1977)",
                "Return of the Jedi (1983)",
                "Fargo (1996)",
                "Empire Strikes Back, The (1980)",
            ],
            "category": ["Action|Sci-Fi", "Action|Sci-Fi", "Crime|Drama", "Action|Sci-Fi"],
        }
    )
    rows = [
        ("a", "1", 1, 5.0),
        ("a", "2", 2, 4.0),
        ("a", "3", 3, 1.0),
        ("b", "1", 1, 5.0),
        ("b", "2", 2, 5.0),
        ("b", "4", 3, 5.0),
        ("c", "3", 1, 4.0),
        ("c", "4", 2, 4.0),
    ]
    events = pd.DataFrame(
        {
            "user_id": [r[0] for r in rows],
            "item_id": [r[1] for r in rows],
            "event_type": "rating",
            "timestamp": [1.7e9 + r[2] for r in rows],
            "value": [r[3] for r in rows],
        }
    )
    return DataBundle(name="films", items=items, events=events)


@pytest.fixture(scope="module")
def films() -> tuple[DataBundle, Recommender]:
    bundle = make_bundle()
    data = Interactions.from_frame(bundle.events, item_ids=bundle.items["item_id"].to_numpy())
    model = create_model("itemknn", {"neighbors": 3}).fit(
        data, ItemCatalog.from_frame(bundle.items, data.item_ids)
    )
    return bundle, model


def test_bundle_gives_verbs_tags_and_drops_low_ratings(
    films: tuple[DataBundle, Recommender],
) -> None:
    bundle, model = films
    (found,) = explain(model, "a", ["4"], bundle)
    assert [c.title for c in found.because] == ["Return of the Jedi (1983)", "Star Wars (1977)"]
    assert found.shared == ("Action", "Sci-Fi")
    assert found.reason == (
        'Because you liked "Return of the Jedi (1983)" and "Star Wars (1977)"; '
        "also Action and Sci-Fi."
    )
    assert found.facts().titles[0] == "Empire Strikes Back, The (1980)"
    (fargo,) = explain(model, "c", ["1"], bundle)
    assert fargo.tags == ("Action", "Sci-Fi") and set(fargo.tags) <= set(fargo.facts().terms)


def test_reason_text_shapes() -> None:
    assert reason_text("bought", ["Heat (1995)"], []) == 'Because you bought "Heat (1995)".'
    assert reason_text("liked", [], ["Drama"]) == "Matches your interest in Drama."
    assert reason_text("liked", [], []) == "Popular right now."


@dataclass
class ScriptedFakeGenerator:
    """A fake for the decision logic only: always gives the same answer."""

    answer: str
    requests: list[GenerationRequest] = field(default_factory=list)
    model_id: str = "fake"
    default_seed: int = 0

    def generate(self, request: GenerationRequest) -> GenerationResult:
        self.requests.append(request)
        return GenerationResult(self.answer, 12, 40, 0.1, "stop", "fake")

    def stream(self, request: GenerationRequest) -> TextStream:
        return TextStream(iter([self.generate(request)]))


def test_generated_sentence_kept_when_grounded(films: tuple[DataBundle, Recommender]) -> None:
    bundle, model = films
    fake = ScriptedFakeGenerator(
        "Fans of Return of the Jedi will enjoy The Empire Strikes Back, more Sci-Fi action."
    )
    (found,) = explain(model, "a", ["4"], bundle, generator=fake)
    assert found.sentence_source == "llm" and found.sentence == fake.answer
    user_turn = fake.requests[0].messages[-1].content
    assert (
        '"The Empire Strikes Back (1980)"' in user_turn and "Its tags: Action, Sci-Fi" in user_turn
    )


def test_invented_sentence_falls_back_to_the_reason(
    films: tuple[DataBundle, Recommender],
) -> None:
    bundle, model = films
    fake = ScriptedFakeGenerator("Harrison Ford returns in Fargo, the 1980 classic.")
    (found,) = explain(model, "a", ["4"], bundle, generator=fake)
    assert found.sentence_source == "fallback" and found.sentence == found.reason
    assert len(found.reports) == 3 and not any(r.ok for r in found.reports)


@pytest.fixture(scope="module")
def smollm(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalGGUFGenerator]:
    """The real SmolLM2-135M through the production backend."""
    if importlib.util.find_spec("llama_cpp") is None:
        pytest.skip("llama-cpp-python is not installed")
    try:
        path: Path = ensure_model("smollm2-135m", models_dir=tmp_path_factory.mktemp("llm"))
    except ModelAssetsMissingError as exc:
        pytest.skip(str(exc))
    generator = LocalGGUFGenerator(path, n_ctx=1024, n_threads=1, seed=7)
    yield generator
    generator.close()


def test_real_model_sentence_is_checked(
    films: tuple[DataBundle, Recommender], smollm: LocalGGUFGenerator
) -> None:
    bundle, model = films
    explainer = Explainer(model, bundle)
    plain = explainer.explain_one("a", "4")
    found = explainer.with_sentence(plain, smollm, max_attempts=1, seed=2)
    assert found.sentence and len(found.reports) == 1
    assert explainer.checker.check(found.sentence, plain.facts()).ok
