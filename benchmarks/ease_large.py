"""EASE on a large synthetic catalogue: fit time and peak memory, and which dense SPD
inverse is fastest here.

Data: seeded synthetic implicit feedback, Zipf-like item popularity (default 15,000 items,
50,000 users, ~1M distinct pairs). Every measurement runs in a fresh process so its peak
RSS is its own. Writes ``benchmarks/results/ease_large.json`` and ``.md``.

    OPENBLAS_NUM_THREADS=1 .venv/bin/python benchmarks/ease_large.py [--repeats 3] [--quick]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import platform
import resource
import statistics
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import scipy.linalg
from threadpoolctl import threadpool_limits

from figures import render, write_results
from harness import finished, provenance
from recmind.rec.ease import EASERecommender, gram, spd_inverse_inplace
from recmind.rec.interactions import Interactions

L2 = 500.0


def synthetic_interactions(n_users: int, n_items: int, n_pairs: int, seed: int = 0) -> Interactions:
    """Users with log-normal activity picking items by a Zipf(0.8)-like popularity."""
    rng = np.random.default_rng(seed)
    item_p = 1.0 / np.arange(1, n_items + 1) ** 0.8
    item_p = rng.permutation(item_p / item_p.sum())
    user_p = rng.lognormal(0.0, 1.0, n_users)
    user_p /= user_p.sum()
    draws = int(n_pairs * 1.15)  # duplicates collapse into one pair
    frame = pd.DataFrame(
        {
            "user_id": rng.choice(n_users, draws, p=user_p).astype(str),
            "item_id": rng.choice(n_items, draws, p=item_p).astype(str),
            "timestamp": rng.uniform(1.6e9, 1.7e9, draws),
        }
    )
    items = np.arange(n_items).astype(str).astype(object)
    return Interactions.from_frame(frame, item_ids=items)


def _inverse_numpy(square: np.ndarray) -> np.ndarray:
    return np.linalg.inv(square)


def _inverse_cho_solve(square: np.ndarray) -> np.ndarray:
    factor = scipy.linalg.cho_factor(square, overwrite_a=True, check_finite=False)
    identity = np.eye(len(square), dtype=square.dtype)
    return np.asarray(scipy.linalg.cho_solve(factor, identity, overwrite_b=True))


INVERSES: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "potrf+potri (recmind)": spd_inverse_inplace,
    "np.linalg.inv": _inverse_numpy,
    "cho_factor+cho_solve": _inverse_cho_solve,
}


def _measure(method: str, dtype: str, threads: int, data: Interactions) -> dict[str, Any]:
    """One measurement (runs in a child process)."""
    with threadpool_limits(threads, "blas"):
        start = time.perf_counter()
        if method == "EASERecommender.fit":
            EASERecommender.dtype = np.dtype(dtype)
            model = EASERecommender({"l2": L2}).fit(data)
            gram_s = inverse_s = float("nan")
            start_score = time.perf_counter()
            model.recommend_indices(np.arange(1000), 10)
            score_s = time.perf_counter() - start_score
            total_s = start_score - start
        else:
            matrix = data.matrix()
            gram_matrix = gram(matrix, np.dtype(dtype))
            gram_matrix[np.diag_indices_from(gram_matrix)] += L2
            gram_s = time.perf_counter() - start
            INVERSES[method](gram_matrix)
            inverse_s = time.perf_counter() - start - gram_s
            total_s = gram_s + inverse_s
            score_s = float("nan")
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "gram_s": gram_s,
        "inverse_s": inverse_s,
        "total_s": total_s,
        "score_1000_users_s": score_s,
        "peak_rss_mb": peak_mb,
    }


def _child(args: tuple[str, str, int, dict[str, int]], queue: Any) -> None:
    method, dtype, threads, sizes = args
    data = synthetic_interactions(**sizes)
    queue.put(_measure(method, dtype, threads, data))


def run_isolated(method: str, dtype: str, threads: int, sizes: dict[str, int]) -> dict[str, Any]:
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    proc = ctx.Process(target=_child, args=((method, dtype, threads, sizes), queue))
    proc.start()
    result: dict[str, Any] = queue.get()
    proc.join()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3, help="runs of the main configuration")
    parser.add_argument("--quick", action="store_true", help="3k items, 10k users: smoke test")
    args = parser.parse_args()
    record = provenance()
    sizes = (
        {"n_users": 10_000, "n_items": 3_000, "n_pairs": 200_000, "seed": 0}
        if args.quick
        else {"n_users": 50_000, "n_items": 15_000, "n_pairs": 1_000_000, "seed": 0}
    )
    data = synthetic_interactions(**sizes)
    plan = [
        ("EASERecommender.fit", "float32", 2, args.repeats),
        ("EASERecommender.fit", "float32", 1, args.repeats),
        ("EASERecommender.fit", "float64", 2, 1),
        ("potrf+potri (recmind)", "float32", 2, 1),
        ("cho_factor+cho_solve", "float32", 2, 1),
        ("np.linalg.inv", "float32", 2, 1),
    ]
    rows = []
    for method, dtype, threads, repeats in plan:
        runs = [run_isolated(method, dtype, threads, sizes) for _ in range(repeats)]
        row: dict[str, Any] = {"method": method, "dtype": dtype, "blas_threads": threads}
        row["runs"] = repeats
        for key in runs[0]:
            row[key] = statistics.median(r[key] for r in runs)
        row["total_s_all"] = [r["total_s"] for r in runs]
        rows.append(row)
        print(json.dumps(row), flush=True)
    report = {
        "benchmark": "ease_large",
        "data": {**sizes, "distinct_pairs": len(data), "users_with_data": int(data.n_users)},
        "l2": L2,
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "results": rows,
        "provenance": finished(record),
    }
    if args.quick:  # a smoke test: printed, never in place of the real figures
        print(render("ease_large", report))
    else:
        print(write_results("ease_large", report))


if __name__ == "__main__":
    main()
