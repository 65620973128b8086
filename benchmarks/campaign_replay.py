"""Campaign replay on real data: does a campaign of recmind's personalised items, sent to
recmind's likely buyers, convert more than one of best-sellers?

For each dataset (``recmind.marketing.simulate``, the code ``recmind simulate campaign``
runs): campaigns go out weekly from the first midnight after the temporal protocol's cut
(the 0.8 quantile of event times) while a whole 7-day window fits in the data. At each
moment every audience rule (recmind's likely buyers, the latest buyers, a random sample)
picks the same number of people (20% of those who had bought, at most
``--max-audience``), every item policy picks 5 items per person from the events before
the moment (recmind's served model family tuned as ``recmind train`` tunes it; the top 5
of the last N days, N and the ranking tuned at three inner weeks; 5 random items sold in
the last 28 days; the person's 5 latest items), and a campaign converts when its person
buys one of its items within 7 days. Lift over best-sellers comes with a bootstrap
interval over people (scipy, BCa).

Settings: ``new`` (headline): no policy may promote what the person bought before the
moment, so conversions are first purchases of the item (the served path leaves seen items
out too); ``repeat``: every policy may, and repeat buys count. A MovieLens rating happens
once per film, so ml-100k runs ``new`` only. The model is tuned and fitted once per
dataset at the first moment (a model published then) and shared by both settings; each
moment scores people's live histories (``--refit-days 7`` refits it weekly instead).

    .venv/bin/python benchmarks/campaign_replay.py [--datasets online-retail,...]
        [--settings new,repeat] [--max-audience 1000] [--refit-days D] [--model hybrid]
        [--moments N]
        [--checkpoint PATH [--resummarise]] [--output-dir DIR]

With ``--checkpoint`` each finished run's summary is appended to it and its campaigns are
pickled beside it (``PATH.DATASET.SETTING.pkl``), so a run resumes, and ``--resummarise``
recomputes every summary from the kept campaigns without replaying.
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import argparse
import json
import pickle
import time
from pathlib import Path
from typing import Any

import figures.simulation  # noqa: F401  (registers the renderer)
from figures import RESULTS, write_results
from harness import finished, loadavg, peak_rss_mb, provenance
from recmind.data.datasets import load_dataset, resolve_name
from recmind.marketing.simulate import ReplayConfig, ReplayLog, replay, summarise
from recmind.marketing.simulate.plot import replay_plot
from recmind.marketing.simulate.replay import ReplayCache

NAME = "campaign_replay"
PLOT = f"{NAME}.png"
DATASETS = ("online-retail", "complete-journey", "movielens-100k")
SETTINGS = ("new", "repeat")
ONCE_ONLY = {"movielens-100k": ("new",)}
"""Datasets where repeat buys cannot happen (a film is rated once)."""
BAR_DATASETS = ("online-retail", "complete-journey")


TIMING = ("wall_minutes", "loadavg_start", "loadavg_end", "peak_rss_mb")
"""What a summary says about the replay's own run (kept when it is summarised again)."""


def run_dataset(
    dataset: str,
    settings: tuple[str, ...],
    args: argparse.Namespace,
    done: dict[str, Any],
    earlier: dict[str, Any],
) -> list[dict[str, Any]]:
    """Every setting of one dataset, sharing the model and the audiences (``done``: the
    summaries to reuse; ``earlier``: every summary of the checkpoint, whose timing a
    summary made again from kept campaigns keeps)."""
    wanted = [s for s in settings if s in ONCE_ONLY.get(dataset, SETTINGS)]
    missing = [s for s in wanted if f"{dataset}/{s}" not in done]
    if not missing:
        return [done[f"{dataset}/{s}"] for s in wanted]
    log = ReplayLog.from_bundle(load_dataset(dataset))
    cache = ReplayCache()
    out = []
    for setting in wanted:
        key = f"{dataset}/{setting}"
        if key in done:
            out.append(done[key])
            continue
        kept = (
            None
            if args.checkpoint is None
            else args.checkpoint.with_suffix(f".{dataset}.{setting}.pkl")
        )
        config = ReplayConfig(
            max_audience=args.max_audience,
            new_only=setting == "new",
            refit_days=args.refit_days,
            max_moments=args.moments,
            model=args.model,
        )
        began, load = time.perf_counter(), loadavg()

        def progress(label: str, step: int, total: int | None, key: str = key) -> None:
            print(f"  {key}: {label} {step}/{total or '?'}", flush=True)

        timing: dict[str, Any] = {}
        if kept is not None and kept.is_file():  # the campaigns of an earlier run
            result = pickle.loads(kept.read_bytes())
            timing = {k: earlier.get(key, {}).get(k) for k in TIMING}
        else:
            result = replay(log, config, progress, cache)
            if kept is not None:
                kept.write_bytes(pickle.dumps(result))
            timing = {
                "wall_minutes": (time.perf_counter() - began) / 60.0,
                "loadavg_start": load,
                "loadavg_end": loadavg(),
                "peak_rss_mb": peak_rss_mb(),
            }
        summary = summarise(result)
        summary.update(setting=setting, events=len(log.events), **timing)
        summary = json.loads(json.dumps(summary))
        if args.checkpoint:
            with args.checkpoint.open("a") as handle:
                handle.write(json.dumps({"key": key, "summary": summary}) + "\n")
        bar = summary["bar"]
        print(
            f"{key}: whole campaign {bar['whole_campaign']['lift']['value']}, items alone "
            f"{bar['items_alone']['lift']['value']}",
            flush=True,
        )
        out.append(summary)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", default=",".join(DATASETS))
    parser.add_argument("--settings", default=",".join(SETTINGS))
    parser.add_argument("--max-audience", type=int, default=1000)
    parser.add_argument("--moments", type=int, default=None, help="at most this many (smoke)")
    parser.add_argument("--refit-days", type=float, default=None)
    parser.add_argument("--model", default="hybrid", help="the personal model (smoke runs)")
    parser.add_argument("--checkpoint", type=Path, default=None, help="JSON lines, resumed")
    parser.add_argument(
        "--resummarise",
        action="store_true",
        help="summarise the campaigns kept beside the checkpoint again (no replay)",
    )
    parser.add_argument("--output-dir", type=Path, default=RESULTS)
    args = parser.parse_args()
    record = provenance()
    began = time.perf_counter()
    earlier: dict[str, Any] = {}
    if args.checkpoint and args.checkpoint.is_file():
        for line in args.checkpoint.read_text().splitlines():
            row = json.loads(line)
            earlier[row["key"]] = row["summary"]  # the latest: a summary made again keeps timing
    done = {} if args.resummarise else earlier
    settings = tuple(s for s in args.settings.split(",") if s)
    runs: list[dict[str, Any]] = []
    for dataset in (resolve_name(d) for d in args.datasets.split(",") if d):
        runs += run_dataset(dataset, settings, args, done, earlier)
    replay_plot(runs, args.output_dir / PLOT)
    bar = {
        run["dataset"]: run["bar"]
        for run in runs
        if run["setting"] == "new" and run["dataset"] in BAR_DATASETS
    }
    data = {
        "runs": runs,
        "bar": bar,
        "bar_met": {
            way: bool(bar) and all(b[way]["met"] for b in bar.values())
            for way in ("whole_campaign", "items_alone")
        },
        "plot": PLOT,
        "wall_minutes": (time.perf_counter() - began) / 60.0,
        "peak_rss_mb": peak_rss_mb(),
        "provenance": finished(record),
    }
    print(write_results(NAME, data, folder=args.output_dir))


if __name__ == "__main__":
    main()
