"""What the harness benchmarks (``hybrid.py``, ``other_datasets.py``) share: one
``evaluate`` run per child process, the load average and peak memory recorded next to
every figure, and the commit the figures belong to."""

from __future__ import annotations

import multiprocessing as mp
import resource
import subprocess
from collections.abc import Iterable
from pathlib import Path
from typing import Any


def peak_rss_mb() -> float:
    """This process's peak resident memory so far."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def loadavg() -> str:
    """The 1, 5 and 15 minute load averages, as ``/proc/loadavg`` writes them."""
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def commit() -> str:
    """The short hash of the checked-out commit (``unknown`` outside git)."""
    try:
        return subprocess.run(
            ["git", "rev-parse", "--short=10", "HEAD"], capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def in_child(func: Any, *args: Any) -> Any:
    """``func(*args)`` in a fresh spawned process, so its peak memory is its own."""
    with mp.get_context("spawn").Pool(1) as pool:
        return pool.apply(func, args)


def model_rows(report: Any, metrics: Iterable[str]) -> dict[str, dict[str, Any]]:
    """An ``EvalReport``'s rows keyed by label: the chosen metrics, fit seconds, the
    parameters tuning chose and their validation NDCG@10."""
    names = list(metrics)
    return {
        row.label: {
            **{name: row.metrics[name] for name in names},
            "fit_seconds": row.fit_seconds,
            "best_params": row.best_params,
            "val_ndcg@10": row.val_ndcg,
        }
        for row in report.rows
    }
