"""Benchmark: lifetime value and churn on three real purchase logs, through the backtest.

For each dataset, in a fresh child process: import the bundled dataset into a temporary
SQLite store with the project's importer, then ``run_backtest`` (the code behind ``recmind
clv backtest``): fit BG/NBD, Pareto/NBD (pymc-marketing, MAP) and recmind's learned model on
the purchases before the calibration end, choose the served model on a validation window
inside that period, and score every model on the holdout.

- CDNOW (``cdnow``): events before 1997-10-01, the next 273 days (39 + 39 weeks);
- UCI Online Retail (``online-retail``): calibration through 2011-09-09, the next 91 days;
- Complete Journey (``complete-journey``): the last 90 days are the holdout (the log ends on
  2018-01-01 UTC, so the calibration ends on 2017-10-04).

    .venv/bin/python benchmarks/clv.py [--only NAME ...]

Writes ``benchmarks/results/clv.json`` and ``.md`` and one calibration plot per dataset
(``clv_NAME.png``); ``--only`` re-measures the named datasets and keeps the others' figures.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from figures import RESULTS, read_results, write_results
from harness import finished, loadavg, peak_rss_mb, provenance

SPLITS = {
    "cdnow": ("1997-10-01", 273),
    "online-retail": ("2011-09-10", 91),
    "complete-journey": ("2017-10-04", 90),
}
BARS: dict[str, dict[str, Any]] = {
    "cdnow": {
        "kind": "absolute",
        "mae_below": 0.75,
        "rmse_below": 1.73,
        "total_within": 0.05,
        "churn_auc_above": 0.76,
        "reference": "pymc-marketing 1.3.0, measured independently on the same split: "
        "BG/NBD MAE 0.817, RMSE 1.737, total 0.85x, AUC 0.746; Pareto/NBD 0.790, 1.730, "
        "0.85x, 0.762",
    },
    "online-retail": {
        "kind": "beat",
        "models": ["bg-nbd"],
        "metrics": ["mae", "rmse", "total_ratio", "spend_mae"],
        "reference": "the issue's independent BG/NBD figures (MAE 1.061, RMSE 2.09, total "
        "0.73x, spend MAE £635) count orders differently (its MAE and RMSE are higher than "
        "BG/NBD's on purchase days here); the bar is read as beating BG/NBD in the same run",
    },
    "complete-journey": {
        "kind": "beat",
        "models": ["bg-nbd", "pareto-nbd"],
        "metrics": ["mae", "rmse", "total_ratio", "spend_mae", "churn_auc"],
    },
}


def _moment(text: str) -> float:
    return datetime.fromisoformat(text).replace(tzinfo=UTC).timestamp()


def child(name: str) -> dict[str, Any]:
    """Import ``name``, backtest it, write its plot; returns what the parent records."""
    from recmind.customers.clv.backtest import run_backtest
    from recmind.customers.clv.plot import calibration_plot
    from recmind.data.datasets import load_dataset
    from recmind.data.importer import import_bundle
    from recmind.data.store import Store

    end, days = SPLITS[name]
    load_start = loadavg()
    with tempfile.TemporaryDirectory(prefix="recmind-clv-bench-") as folder:
        store = Store.from_url(f"sqlite:///{Path(folder) / 'store.db'}")
        store.migrate()
        began = time.perf_counter()
        summary = import_bundle(store, load_dataset(name), quarantine_dir=Path(folder) / "q")
        import_seconds = time.perf_counter() - began
        began = time.perf_counter()
        result = run_backtest(store, _moment(end), days, dataset=name)
        backtest_seconds = time.perf_counter() - began
        store.close()
    plot = RESULTS / f"clv_{name}.png"
    calibration_plot(
        result.predictions(),
        result.actual_orders,
        plot,
        title=f"{name}: {days}-day holdout after {end} (mean orders by decile of prediction)",
        chosen=result.chosen,
    )
    fit = result.fit
    return {
        **result.as_json(),
        "chosen": result.chosen,
        "validation_window_days": fit.validation_window,
        "validation_loss": fit.validation_loss,
        "validation": {n: s.as_dict() for n, s in fit.validation.items()},
        "notes": result.notes,
        "events_imported": sum(s.imported for s in summary.sources if s.entity == "events"),
        "import_seconds": round(import_seconds, 1),
        "backtest_seconds": round(backtest_seconds, 1),
        "peak_rss_mb": round(peak_rss_mb(), 0),
        "plot": str(plot.relative_to(RESULTS.parent.parent)),
        "loadavg_start": load_start,
        "loadavg_end": loadavg(),
    }


def in_child(name: str) -> dict[str, Any]:
    """``child(name)`` in a fresh interpreter (its own peak memory); last stdout line."""
    command = [sys.executable, __file__, "--child", name]
    done = subprocess.run(command, check=False, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"{name} failed:\n{done.stderr[-4000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", nargs="+", choices=list(SPLITS), help="datasets to re-measure")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child)))
        return
    names = args.only or list(SPLITS)
    previous = read_results("clv") if args.only and (RESULTS / "clv.json").is_file() else {}
    datasets = dict(previous.get("datasets", {}))
    run = provenance()
    for name in names:
        print(f"{name}: importing and backtesting ...", flush=True)
        started = provenance()
        datasets[name] = {**in_child(name), "provenance": finished(started)}
        ordered = {n: datasets[n] for n in SPLITS if n in datasets}
        print(
            write_results("clv", {"provenance": finished(run), "bars": BARS, "datasets": ordered})
        )


if __name__ == "__main__":
    main()
