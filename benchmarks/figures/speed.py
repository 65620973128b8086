"""Renderers of the speed and memory figures: bulk import (``import_events``), EASE on a
large catalogue (``ease_large``), sentence encoders (``encoders``) and the local language
models' decode speed (``llm_speed``)."""

from __future__ import annotations

import math
from typing import Any

from figures.base import Results, figure, provenance, table, verdict

IMPORT_BAR_S = 60.0
IMPORT_BAR_RSS_MB = 2048.0


def _legacy_load(data: Results) -> str | None:
    """What a file written before ``provenance`` existed recorded of the load average."""
    if "load_average_1min_before_after" in data:
        before, after = data["load_average_1min_before_after"]
        return f"1-min load average {before:.1f} at the start, {after:.1f} at the end"
    for start, end in (("loadavg_start", "loadavg_end"), ("loadavg_before", "loadavg_after")):
        if start in data and end in data:
            return f"load average {data[start]} at the start, {data[end]} at the end"
    return None


@figure(
    "import_events",
    title="Import: a 1,000,000-event CSV into SQLite",
    command=".venv/bin/python benchmarks/import_events.py",
)
def import_events(data: Results) -> str:
    """Median import time and memory of the events file against the bars, and the outcome."""
    median = data["median"]
    seconds, rss = median["seconds_events"], median["peak_rss_mb"]
    quarantined = data["events_quarantined"]
    reasons = ", ".join(f"{n:,} {reason}" for reason, n in sorted(quarantined.items()))
    rows = [
        (
            "events import",
            f"**{seconds:.1f} s** ({median['events_per_second']:,.0f} events/s; "
            f"{median['cpu_seconds_events']:.1f} s of CPU)",
            f"< {IMPORT_BAR_S:.0f} s: {verdict(seconds < IMPORT_BAR_S)}",
        ),
        (
            "peak resident memory of the importing process",
            f"**{rss:,.0f} MB**",
            f"< {IMPORT_BAR_RSS_MB / 1024:.0f} GB: {verdict(rss < IMPORT_BAR_RSS_MB)}",
        ),
        (
            "outcome",
            f"{data['events_imported']:,} imported, {data['events_duplicates']:,} duplicates "
            f"skipped, {sum(quarantined.values()):,} quarantined with reasons ({reasons}), "
            f"{data['users_created']:,} users created",
            "-",
        ),
    ]
    lines = [
        f"{data['events']:,} events (planted bad rows and duplicates), {data['items']:,} items, "
        f"{data['users']:,} users, a fresh SQLite file, each run in a child process; medians "
        f"of {data['repeats']} runs.",
        "",
        *table(("measure", "median", "bar"), rows),
        "",
        f"- {provenance(data, 'import_events', legacy_load=_legacy_load(data))}",
    ]
    return "\n".join(lines) + "\n"


def _seconds(value: float) -> str:
    return "-" if math.isnan(value) else f"{value:.1f}"


@figure(
    "ease_large",
    title="EASE on a 15,000-item synthetic catalogue",
    command=".venv/bin/python benchmarks/ease_large.py",
)
def ease_large(data: Results) -> str:
    """Every fit and inverse measured, as the file holds them."""
    sizes = data["data"]
    rows = [
        (
            r["method"],
            r["dtype"],
            r["blas_threads"],
            r["runs"],
            _seconds(r["gram_s"]),
            _seconds(r["inverse_s"]),
            f"**{r['total_s']:.1f}**"
            if r["method"] == "EASERecommender.fit"
            else _seconds(r["total_s"]),
            f"{r['peak_rss_mb'] / 1024:.2f}",
        )
        for r in data["results"]
    ]
    header = ("what", "dtype", "BLAS threads", "runs", "Gram s", "inverse s", "total s", "peak GB")
    lines = [
        f"{sizes['n_items']:,} items, {sizes['users_with_data']:,} users, "
        f"{sizes['distinct_pairs']:,} distinct pairs (synthetic, seed {sizes['seed']}), "
        f"l2 = {data['l2']:g}; each row in a fresh process (peak memory includes the data); "
        "the median where runs > 1. `EASERecommender.fit` is what recmind runs (LAPACK "
        "Cholesky `potrf` + `potri` in place); the other rows time the inverse alone.",
        "",
        *table(header, rows),
        "",
        f"- {provenance(data, 'ease_large', legacy_load=_legacy_load(data))}",
    ]
    return "\n".join(lines) + "\n"


