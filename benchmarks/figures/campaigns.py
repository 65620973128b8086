"""Renderer of the campaign benchmark (``campaign_send``): a campaign to 100k people, end to
end (audience, recommendations, rendering, outbox, SMTP delivery), stage by stage."""

from __future__ import annotations

from figures.base import Results, figure, provenance, table, verdict

BAR_S = 600.0
STAGES = {
    "audience": "audience (segment refreshed)",
    "recommender": "recommender (model loaded, lists warmed)",
    "compose": "compose (recommend, render, outbox)",
    "deliver": "deliver (rules, SMTP)",
}


@figure(
    "campaign_send",
    title="Campaigns: one send to a segment, end to end",
    command=".venv/bin/python benchmarks/campaign_send.py",
    pending=True,
)
def campaign_send(data: Results) -> str:
    """Seconds and messages/s per stage, the total against the 10-minute bar."""
    stages = data["stages"]
    rows = []
    for name, label in STAGES.items():
        found = stages[name]
        rate = found.get("per_second")
        rows.append(
            [
                label,
                f"{found['seconds']:,.1f}",
                f"{found['messages']:,}" if "messages" in found else "",
                f"{rate:,.0f}" if rate is not None else "",
                found["loadavg"].split()[0],
            ]
        )
    total = data["campaign_seconds"]
    smtp, outbox = data["smtp"], data["outbox"]
    reasons = data.get("skipped_by_reason", {})
    skipped = ", ".join(f"{k} {v:,}" for k, v in sorted(reasons.items())) or "none"
    exactly_once = smtp["duplicates"] == 0 and smtp["messages"] == outbox.get("sent", 0)
    lines = [
        f"{data['people']:,} people ({data['events']:,} events, {data['items']:,} items, "
        f"{data['backend']}), a segment audience, 4 personal recommendations each from a "
        f"trained {data['model']} model, the `newsletter` template, the outbox, then delivery "
        "through the send-time rules to an aiosmtpd server on loopback in its own process. "
        f"Preparing the shop took {stages['shop']['seconds']:,.0f} s and training "
        f"{stages['train']['seconds']:,.0f} s (not part of the campaign).",
        "",
        *table(["stage", "seconds", "messages", "messages/s", "load (1 min)"], rows),
        "",
        f"Campaign total: **{total:,.0f} s** (< {BAR_S:.0f} s: {verdict(total < BAR_S)}). "
        f"Outbox after delivery: {', '.join(f'{k} {v:,}' for k, v in sorted(outbox.items()))}"
        f" (skipped by reason: {skipped}). The SMTP server received "
        f"{smtp['messages']:,} messages under {smtp['keys']:,} idempotency keys, "
        f"{smtp['duplicates']} twice (exactly once: {verdict(exactly_once)}). Peak memory: "
        f"{data['peak_rss_mb']:,.0f} MB in the benchmark's process (generating the shop and "
        "training included), "
        f"{smtp['peak_rss_mb']:,.0f} MB in the SMTP server's.",
        "",
        provenance(data, "campaign_send"),
    ]
    return "\n".join(lines) + "\n"
