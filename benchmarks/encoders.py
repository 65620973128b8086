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
import multiprocessing
import resource
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from figures import write_results
from harness import finished, loadavg, provenance

NAME = "encoders"
SEED = 42
ENCODERS = ("minilm", "minilm-onnx", "e5")


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


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--texts", type=int, default=1000)
    parser.add_argument("--skip-eval", action="store_true", help="encoder timings only")
    args = parser.parse_args()
    started = time.perf_counter()
    record = provenance()
    texts = sample_texts(args.texts)
    summary: dict[str, Any] = {
        "texts": len(texts),
        "median_chars": {
            "clothing": int(statistics.median(len(t) for t in texts[: len(texts) // 2])),
            "movielens": int(statistics.median(len(t) for t in texts[len(texts) // 2 :])),
        },
        "repeats": args.repeats,
        "encoders": bench_encoders(texts, args.repeats),
    }
    if not args.skip_eval:
        summary["semantic"] = bench_semantic()
    summary["benchmark_seconds"] = time.perf_counter() - started
    summary["provenance"] = finished(record)
    print(write_results(NAME, summary))


if __name__ == "__main__":
    main()