def _semantic_rows(models: dict[str, Any]) -> list[tuple[object, ...]]:
    rows: list[tuple[object, ...]] = []
    for label, m in models.items():
        params = ", ".join(f"{k}={v}" for k, v in m["best_params"].items() if k != "encoder")
        rows.append(
            (
                label,
                f"{m['hr@10']:.4f}",
                f"{m['ndcg@10']:.4f}",
                f"{m['coverage@10']:.3f}",
                f"{m['fit_seconds']:.2f}",
                params or "-",
            )
        )
    return rows


@figure(
    "encoders",
    title="Sentence encoders and the semantic recommender",
    command="OPENBLAS_NUM_THREADS=1 .venv/bin/python benchmarks/encoders.py",
)
def encoders(data: Results) -> str:
    """Encoding speed per backend, and ``semantic`` with each encoder on MovieLens 100K."""
    chars = data["median_chars"]
    speed = [
        (
            name,
            f"**{r['texts_per_second']:.1f}**",
            f"{r['load_seconds']:.1f}",
            f"{r['cache_read_seconds']:.2f}",
            f"{r['peak_rss_mb']:,.0f}",
        )
        for name, r in data["encoders"].items()
    ]
    lines = [
        f"{data['texts']:,} item texts (clothing items with review snippets, median "
        f"{chars['clothing']} characters; MovieLens titles with genres, median "
        f"{chars['movielens']}), batch 64, each of {data['repeats']} repeats in a fresh "
        f"process, medians.",
        "",
        *table(
            ("encoder", "texts/s", "load s (imports included)", "cache re-read s", "peak MB"),
            speed,
        ),
    ]
    if "semantic" in data:
        lines += [
            "",
            "`semantic` with each encoder next to popularity and EASE, MovieLens 100K, "
            "leave-last-out, full ranking (seed 42):",
            "",
            *table(
                ("model", "HR@10", "NDCG@10", "coverage@10", "fit s", "tuned on validation"),
                _semantic_rows(data["semantic"]["models"]),
            ),
        ]
    lines += ["", f"- {provenance(data, 'encoders', legacy_load=_legacy_load(data))}"]
    return "\n".join(lines) + "\n"


@figure(
    "llm_speed",
    title="Local language models: decode speed",
    command=".venv/bin/python benchmarks/llm_speed.py --threads 1,2",
)
def llm_speed(data: Results) -> str:
    """Decode speed per model and thread count, and the 1.5B model's bar."""
    bar = data["bar_decode_tok_s_1_5b"]
    measured = [r for r in data["results"] if "skipped" not in r]
    rows = [
        (
            r["model"],
            r["threads"],
            f"**{r['decode_tok_s']:.1f}**",
            f"{r['first_piece_s']:.2f}",
            f"{r['end_to_end_tok_s']:.1f}",
            f"{r['decode_cpu_ms_per_token']:.0f}",
            f"{r['peak_rss_mb']:,.0f}",
        )
        for r in measured
    ]
    header = (
        "model",
        "threads",
        "decode tok/s",
        "first piece s",
        "end-to-end tok/s",
        "CPU ms/token",
        "peak MB",
    )
    big = [r["decode_tok_s"] for r in measured if "1.5b" in r["model"]]
    lines = [
        f"Up to {data['max_tokens']} tokens through `LocalGGUFGenerator.stream` (the product's "
        "path), each model in a fresh process, medians of seeded runs after a warm-up; decode "
        f"speed from the first streamed piece to the last.",
        "",
        *table(header, rows),
        "",
    ]
    if big:
        lines.append(
            f"- Bar for the 1.5B model: >= {bar:.0f} tok/s decode with the best thread count: "
            f"{verdict(max(big) >= bar)} ({max(big):.1f})."
        )
    skipped = dict.fromkeys(r["model"] for r in data["results"] if "skipped" in r)
    lines += [f"- {model}: not measured, its parts are not installed." for model in skipped]
    lines += [f"- llama.cpp build: `{build}`" for build in sorted({r["build"] for r in measured})]
    lines.append(f"- {provenance(data, 'llm_speed', legacy_load=_legacy_load(data))}")
    return "\n".join(lines) + "\n"
