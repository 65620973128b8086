"""Renderer of the customer-intelligence scale figure (``customers_scale``): features and
predictions for 100,000 customers and 10,000,000 events, and segment counts over them, on
SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

from figures.base import Results, figure, provenance, table, verdict


def _predictions(build: dict[str, Any]) -> str:
    predictions = build["predictions"]
    if "seconds" in predictions:
        model = f" ({predictions['model']})" if "model" in predictions else ""
        return f"{predictions['seconds']:.1f} s{model}"
    return f"not measured ({predictions.get('status', 'no predictions module')})"


def _workers(data: Results) -> str:
    """How many batches ran at a time on each store."""
    found = [
        f"{entry['build']['workers']} on {backend}"
        for backend, entry in data["backends"].items()
        if "workers" in entry["build"]
    ]
    return (
        "batches computed " + (", ".join(found) if found else f"{data['workers']}") + " at a time"
    )


def _build_rows(data: Results) -> list[tuple[str, ...]]:
    bars = data["bars"]
    rows = []
    for backend, entry in data["backends"].items():
        build, load = entry["build"], entry["load"]
        seconds, rss = build["total_seconds"], build["peak_rss_mb"]
        measured = "seconds" in build["predictions"]
        what = "features + predictions" if measured else "features only"
        rows.append(
            (
                backend,
                f"{load['events']:,} events in {load['seconds']:.0f} s",
                f"{build['features_seconds']:.1f} s",
                _predictions(build),
                f"**{seconds:.1f} s** ({what}; {build['cpu_seconds']:.0f} s CPU)",
                f"{verdict(seconds < bars['build_seconds'])}"
                + ("" if measured else " for features; predictions pending"),
                f"**{rss:,.0f} MB**: {verdict(rss < bars['peak_rss_mb'])}",
                f"{entry['refresh']['seconds']:.1f} s ({entry['refresh']['computed']:,} "
                f"recomputed, {entry['refresh']['shifted']:,} moved)",
            )
        )
    return rows


def _segment_rows(data: Results) -> tuple[list[str], list[tuple[str, ...]]]:
    bar = data["bars"]["segment_count_seconds"]
    backends = list(data["backends"])
    labels: list[str] = []
    todo = []
    for backend in backends:
        segments = data["backends"][backend]["segments"]
        if "counts" not in segments:
            todo.append(f"{backend}: {segments.get('status', 'not measured')}")
            continue
        labels += [label for label in segments["counts"] if label not in labels]
    rows = []
    for label in labels:
        cells = [label]
        for backend in backends:
            found = data["backends"][backend]["segments"].get("counts", {}).get(label)
            if found is None:
                cells.append("-")
                continue
            seconds = found["seconds_median"]
            cells.append(
                f"{found['members']:,} members, **{seconds:.2f} s**: {verdict(seconds < bar)}"
            )
        rows.append(tuple(cells))
    return todo, rows


@figure(
    "customers_scale",
    title="Customer features at scale: 100,000 customers, 10,000,000 events",
    command=".venv/bin/python benchmarks/customers_scale.py",
    pending=True,
)
def customers_scale(data: Results) -> str:
    """Load, build (features, predictions), refresh and segment-count times per store."""
    bars = data["bars"]
    header = (
        "store",
        "bulk load",
        "features",
        "predictions",
        "build total",
        f"< {bars['build_seconds']:.0f} s",
        f"peak RSS (< {bars['peak_rss_mb'] / 1024:.0f} GB)",
        "incremental refresh after 1,000 new events",
    )
    todo, segment_rows = _segment_rows(data)
    lines = [
        f"A seeded shop of {data['customers']:,} customers, {data['events']:,} events and "
        f"{data['items']:,} items (power-law activity, popularity skew, a year of events, time "
        f"zones; `benchmarks/scale_shop.py`), features as of {data['as_of_utc']} UTC built by "
        f"{_workers(data)}, each phase in its own process. "
        + (
            "Events indexed as proposed for migration 0005: "
            + ", ".join(f"`{ix}`" for ix in data["proposed_indexes"])
            + "."
            if data.get("proposed_indexes")
            else "Events with the indexes of migrations 0001-0004 only."
        ),
        "",
        *table(header, _build_rows(data)),
        "",
    ]
    if segment_rows:
        lines += [
            f"Segment counts (median of 3, bar < {bars['segment_count_seconds']:.0f} s):",
            "",
            *table(("segment", *data["backends"]), segment_rows),
            "",
        ]
    lines += [f"- Segment counts TODO: {line}" for line in todo]
    lines.append(f"- {provenance(data, 'customers_scale')}")
    return "\n".join(lines) + "\n"
