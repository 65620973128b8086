"""The sequential model on real data: MovieLens 100K, leave-last-out, full ranking, a short
training run (the full one is ``benchmarks/sequential.py``)."""

from __future__ import annotations

import pytest

from recmind.data.datasets import load_dataset
from recmind.eval import metrics
from recmind.eval.runner import item_space, split_bundle
from recmind.eval.scoring import fit_and_rank
from recmind.eval.specs import resolve_models
from recmind.rec.interactions import ItemCatalog
from recmind.rec.sequential import SequentialRecommender

SHORT = {"max_epochs": 5, "patience": 0, "monitor_users": 300, "text_fusion": False}


@pytest.mark.slow
def test_short_run_beats_popularity_by_far() -> None:
    """Five epochs (about 10 s of CPU) already rank the held-out next film far above the
    recency-weighted popularity baseline (NDCG@10 0.040, HR@10 0.085 in the same harness;
    measured here: 0.069 and 0.131)."""
    bundle = load_dataset("movielens-100k")
    items = item_space(bundle)
    catalog = ItemCatalog.from_frame(bundle.items, items)
    split = split_bundle(bundle, items, "loo", 42)
    spec = resolve_models(["sequential"], {"sequential": SequentialRecommender})[0]
    ranking = fit_and_rank(spec, SHORT, split.test, catalog, k=10, seed=42)
    scores = metrics.accuracy(ranking.recs, split.test.targets, [10])
    assert scores["ndcg@10"] > 0.06
    assert scores["hr@10"] > 0.12
