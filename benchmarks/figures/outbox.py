"""Renderer of the outbox delivery benchmark (``outbox_delivery``): messages per second to
a loopback SMTP server at 10k and 100k messages, SQLite and PostgreSQL, each key counted."""

from __future__ import annotations

from figures.base import Results, figure, provenance, table, verdict

AIM_PER_SECOND = 500.0


@figure(
    "outbox_delivery",
    title="Outbox: delivery to a loopback SMTP server",
    command=".venv/bin/python benchmarks/outbox_delivery.py --pg postgresql+psycopg://...",
    pending=True,
)
def outbox_delivery(data: Results) -> str:
    """Seconds and messages/s per run, against the 500 msg/s aim; exactly once per key."""
    runs = data["runs"]
    rows = [
        [
            run["backend"],
            f"{run['messages']:,}",
            f"{run['enqueue_seconds']:,.1f}",
            f"{run['deliver_seconds']:,.1f}",
            f"**{run['per_second']:,.0f}**",
            f"{run['worker_cpu_seconds']:,.1f}",
            f"{run['loadavg_start'].split()[0]} / {run['loadavg_end'].split()[0]}",
            f"{run['smtp']['keys']:,} keys, {run['smtp']['duplicates']} twice",
        ]
        for run in runs
    ]
    slowest = min(run["per_second"] for run in runs)
    once = all(run["exactly_once"] for run in runs)
    connections = sorted({run["connections"] for run in runs})
    lines = [
        "One rendered campaign email per person (text and HTML, about 4 KB), written to the "
        "outbox with `enqueue`, then `deliver_due` passes of 500 (send-time rules, SMTP over "
        f"{', '.join(str(c) for c in connections)} kept-open connections in lock-step rounds, "
        "one hand-off commit per round) until nothing is due. The SMTP server is aiosmtpd on "
        "loopback in its own process, counting every message per idempotency key. Worker CPU "
        "is the delivering process's; the server's work is in its own process.",
        "",
        *table(
            [
                "store",
                "messages",
                "enqueue s",
                "deliver s",
                "messages/s",
                "worker CPU s",
                "load (1 min) start / end",
                "SMTP server",
            ],
            rows,
        ),
        "",
        f"Slowest run: {slowest:,.0f} messages/s (aim >= {AIM_PER_SECOND:.0f}: "
        f"{verdict(slowest >= AIM_PER_SECOND)}); every message exactly once: {verdict(once)}. "
        f"Peak memory of the benchmark's process: {data['peak_rss_mb']:,.0f} MB.",
        "",
        provenance(data, "outbox_delivery"),
    ]
    return "\n".join(lines) + "\n"
