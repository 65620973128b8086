"""Renderers of the HTTP service's figures: GET recommendations under open-loop load
(``api_serving``) and sustained event ingestion (``api_ingest``, ``api_ingest_postgresql``)."""

from __future__ import annotations

from figures.base import Results, figure, loads, provenance, table, verdict

INGEST_BAR_EVENTS_PER_S = 5000.0


@figure(
    "api_serving",
    title="GET recommendations, MovieLens 100K, open loop",
    command=".venv/bin/python benchmarks/api_serving.py",
)
def api_serving(data: Results) -> str:
    """Steady and swap phases against the latency bar, the cost of a cache miss, set-up."""
    steady, swap, bar = data["steady"], data["swap"], data["bar"]
    around, cost = swap["around_swap"], data["scoring_cost"]
    rate, seconds = data["rate"], data["seconds"]
    rows = [
        (
            f"GET `/v1/users/{{id}}/recommendations`, {rate:.0f} requests/s for {seconds:.0f} s",
            f"**p50 {steady['p50_ms']:.1f} ms, p95 {steady['p95_ms']:.1f} ms, p99 "
            f"{steady['p99_ms']:.1f} ms**, {steady['failed']:,} of {steady['requests']:,} failed",
            f"p50 <= {bar['p50_ms']:.0f} ms, p99 <= {bar['p99_ms']:.0f} ms: "
            f"{verdict(data['bar_met'])}",
            f"{loads(steady['loadavg_before'][:1])} -> {loads(steady['loadavg_after'][:1])}",
        ),
        (
            "the same while a new model version is published and swapped in",
            f"p50 {swap['p50_ms']:.1f} ms, p99 {swap['p99_ms']:.1f} ms, **{swap['failed']:,} "
            f"of {swap['requests']:,} failed** (p99 {around['p99_ms']:.0f} ms from the "
            f"publish to {swap.get('around_swap_window_s', 5.0):.0f} s after the swap)",
            f"0 failed: {verdict(swap['failed'] == 0)}",
            f"{loads(swap['loadavg_before'][:1])} -> {loads(swap['loadavg_after'][:1])}",
        ),
    ]
    lines = table(("measure", "result", "bar", "1-min load average"), rows)
    lines += [
        "",
        f"- A cache miss (one person's list scored by the {data['model']} model itself, on "
        f"the server's core): p50 {cost['score_one_p50_ms']:.1f} ms, p99 "
        f"{cost['score_one_p99_ms']:.1f} ms ({cost['score_batch_per_person_ms']:.1f} ms per "
        f"person scored in one batch); a whole uncached request p50 "
        f"{cost['engine_miss_p50_ms']:.1f} ms, p99 {cost['engine_miss_p99_ms']:.1f} ms.",
        f"- The new version answered {swap['swap_seen_after_publish_s']:.1f} s after the "
        f"publish began. Set-up: import {data['import_s']:.1f} s, training and publishing "
        f"{data['train_s']:.0f} s, server ready {data['ready_s']:.1f} s after start.",
        f"- {provenance(data, 'api_serving', legacy_load='load average in the table')}",
    ]
    return "\n".join(lines) + "\n"


def _ingest(data: Results, name: str) -> str:
    """One backend's sustained ingestion against the 5,000 events/s bar, and durability."""
    median = data["events_per_second_median"]
    acked, stored = data["acknowledged_events"], data["stored_events"]
    intact = acked == stored == data["stored_distinct_event_ids"]
    met = median >= INGEST_BAR_EVENTS_PER_S and intact and data["errors"] == 0
    backend = "SQLite" if data["backend"] == "sqlite" else "PostgreSQL"
    server_ms = data["server_cpu_share"] * data["seconds"] * 1e6 / max(acked, 1)
    where = (
        "its database server unpinned, sharing both cores"
        if data["backend"] != "sqlite"
        else "the database inside the server process"
    )
    rows = [
        (
            f"POST `/v1/events`, batches of {data['batch']}, {data['seconds']:.0f} s, "
            f"{data['clients']} clients, {backend} ({where})",
            f"**{median:,.0f} events/s** (median of 1-s windows; slowest window "
            f"{data['events_per_second_min']:,.0f}, whole run "
            f"{data['events_per_second_overall']:,.0f}); {acked:,} acknowledged = "
            f"{stored:,} stored" + ("" if intact else " **MISMATCH**"),
            f">= {INGEST_BAR_EVENTS_PER_S:,.0f}/s, 0 lost: {verdict(met)}",
            f"{loads(data['load_average_before'][:1])} -> {loads(data['load_average_after'][:1])}",
        )
    ]
    lines = table(("measure", "result", "bar", "1-min load average"), rows)
    lines += ["", f"- Server CPU: {server_ms:.0f} ms per 1,000 events acknowledged ("]
    lines[-1] += (
        f"{data['server_cpu_share']:.2f} of a core; load generator "
        f"{data['load_generator_cpu_share']:.2f}); batch latency p50 "
        f"{data['batch_latency_ms_p50']:.0f} ms, p99 {data['batch_latency_ms_p99']:.0f} ms; "
        f"{data['errors']} failed requests."
    )
    if not met and median < INGEST_BAR_EVENTS_PER_S:
        lines.append(
            f"- **The bar is missed**: {median:,.0f} events/s is below "
            f"{INGEST_BAR_EVENTS_PER_S:,.0f} on this machine at this load."
        )
    lines.append(f"- {provenance(data, name, legacy_load='load average in the table')}")
    return "\n".join(lines) + "\n"


@figure(
    "api_ingest",
    title="Ingestion: POST /v1/events, batches of 100, SQLite",
    command=".venv/bin/python benchmarks/api_ingest.py",
)
def api_ingest(data: Results) -> str:
    """Ingestion into SQLite."""
    return _ingest(data, "api_ingest")


@figure(
    "api_ingest_postgresql",
    title="Ingestion: POST /v1/events, batches of 100, PostgreSQL",
    command=".venv/bin/python benchmarks/api_ingest.py --db-url postgresql+psycopg://...",
)
def api_ingest_postgresql(data: Results) -> str:
    """Ingestion into PostgreSQL."""
    return _ingest(data, "api_ingest_postgresql")
