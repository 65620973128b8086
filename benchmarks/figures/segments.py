"""Renderer of the segment-count benchmark (``segments_count``): one count per built-in
segment and per rule kind over 100k customers and 10M events, SQLite and PostgreSQL, with
and without the proposed event indexes."""

from __future__ import annotations

from figures.base import Results, figure, provenance, table, verdict

BAR_S = 1.0


@figure(
    "segments_count",
    title="Segments: one count over 100k customers and 10M events",
    command=".venv/bin/python benchmarks/segments_count.py --pg postgresql+psycopg://...",
)
def segments_count(data: Results) -> str:
    """Median seconds per count, per backend, against the 1 s bar."""
    backends = data["backends"]
    names = list(next(iter(backends.values()))["rules"])
    header = ["rule", "members"]
    for backend, result in backends.items():
        if "without_indexes" in result:
            header.append(f"{backend} s, no new index")
        header.extend([f"{backend} s", f"{backend} CPU s"])
    rows = []
    for name in names:
        first = next(iter(backends.values()))["rules"][name]
        row: list[object] = [name, f"{first['count']:,}"]
        for result in backends.values():
            if "without_indexes" in result:
                row.append(f"{result['without_indexes'][name]['seconds']:.2f}")
            found = result["rules"][name]
            row.extend([f"**{found['seconds']:.2f}**", f"{found['cpu_seconds']:.2f}"])
        rows.append(row)
    worst = {b: max(r["rules"][n]["seconds"] for n in names) for b, r in backends.items()}
    loads = [
        float(found["loadavg"].split()[0])
        for result in backends.values()
        for part in ("without_indexes", "rules")
        for found in result.get(part, {}).values()
        if "loadavg" in found
    ]
    sqlite_cpu = max(
        (backends["sqlite"]["rules"][n]["cpu_seconds"] for n in names if "sqlite" in backends),
        default=None,
    )
    lines = [
        f"{data['users']:,} customers, {data['events']:,} events (seeded synthetic shop), "
        f"median of {data['repeats']} counts per rule through `count_members`; CPU is this "
        "process's (SQLite runs in it; PostgreSQL's work is in the server). \"no new index\": "
        "the store as migration 0004 leaves it; then with the proposed indexes on "
        "`events (event_type, timestamp, user_id)` and `events (user_id, event_type, timestamp)`.",
        "",
        *table(header, rows),
        "",
        "Slowest count with the indexes: "
        + "; ".join(
            f"{backend} {seconds:.2f} s (< {BAR_S:.0f} s: {verdict(seconds < BAR_S)})"
            for backend, seconds in worst.items()
        )
        + (
            f"; the most SQLite CPU one count took: {sqlite_cpu:.2f} s"
            if sqlite_cpu is not None
            else ""
        )
        + (
            f". 1-minute load average during the counts: {min(loads):.1f} to {max(loads):.1f} "
            "on this 2-CPU machine shared with other work (wall times above CPU times are "
            "waiting for a CPU)."
            if loads
            else "."
        ),
        "",
        provenance(data, "segments_count"),
    ]
    return "\n".join(lines) + "\n"
