"""Mean ± std over seeds: the aggregation by hand, then end to end with fake models."""

from __future__ import annotations

import json
import statistics
from pathlib import Path

import pytest

from recmind.data.bundle import DataBundle
from recmind.eval.history import BucketScore
from recmind.eval.report import EvalReport, ModelResult
from recmind.eval.runner import total_steps
from recmind.eval.seeds import SeedReport, evaluate_seeds, write_seed_json, write_seed_reports
from recmind.eval.specs import resolve_models
from recmind.rec.base import Recommender


def row(label: str, ndcg: float, params: dict[str, float], history: float) -> ModelResult:
    metrics = {f"{m}@10": ndcg for m in ("hr", "ndcg", "mrr", "recall")}
    metrics |= {"coverage@10": 0.5, "novelty@10": 4.0}
    return ModelResult(
        label=label, model=label, metrics=metrics, fit_seconds=ndcg * 10,
        users_per_second=100.0, users_evaluated=50, best_params=params, val_ndcg=ndcg,
        by_history=(BucketScore("6-20", 10, history), BucketScore("21-50", 40, history / 2)),
    )  # fmt: skip


def run(seed: int, ease: float, ease_params: dict[str, float]) -> EvalReport:
    rows = [row("ease", ease, ease_params, ease), row("pop", 0.04, {}, 0.04)]
    return EvalReport(dataset="d", protocol="loo", ks=[10], rows=rows, seed=seed)


@pytest.fixture
def seeds() -> SeedReport:
    return SeedReport(
        (run(0, 0.07, {"l2": 100.0}), run(1, 0.08, {"l2": 100.0}), run(2, 0.09, {"l2": 500.0}))
    )


def test_mean_and_sample_std_by_hand(seeds: SeedReport) -> None:
    assert seeds.seeds == [0, 1, 2]
    mean = seeds.mean_report()
    ease = mean.rows[0]
    assert ease.metrics["ndcg@10"] == pytest.approx(0.08)
    assert seeds.std()["ease"]["ndcg@10"] == pytest.approx(statistics.stdev([0.07, 0.08, 0.09]))
    assert seeds.std()["ease"]["ndcg@10"] == pytest.approx(0.01)
    assert seeds.std()["pop"]["ndcg@10"] == 0.0
    assert ease.best_params == {"seed 0": {"l2": 100.0}, "seed 1": {"l2": 100.0},
                                "seed 2": {"l2": 500.0}}  # fmt: skip
    assert mean.rows[1].best_params == {}
    assert ease.by_history[0] == BucketScore("6-20", 10, pytest.approx(0.08))
    assert seeds.history_std()["ease"]["21-50"] == pytest.approx(0.005)


def test_json_carries_mean_std_and_per_seed(seeds: SeedReport, tmp_path: Path) -> None:
    data = json.loads(write_seed_json(seeds, tmp_path / "s.json").read_text())
    assert data["seeds"] == [0, 1, 2]
    ease = data["models"]["ease"]
    assert ease["ndcg@10"] == pytest.approx(0.08)
    assert ease["ndcg@10_std"] == pytest.approx(0.01)
    assert ease["hr@10_std"] == pytest.approx(0.01)
    assert ease["per_seed"]["ndcg@10"] == pytest.approx([0.07, 0.08, 0.09])
    assert ease["best_params_per_seed"][2] == {"l2": 500.0}
    assert ease["ndcg@10_by_history"]["6-20"]["ndcg@10_std"] == pytest.approx(0.01)
    assert {"dataset", "protocol", "k", "models"} <= set(data)


def test_markdown_and_files(seeds: SeedReport, tmp_path: Path) -> None:
    text = seeds.to_markdown()
    assert "| ease | 0.0800 ± 0.0100 |" in text
    assert "3 seeds" in text
    assert "| 21-50 | 40 | 0.0400 ± 0.0050 | 0.0200 ± 0.0000 |" in text  # history buckets
    files = write_seed_reports(seeds, tmp_path)
    assert files.markdown.read_text() == text
    assert files.plot.read_bytes()[:4] == b"\x89PNG"
    assert files.history_plot is not None and files.history_plot.name == "eval-d-loo-history.png"


def test_runs_must_match() -> None:
    other = EvalReport(dataset="d", protocol="temporal", ks=[10], rows=run(1, 0.1, {}).rows)
    with pytest.raises(ValueError, match="share"):
        SeedReport((run(0, 0.07, {}), other))
    with pytest.raises(ValueError, match="at least one"):
        SeedReport(())


def test_evaluate_seeds_end_to_end(
    bundle: DataBundle, fake_registry: dict[str, type[Recommender]]
) -> None:
    messages: list[str] = []
    names = ["fakerandom", "pop"]
    result = evaluate_seeds(
        bundle, seeds=(0, 1), models=names, ks=(5,), registry=fake_registry,
        progress=messages.append,
    )  # fmt: skip
    assert result.seeds == [0, 1]
    assert len(messages) == 2 * total_steps(resolve_models(names, fake_registry))
    values = result.values("fakerandom", "ndcg@5")
    assert len(values) == 2 and values[0] != values[1]  # the seed changes the random model
    assert result.std()["fakerandom"]["ndcg@5"] == pytest.approx(statistics.stdev(values))
    again = evaluate_seeds(bundle, seeds=(0, 1), models=names, ks=(5,), registry=fake_registry)
    assert again.to_json_dict()["models"]["pop"]["ndcg@5"] == pytest.approx(
        result.to_json_dict()["models"]["pop"]["ndcg@5"]
    )
    with pytest.raises(ValueError, match="at least one seed"):
        evaluate_seeds(bundle, seeds=(), models=names, registry=fake_registry)
