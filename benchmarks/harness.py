"""What the benchmarks share: one ``evaluate`` run per child process, the load average and
peak memory recorded next to every figure, and the provenance of a results file (command,
commit, CPU model, load average at the start and end) that ``figures`` shows with it."""

from __future__ import annotations

import multiprocessing as mp
import os
import platform
import resource
import shlex
import subprocess
import sys
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def recmind_env(home: Path, secret: str, **settings: str) -> dict[str, str]:
    """This process's environment without any ``RECMIND_`` setting, plus a benchmark's own
    home and secret, one BLAS thread and ``settings`` (more variables)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("RECMIND_")}
    env.update(
        RECMIND_HOME=str(home),
        RECMIND_API__SECRET=secret,
        OPENBLAS_NUM_THREADS="1",
        **settings,
    )
    return env


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


def commit_state() -> str:
    """The checked-out commit, flagged when ``src/`` or ``benchmarks/`` (results aside)
    differ from it: then the figures were not produced by that commit alone."""
    head = commit()
    try:
        paths = ["src", "benchmarks", ":!benchmarks/results"]
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no", "--", *paths],
            capture_output=True,
            text=True,
            check=True,
            cwd=ROOT,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return head
    return f"{head} with uncommitted changes" if dirty else head


def cpu_model() -> str:
    """The CPU's model name with its family and model numbers (a virtual machine often
    reports only the brand, e.g. ``AMD EPYC``: family 25 model 17 tells Zen 4 apart)."""
    fields: dict[str, str] = {}
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:
        return platform.processor() or platform.machine()
    for line in text.splitlines():
        key, _, value = line.partition(":")
        fields.setdefault(key.strip(), value.strip())
    name = fields.get("model name") or platform.machine()
    if "cpu family" in fields and "model" in fields:
        return f"{name} (family {fields['cpu family']}, model {fields['model']})"
    return name


def command_line() -> str:
    """This benchmark's command line as run from the checkout's root."""
    script = Path(sys.argv[0]).resolve()
    shown = script.relative_to(ROOT) if script.is_relative_to(ROOT) else script
    return shlex.join([".venv/bin/python", str(shown), *sys.argv[1:]])


def provenance() -> dict[str, Any]:
    """Where a results file comes from, taken when the benchmark starts: ``finished``
    adds the end. Stored under ``"provenance"`` in every results file."""
    return {
        "command": command_line(),
        "commit": commit_state(),
        "cpu": cpu_model(),
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "platform": f"{platform.system()} {platform.machine()}",
        "started_utc": time.strftime("%Y-%m-%d %H:%M", time.gmtime()),
        "loadavg_start": loadavg(),
    }


def finished(record: dict[str, Any]) -> dict[str, Any]:
    """``record`` with the load average and time at the end of the measurement."""
    return {
        **record,
        "loadavg_end": loadavg(),
        "finished_utc": time.strftime("%Y-%m-%d %H:%M", time.gmtime()),
    }


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
