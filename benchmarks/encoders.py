"""Encoder speed and the semantic recommender on MovieLens 100K.

1. Every encoder backend encodes the same ~1,000 item texts (half clothing items with
   review snippets, half MovieLens titles with genres), each repeat in a fresh process so
   the load time includes imports (PyTorch for ``minilm``): load seconds, texts per
   second, peak memory, and the time to read the same vectors back from the disk cache.
2. ``semantic`` with each encoder, next to popularity and EASE, on MovieLens 100K
   leave-last-out with full ranking through ``recmind.eval.evaluate``.

Writes ``benchmarks/results/encoders.json`` and ``.md``; timings are medians.

    OPENBLAS_NUM_THREADS=1 .venv/bin/python benchmarks/encoders.py [--repeats 3] [--texts 1000]
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse
import json
import multiprocessing
import platform
import resource
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).parent / "results"
NAME = "encoders"
SEED = 42
ENCODERS = ("minilm", "minilm-onnx", "e5")


def loadavg() -> str:
    """The 1, 5 and 15 minute load averages (the machine is shared)."""
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def sample_texts(n: int) -> list[str]:
    """``n // 2`` clothing item texts (with up to 3 review snippets) then MovieLens texts."""
    from recmind.data.datasets import load_dataset
    from recmind.text.item_text import item_texts

    clothing = load_dataset("clothing")
    movies = load_dataset("movielens-100k")
    shop = list(item_texts(clothing.items, clothing.reviews).values())[: n // 2]
    films = list(item_texts(movies.items).values())[: n - len(shop)]
    return shop + films


def time_backend(name: str, texts: list[str]) -> dict[str, float]:
    """Runs in a fresh process: load, encode everything, then re-read it from a cache."""
    started = time.perf_counter()
    from recmind.text.embedding_cache import CachedEncoder
    from recmind.text.encoders import create_encoder

    encoder = create_encoder(name)
    encoder.encode(["warm-up"])
    load = time.perf_counter() - started
    with tempfile.TemporaryDirectory() as cache_dir:
        cached = CachedEncoder(encoder, Path(cache_dir))
        started = time.perf_counter()
        cached.encode(texts, batch_size=64)
        encode = time.perf_counter() - started
        started = time.perf_counter()
        CachedEncoder(encoder, Path(cache_dir)).encode(texts)
        reread = time.perf_counter() - started
    return {
        "load_seconds": load,
        "encode_seconds": encode,
        "texts_per_second": len(texts) / encode,
        "cache_read_seconds": reread,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def bench_encoders(texts: list[str], repeats: int) -> dict[str, dict[str, Any]]:
    context = multiprocessing.get_context("spawn")
    out: dict[str, dict[str, Any]] = {}
    for name in ENCODERS:
        runs = []
        for _ in range(repeats):
            before = float(loadavg().split()[0])
            with context.Pool(1) as pool:
                runs.append({**pool.apply(time_backend, (name, texts)), "loadavg_1min": before})
        out[name] = {key: statistics.median(r[key] for r in runs) for key in runs[0]}
        out[name]["runs"] = runs
        rate, load = out[name]["texts_per_second"], out[name]["load_seconds"]
        print(f"{name}: {rate:.1f} texts/s, load {load:.2f} s", flush=True)
    return out


def semantic_class(encoder: str) -> type[Any]:
    from recmind.rec.semantic import SemanticRecommender

    class Semantic(SemanticRecommender):
        @classmethod
        def search_space(cls) -> list[dict[str, Any]]:
            return [{**p, "encoder": encoder} for p in SemanticRecommender.search_space()]

    Semantic.__name__ = f"Semantic[{encoder}]"
    return Semantic


def bench_semantic() -> dict[str, Any]:
    """One ``evaluate`` run: popularity, EASE and semantic with every encoder."""
    from recmind.data.datasets import load_dataset
    from recmind.eval import evaluate
    from recmind.rec.ease import EASERecommender
    from recmind.rec.popular import PopularityRecommender

    registry: dict[str, type[Any]] = {"popular": PopularityRecommender, "ease": EASERecommender}
    registry.update({f"semantic-{e}": semantic_class(e) for e in ENCODERS})
    with tempfile.TemporaryDirectory() as home:
        os.environ["RECMIND_HOME"] = home  # a cold embedding cache: encoding is in fit s
        from recmind.config import get_settings

        get_settings.cache_clear()
        started = time.perf_counter()
        report = evaluate(
            load_dataset("movielens-100k"),
            protocol="loo",
            ks=(10, 20),
            seed=SEED,
            registry=registry,
        )
        wall = time.perf_counter() - started
    result = report.to_json_dict()
    result["wall_seconds"] = wall
    return result


def to_markdown(summary: dict[str, Any]) -> str:
    n, chars = summary["texts"], summary["median_chars"]
    cpus = summary["machine"]["cpus"]
    samples = [float(summary[k].split()[0]) for k in ("loadavg_start", "loadavg_end")]
    samples += [
        r["loadavg_1min"]
        for e in summary["encoders"].values()
        for r in e["runs"]
        if "loadavg_1min" in r
    ]
    busiest = max(samples)
    lines = [
        "# Encoders and the semantic recommender",
        "",
        f"{n} item texts: {n // 2} clothing items with review snippets (median "
        f"{chars['clothing']} characters) and {n - n // 2} MovieLens titles with genres "
        f"(median {chars['movielens']}); {summary['repeats']} repeats, each in a fresh "
        f"process; medians; batch 64; {cpus} CPUs, load average {summary['loadavg_start']} "
        f"at the start and {summary['loadavg_end']} at the end.",
        "",
    ]
    if busiest > cpus:
        lines += [
            f"The machine was shared with other work during this run (1-minute load average "
            f"up to {busiest:.1f} on {cpus} cores where sampled), so these rates are below an idle "
            "machine's (docs/models-and-data.md: about 88, 132 and 27 texts/s for ~50-word texts).",
            "",
        ]
    lines += [
        "| encoder | load s (with imports) | texts/s | encode s | cache re-read s | peak RSS MB |",
        "|---|---|---|---|---|---|",
    ]
    for name, r in summary["encoders"].items():
        lines.append(
            f"| {name} | {r['load_seconds']:.2f} | **{r['texts_per_second']:.1f}** | "
            f"{r['encode_seconds']:.1f} | {r['cache_read_seconds']:.2f} | {r['peak_rss_mb']:.0f} |"
        )
    sem = summary["semantic"]
    lines += [
        "",
        "## MovieLens 100K, leave-last-out, full ranking (seed 42)",
        "",
        "| model | HR@10 | NDCG@10 | HR@20 | NDCG@20 | coverage@10 | fit s | tuned on validation |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for label, m in sem["models"].items():
        params = ", ".join(f"{k}={v}" for k, v in m["best_params"].items() if k != "encoder")
        lines.append(
            f"| {label} | {m['hr@10']:.4f} | {m['ndcg@10']:.4f} | {m['hr@20']:.4f} | "
            f"{m['ndcg@20']:.4f} | {m['coverage@10']:.3f} | {m['fit_seconds']:.2f} | "
            f"{params or '-'} |"
        )
    lines += [
        "",
        "MovieLens items are only a title and genres, so a content model ranks far below "
        "collaborative ones here (expected): `semantic` exists for items nobody has touched "
        "yet and users with one or two events, and as a candidate source for the hybrid "
        "ranker. Its fit time is the final fit on a warm cache (the encoding happened during "
        f"tuning). Whole evaluation: {sem['wall_seconds']:.0f} s; whole benchmark "
        f"{summary['benchmark_seconds']:.0f} s.",
    ]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--texts", type=int, default=1000)
    parser.add_argument("--skip-eval", action="store_true", help="encoder timings only")
    args = parser.parse_args()
    started = time.perf_counter()
    start_load = loadavg()
    texts = sample_texts(args.texts)
    summary: dict[str, Any] = {
        "texts": len(texts),
        "median_chars": {
            "clothing": int(statistics.median(len(t) for t in texts[: len(texts) // 2])),
            "movielens": int(statistics.median(len(t) for t in texts[len(texts) // 2 :])),
        },
        "repeats": args.repeats,
        "loadavg_start": start_load,
        "encoders": bench_encoders(texts, args.repeats),
    }
    if not args.skip_eval:
        summary["semantic"] = bench_semantic()
    summary["loadavg_end"] = loadavg()
    summary["benchmark_seconds"] = time.perf_counter() - started
    summary["machine"] = {"python": platform.python_version(), "cpus": os.cpu_count()}
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"{NAME}.json").write_text(json.dumps(summary, indent=2) + "\n")
    if "semantic" in summary:
        (RESULTS / f"{NAME}.md").write_text(to_markdown(summary))
        print(to_markdown(summary))


if __name__ == "__main__":
    main()
