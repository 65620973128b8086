"""Report formats: JSON, markdown and the PNG plot."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from recmind.eval.history import BucketScore
from recmind.eval.report import EvalReport, ModelResult, write_json, write_reports


def result(label: str, ndcg: float) -> ModelResult:
    metrics = {f"{m}@{k}": ndcg for m in ("hr", "ndcg", "mrr", "recall") for k in (10, 20)}
    metrics |= {"coverage@10": 0.3, "coverage@20": 0.4, "novelty@10": 5.0, "novelty@20": 5.5}
    return ModelResult(
        label=label, model=label, metrics=metrics, fit_seconds=1.5, users_per_second=900.0,
        users_evaluated=943, best_params={"alpha": 1.0} if label == "als" else {}, val_ndcg=0.05,
    )  # fmt: skip


@pytest.fixture
def report() -> EvalReport:
    return EvalReport(
        dataset="movielens-100k",
        protocol="loo",
        ks=[10, 20],
        rows=[result("pop", 0.04), result("als", 0.06)],
        split_info={"items": 1682, "cut": 1.5},
    )


def test_json_format(report: EvalReport, tmp_path: Path) -> None:
    path = write_json(report, tmp_path / "sub" / "out.json")
    data = json.loads(path.read_text())
    assert data == report.to_json_dict()
    assert data["k"] == [10, 20]
    als = data["models"]["als"]
    assert als["coverage"] == 0.3
    assert als["coverage@20"] == 0.4
    assert als["best_params"] == {"alpha": 1.0}
    assert "diversity@10" not in als  # no categories: no key rather than a fake value


def test_markdown_has_one_row_per_model(report: EvalReport) -> None:
    text = report.to_markdown()
    assert "| pop | 0.0400 |" in text
    assert "| als | 0.0600 |" in text
    assert "alpha=1.0" in text
    assert "movielens-100k (loo)" in text


def test_write_reports_makes_markdown_and_png(report: EvalReport, tmp_path: Path) -> None:
    files = write_reports(report, tmp_path / "reports")
    assert files.markdown.name == "eval-movielens-100k-loo.md"
    assert files.plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert files.markdown.read_text() == report.to_markdown()


def test_history_buckets_in_json_markdown_and_plot(report: EvalReport, tmp_path: Path) -> None:
    assert write_reports(report, tmp_path / "plain").history_plot is None
    assert "by_history" not in json.dumps(report.to_json_dict())
    buckets = (BucketScore("6-20", 56, 0.11), BucketScore("201+", 147, 0.04))
    rows = [replace(row, by_history=buckets) for row in report.rows]
    measured = replace(report, rows=rows)
    entry = measured.to_json_dict()["models"]["als"]
    assert entry["ndcg@10_by_history"] == {
        "6-20": {"users": 56, "ndcg@10": 0.11},
        "201+": {"users": 147, "ndcg@10": 0.04},
    }
    text = measured.to_markdown()
    assert "## NDCG@10 by training-history length" in text
    assert "| 6-20 | 56 | 0.1100 | 0.1100 |" in text
    files = write_reports(measured, tmp_path / "reports")
    assert files.history_plot is not None
    assert files.history_plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert f"]({files.history_plot.name})" in text
