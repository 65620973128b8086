"""The hybrid beats tuned popularity and EASE on MovieLens 100K in the evaluation harness
itself, on the temporal protocol (a global time cut, everyone scored at the cut: what a
server is asked). Seed 42 measured NDCG@10 0.2975 (HR@10 0.771) for the hybrid against
0.2162 (0.752) for popularity tuned to a 3-day half-life and 0.1700 (0.560) for EASE; the
bar, 1.2x both, leaves room for noise. About 4 minutes on 2 cores."""

from __future__ import annotations

import pytest

from recmind.data.datasets import load_dataset
from recmind.eval import evaluate
from recmind.rec.ease import EASERecommender
from recmind.rec.hybrid import HybridRecommender
from recmind.rec.popular import PopularityRecommender

pytestmark = pytest.mark.slow

REGISTRY = {
    "popular": PopularityRecommender,
    "ease": EASERecommender,
    "hybrid": HybridRecommender,
}
MARGIN = 1.2


def test_hybrid_beats_popularity_and_ease_on_the_temporal_protocol() -> None:
    report = evaluate(
        load_dataset("movielens-100k"),
        models=["popular", "ease", "hybrid"],
        protocol="temporal",
        registry=REGISTRY,
        seed=42,
    )
    ndcg = {row.label: row.metrics["ndcg@10"] for row in report.rows}
    hr = {row.label: row.metrics["hr@10"] for row in report.rows}
    for baseline in ("popular", "ease"):
        assert ndcg["hybrid"] >= MARGIN * ndcg[baseline], ndcg
    assert hr["hybrid"] > hr["ease"], hr
