"""The quality renderers (``benchmarks/figures/quality.py``) on small fake results: they
render without the real benchmark runs, every number shown comes from the file, and a
results file written before the time-causal harness is refused rather than shown."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"

PROVENANCE = {
    "command": ".venv/bin/python benchmarks/hybrid.py --seeds 42,43",
    "commit": "abcdef0123",
    "cpu": "Test CPU (family 1, model 2)",
    "cpus": 2,
    "loadavg_start": "0.50 0.40 0.30",
    "loadavg_end": "1.50 0.60 0.35",
}


def _figures() -> ModuleType:
    if str(BENCHMARKS) not in sys.path:
        sys.path.append(str(BENCHMARKS))
    import figures

    return figures


FIGURES = _figures()


def _entry(ndcg: list[float], hr: list[float], fit: float = 1.0) -> dict[str, Any]:
    """A summary entry as the benchmarks write it (means, sds and per-seed values)."""
    entry: dict[str, Any] = {}
    for key, values in (
        ("ndcg@10", ndcg),
        ("hr@10", hr),
        ("ndcg@20", ndcg),
        ("recall@10", hr),
        ("coverage@10", hr),
        ("fit_seconds", [fit] * len(ndcg)),
    ):
        mean = sum(values) / len(values)
        entry[key] = mean
        entry[f"{key}_sd"] = (
            (sum((v - mean) ** 2 for v in values) / (len(values) - 1)) ** 0.5
            if len(values) > 1
            else 0.0
        )
        entry[f"{key}_values"] = values
    entry["fit_seconds_median"] = fit
    entry["best_params"] = [{}] * len(ndcg)
    return entry


def _hybrid_results() -> dict[str, Any]:
    warm = {
        "popular": _entry([0.2162, 0.2162], [0.7523, 0.7523], fit=0.04),
        "ease": _entry([0.1700, 0.1700], [0.5596, 0.5596], fit=0.2),
        "als": _entry([0.1500, 0.1600], [0.5000, 0.5100], fit=1.1),
        "hybrid": _entry([0.2850, 0.2950], [0.7800, 0.7900], fit=61.5),
    }
    loo = {
        "popular": _entry([0.0450, 0.0452], [0.0900, 0.0910]),
        "ease": _entry([0.0650, 0.0660], [0.1300, 0.1310]),
        "hybrid": _entry([0.0640, 0.0700], [0.1250, 0.1400]),
    }
    cold = {
        "random": _entry([0.0031, 0.0033], [0.0210, 0.0230]),
        "random-new": _entry([0.0400, 0.0420], [0.2500, 0.2700]),
        "popular": _entry([0.0, 0.0], [0.0, 0.0]),
        "semantic": _entry([0.0300, 0.0320], [0.2000, 0.2200]),
        "hybrid": _entry([0.0500, 0.0540], [0.3100, 0.2500]),
    }

    def block(models: dict[str, Any], users: int, info: dict[str, Any]) -> dict[str, Any]:
        return {
            "seeds": [42, 43],
            "models": models,
            "test_users": [users, users],
            "split_info": info,
            "peak_rss_mb_max": 900.0,
            "wall_minutes": 3.0,
        }

    old = {
        "temporal": {"hybrid": {"ndcg@10": 0.2446, "ndcg@10_sd": 0.0055, "hr@10": 0.685}},
        "loo": {"hybrid": {"ndcg@10": 0.1110, "ndcg@10_sd": 0.0074, "hr@10": 0.2036}},
        "cold-item": {"hybrid": {"ndcg@10": 0.0620, "ndcg@10_sd": 0.001, "hr@10": 0.4257}},
    }
    for protocol in old.values():
        for entry in protocol.values():
            entry["hr@10_sd"] = 0.0
    return {
        "dataset": "movielens-100k",
        "seeds": [42, 43],
        "protocols": ["temporal", "loo", "cold-item"],
        "summary": {
            "temporal": block(warm, 109, {"test users": 109}),
            "loo": block(loo, 943, {"test users": 943}),
            "cold-item": block(
                cold,
                915,
                {
                    "cold items": 135,
                    "decoy items": 135,
                    "never-touched items": 270,
                    "cold targets": 9430,
                },
            ),
        },
        "bar": {"protocol": "loo", "ndcg@10": 0.091, "hr@10": 0.18},
        "reference": {"RecBole EASE": 0.0706},
        "fit_alone": {
            "protocol": "temporal",
            "seed": 42,
            "users": 751,
            "items": 1682,
            "pairs": 80000,
            "fit_seconds": 63.25,
            "fit_cpu_seconds": 60.5,
            "peak_rss_mb": 812.0,
            "peak_rss_before_fit_mb": 300.0,
            "loadavg_before": "1.00 1.00 1.00",
            "loadavg_after": "1.20 1.00 1.00",
            "sources": ["ease", "popular", "trending"],
            "label_cuts": 9,
            "trees": [40, 38],
            "top_features": [["ease_score", 0.41]],
            "cold_items_in_internal_split": 54,
            "cold_ranker_trees": [],
        },
        "latency": {
            "protocol": "temporal",
            "seed": 42,
            "k": 10,
            "requests": 300,
            "history_length_median": 71,
            "sources": ["ease"],
            "latency_ms": {"p50": 3.37, "p95": 6.12, "mean": 3.9},
            "breakdown_ms_per_request": {"features": 0.77, "source ease": 0.31},
            "service_p50_ms": 5.0,
            "loadavg_before": "1.00 1.00 1.00",
            "loadavg_after": "1.10 1.00 1.00",
        },
        "plot": "hybrid.png",
        "before": {
            "file": "benchmarks/results/before/hybrid_4658a2e.json",
            "command": ".venv/bin/python benchmarks/hybrid.py",
            "commit": "2a31cff766",
            "seeds": [42, 43, 44],
            "summary": old,
        },
        "runs": [],
        "provenance": PROVENANCE,
    }


def _other_results() -> dict[str, Any]:
    def block(models: dict[str, Any], users: int, skipped: dict[str, str]) -> dict[str, Any]:
        return {
            "seeds": [42, 43],
            "models": models,
            "test_users": [users, users],
            "skipped": skipped,
            "peak_rss_mb_max": 1234.0,
            "loadavg": [["1.00 1.00 1.00", "1.50 1.00 1.00"]],
            "wall_minutes": 7.5,
        }

    return {
        "seeds": [42, 43],
        "protocols": ["temporal", "loo"],
        "datasets": ["online-retail", "complete-journey"],
        "models": ["popular", "ease", "als", "hybrid"],
        "imports": {
            "online-retail": {
                "rows": {"items": 3659, "events": 396370},
                "users": 4335,
                "import_seconds": 4.4,
            },
            "complete-journey": {
                "rows": {"items": 68260, "events": 1460438},
                "users": 2469,
                "import_seconds": 60.2,
            },
        },
        "summary": {
            "online-retail": {
                "loo": block(
                    {
                        "popular": _entry([0.0279, 0.0279], [0.05, 0.05]),
                        "ease": _entry([0.1445, 0.1445], [0.2, 0.2]),
                        "hybrid": _entry([0.1500, 0.1400], [0.21, 0.2]),
                    },
                    4240,
                    {},
                ),
                "temporal": block(
                    {
                        "popular": _entry([0.0901, 0.0901], [0.2, 0.2]),
                        "ease": _entry([0.1012, 0.1012], [0.21, 0.21]),
                        "als": _entry([0.0966, 0.0980], [0.2, 0.2]),
                        "hybrid": _entry([0.1190, 0.1210], [0.25, 0.25]),
                    },
                    1429,
                    {},
                ),
            },
            "complete-journey": {
                "temporal": block(
                    {
                        "popular": _entry([0.0468, 0.0468], [0.1, 0.1]),
                        "hybrid": _entry([0.0774, 0.0780], [0.15, 0.15]),
                    },
                    2000,
                    {"ease": "needs 21.7 GiB for its item x item matrix"},
                ),
            },
        },
        "runs": [],
        "provenance": {**PROVENANCE, "command": ".venv/bin/python benchmarks/other_datasets.py"},
    }


def test_hybrid_block_shows_the_numbers_of_the_file_temporal_first() -> None:
    block = FIGURES.render("hybrid", _hybrid_results())
    header = next(line for line in block.splitlines() if line.startswith("| model |"))
    assert header.index("temporal NDCG@10") < header.index("loo NDCG@10")
    assert header.index("loo NDCG@10") < header.index("cold-item HR@10")
    assert "cold-user" not in header  # not run, not shown
    assert "**0.2900 ± 0.0071**" in block  # hybrid temporal: mean ± sd, best in its column
    assert "0.2162 ± 0.0000" in block
    assert "popular 1.34x (higher on 2 of 2 seeds)" in block  # 0.29 / 0.2162
    assert "ease 1.71x (higher on 2 of 2 seeds)" in block
    assert "ease 1.02x (higher on 1 of 2 seeds)" in block  # loo: 0.067 / 0.0655, one seed won
    assert "135 cold items" in block and "135 decoys" in block
    assert "hybrid 1.08x (higher on 1 of 2 seeds)" in block  # cold-item HR vs random-new
    assert "random 0.08x (higher on 0 of 2 seeds)" in block
    assert "temporal 109; loo 943; cold-item 915" in block
    assert "**NOT met** (0.0670, 0.1325)" in block  # the old loo bar, shown missed
    assert "**63.2 s** wall" in block and "9 internal cuts" in block
    assert "p50 **3.4 ms**" in block and "features 0.77" in block
    assert "(/benchmarks/results/hybrid.png)" in block
    assert "- Produced by `.venv/bin/python benchmarks/hybrid.py --seeds 42,43` at commit" in block


def test_hybrid_before_after_table_compares_every_protocol_of_both_files() -> None:
    block = FIGURES.render("hybrid", _hybrid_results())
    after = block[block.index("Before and after") :]
    assert "`benchmarks/results/before/hybrid_4658a2e.json`" in after
    assert "commit `2a31cff766`" in after
    assert "| temporal | **hybrid** | 0.2446 | 0.2900 | 0.6850 | 0.7850 |" in after
    assert "| loo | **hybrid** | 0.1110 | 0.0670 | 0.2036 | 0.1325 |" in after
    assert "| cold-item | **hybrid** | 0.0620 | 0.0520 | 0.4257 | 0.2800 |" in after
    assert "Why they moved" in after and "decoys" in after and "random-new" in after


def test_hybrid_block_without_the_optional_parts() -> None:
    data = _hybrid_results()
    for key in ("fit_alone", "latency", "before", "plot", "bar", "reference"):
        data.pop(key)
    data["summary"] = {"temporal": data["summary"]["temporal"]}
    del data["summary"]["temporal"]["models"]["hybrid"]
    block = FIGURES.render("hybrid", data)
    assert "**0.2162 ± 0.0000**" in block
    assert "Before and after" not in block and "hybrid /" not in block


def test_other_datasets_rows_ratios_and_wins() -> None:
    block = FIGURES.render("other_datasets", _other_results())
    lines = block.splitlines()
    retail = [line for line in lines if "UCI Online Retail (4,335 users" in line]
    assert len(retail) == 1 and "temporal (1,429 test users)" in retail[0]  # temporal first
    assert "**0.1200 ± 0.0014**" in retail[0]
    assert "1.19x (higher on 2 of 2 seeds)" in retail[0]  # 0.12 / 0.1012
    assert "1.33x (higher on 2 of 2 seeds)" in retail[0]  # 0.12 / 0.0901
    loo = lines[lines.index(retail[0]) + 1]
    assert loo.startswith("|  | loo (4,240 test users)")
    assert "1.00x (higher on 1 of 2 seeds)" in loo  # 0.145 / 0.1445
    journey = next(line for line in lines if "Complete Journey" in line and line.startswith("|"))
    assert "| not run |" in journey and "1.66x (higher on 2 of 2 seeds)" in journey
    assert "ease not run on temporal: needs 21.7 GiB" in block
    assert "peak RSS 1,234 MB" in block
    assert "- Produced by `.venv/bin/python benchmarks/other_datasets.py` at commit" in block


def test_complete_journey_renders_with_one_seed() -> None:
    data = _other_results()
    data["seeds"] = [42]
    data["summary"] = {"complete-journey": data["summary"]["complete-journey"]}
    block_ = data["summary"]["complete-journey"]["temporal"]
    block_["seeds"] = [42]
    for entry in block_["models"].values():
        for key in list(entry):
            if key.endswith("_values"):
                entry[key] = entry[key][:1]
        entry["ndcg@10"] = entry["ndcg@10_values"][0]
    block = FIGURES.render("other_datasets_complete_journey", data)
    assert "**0.0774** |" in block  # one seed: no ± shown
    assert "1.65x (higher on 1 of 1 seeds)" in block


@pytest.mark.parametrize("name", ["hybrid", "other_datasets", "other_datasets_complete_journey"])
def test_a_file_from_before_the_time_causal_harness_is_refused(name: str) -> None:
    old = {"meta": {"seeds": [42]}, "summary": {}}
    with pytest.raises(ValueError, match="predates the time-causal harness"):
        FIGURES.render(name, old)


def test_write_results_writes_the_fake_hybrid_and_its_document(tmp_path: Path) -> None:
    data = _hybrid_results()
    markdown = FIGURES.write_results("hybrid", data, folder=tmp_path)
    assert json.loads((tmp_path / "hybrid.json").read_text()) == data
    assert markdown.startswith("# Hybrid vs baselines on MovieLens 100K")
    assert (tmp_path / "hybrid.md").read_text() == markdown
