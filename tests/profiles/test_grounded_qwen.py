"""The default 1.5B model writes explanations and portraits on MovieLens 100K that pass the
grounding check (``llm`` marker; the 100 + 100 version is ``benchmarks/understanding.py``).

No wall-clock bound: a busy machine must not turn a slow answer into a failure.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest

from recmind.data.datasets import load_dataset
from recmind.profiles import ProfileIndex, build_profile
from recmind.rec.ease import EASERecommender
from recmind.rec.explain import Explainer
from recmind.rec.interactions import Interactions, ItemCatalog
from recmind.text.llm.gguf_assets import ModelAssetsMissingError, ensure_model
from recmind.text.llm.local import LocalGGUFGenerator

pytestmark = [pytest.mark.llm, pytest.mark.slow]
USERS = ["1", "42", "130", "405", "655"]


@pytest.fixture(scope="module")
def qwen() -> Iterator[LocalGGUFGenerator]:
    try:
        path = ensure_model("qwen2.5-coder-1.5b")
    except ModelAssetsMissingError as exc:
        pytest.skip(f"the 1.5B model is not installed: {exc}")
    generator = LocalGGUFGenerator(path, n_ctx=2048, n_threads=1, seed=42)
    yield generator
    generator.close()


@pytest.fixture(scope="module")
def movielens() -> tuple[ProfileIndex, Explainer]:
    bundle = load_dataset("movielens-100k")
    items = bundle.items["item_id"].astype(str).to_numpy()
    data = Interactions.from_frame(bundle.events, item_ids=items)
    ease = EASERecommender({"l2": 100.0}).fit(data, ItemCatalog.from_frame(bundle.items, items))
    return ProfileIndex(bundle), Explainer(ease, bundle)


def test_portraits_are_grounded(
    qwen: LocalGGUFGenerator, movielens: tuple[ProfileIndex, Explainer]
) -> None:
    index, _ = movielens
    profiles = [build_profile(index, u, qwen, seed=i) for i, u in enumerate(USERS)]
    for profile in profiles:
        report = index.checker.check(profile.portrait, profile.portrait_facts)
        assert report.ok, (profile.portrait, report.violations)
        assert 1 <= len(profile.portrait_reports) <= 3
    written = [p for p in profiles if p.portrait_source == "llm"]
    assert len(written) >= 3, [p.portrait_reports for p in profiles]
    for profile in written:
        assert profile.portrait_reports[-1].terms, profile.portrait  # names some interest


def test_explanations_are_grounded(
    qwen: LocalGGUFGenerator, movielens: tuple[ProfileIndex, Explainer]
) -> None:
    _, explainer = movielens
    found = []
    for i, user in enumerate(USERS):
        item = explainer.model.recommend([user], 1).for_user(0)[0][0]
        plain = explainer.explain_one(user, item)
        found.append(explainer.with_sentence(plain, qwen, seed=i))
    for e in found:
        assert e.sentence is not None
        report = explainer.checker.check(e.sentence, e.facts())
        assert report.ok, (e.sentence, report.violations)
    written = [e for e in found if e.sentence_source == "llm"]
    assert len(written) >= 3, [e.reports for e in found]
    assert np.mean([len(e.reports) for e in found]) <= 3
