"""Renderer of the plain-language segment figure (``segment_drafting``): the share of
requests whose drafted rule selects exactly the customers the expected rule selects, per
language and difficulty, with latency, rejected outputs and retries."""

from __future__ import annotations

from figures.base import NOT_RECORDED, Results, figure, provenance, table, verdict


def _pct(value: float | None) -> str:
    return NOT_RECORDED if value is None else f"{value:.0%}"


def _row(label: str, part: Results) -> tuple[str, str, str, str]:
    jaccard = part.get("mean_jaccard")
    return (
        label,
        str(part["n"]),
        f"{part['correct']} ({_pct(part['accuracy'])})",
        NOT_RECORDED if jaccard is None else f"{jaccard:.2f}",
    )


@figure(
    "segment_drafting",
    title="Plain-language segments: drafted rules that select the intended customers",
    command=".venv/bin/python benchmarks/segment_drafting.py",
    pending=True,
)
def segment_drafting(data: Results) -> str:
    """Accuracy per language and difficulty, latency, invalid outputs and retries."""
    s = data["summary"]
    rows = [_row("requests with a proper expected set (headline)", s)]
    rows.append(_row("every request", s["all_requests"]))
    rows += [_row(f"language {k}", v) for k, v in s["by_language"].items()]
    rows += [_row(f"{k} requests", v) for k, v in s["by_difficulty"].items()]
    lines = [
        f"{s['all_requests']['n']} requests (`{data['requests_file']}`) drafted by "
        f"`{data['model']}` "
        f"against Complete Journey ({data['customers']:,} households, as of the day after "
        "the data ends). Correct = the drafted rule selects exactly the customers of the "
        "expected rule. Left out of the headline, because their expected rule selects "
        f"nobody or everybody: {', '.join(s['trivial_excluded']) or 'none'}.",
        "",
        *table(("requests", "n", "correct", "mean Jaccard"), rows),
        "",
        f"- Bar: at least {s['bar']:.0%} correct: {verdict(bool(s['met']))}.",
        f"- Every returned rule validated before it ran: "
        f"{'yes' if s['validated_before_run'] else '**no**'}; requests with no valid rule "
        f"after {data.get('max_attempts', 2)} attempts: {s['failed_requests']}.",
        f"- Outputs rejected by validation: {s['invalid_outputs']} of {s['generations']} "
        f"generations ({_pct(s['invalid_output_rate'])}); requests retried: "
        f"{s['retried_requests']}.",
        f"- Latency per request (median / max): {s['median_seconds']:.1f} s / "
        f"{s['max_seconds']:.1f} s on {data['threads']} threads, prompt prefix cached "
        "between requests.",
    ]
    weak = sorted(
        ((k, v) for k, v in s["by_tag"].items() if v["accuracy"] is not None),
        key=lambda kv: kv[1]["accuracy"],
    )[:3]
    if weak:
        lines.append(
            "- Weakest kinds of request: "
            + ", ".join(f"{k} {v['correct']}/{v['n']}" for k, v in weak)
            + "."
        )
    lines.append(
        "- ![Share correct per language and difficulty; Jaccard per request]"
        "(/benchmarks/results/segment_drafting.png)"
    )
    if data.get("set_problems"):
        lines.append("- Expected-set problems: " + "; ".join(data["set_problems"]) + ".")
    lines += ["", provenance(data, "segment_drafting"), ""]
    return "\n".join(lines)
