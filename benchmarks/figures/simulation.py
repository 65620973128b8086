"""Renderer of the campaign replay (``campaign_replay``): recmind's personalised campaigns
against best-sellers, random and last items on real held-out weeks."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

from figures.base import Results, figure, provenance, table, verdict

POLICIES = {
    "recmind": "recmind",
    "bestsellers": "best-sellers",
    "random": "random items",
    "last": "last items",
}
AUDIENCES = {"recmind": "recmind's likely buyers", "recent": "latest buyers", "random": "random"}
SETTINGS = {"new": "new items only", "repeat": "repeat buys allowed"}


def _ci(data: Mapping[str, Any] | None, digits: int = 2, suffix: str = "x") -> str:
    if not data or data.get("value") is None:
        return "-"
    text = f"{data['value']:.{digits}f}{suffix}"
    if data.get("low") is not None and data.get("high") is not None:
        text += f" ({data['low']:.{digits}f}-{data['high']:.{digits}f})"
    return text


def _pct(data: Mapping[str, Any]) -> str:
    value = data.get("value")
    return "-" if value is None else f"{100 * value:.2f}%"


def _cells(run: Mapping[str, Any]) -> dict[tuple[str, str], Mapping[str, Any]]:
    return {(c["audience"], c["policy"]): c for c in run["cells"]}


def _label(run: Mapping[str, Any]) -> str:
    return f"{run['dataset']}, {SETTINGS.get(run.get('setting', ''), run.get('setting', ''))}"


def _headline_rows(runs: Sequence[Mapping[str, Any]]) -> list[list[object]]:
    rows: list[list[object]] = []
    for run in runs:
        cells = _cells(run)
        ours = cells[("recmind", "recmind")]
        vs, bar = run["recmind_vs_bestsellers"], run["bar"]
        whole, items = bar["whole_campaign"], bar["items_alone"]
        base = whole["baseline_audience"]
        revenue = vs[base].get("revenue")
        rows.append(
            [
                _label(run),
                len(run["moments"]),
                f"{run['moments'][0]['audience_size']:,}",
                f"{ours['conversions']:,} / {ours['campaigns']:,} = **{_pct(ours['rate'])}**",
                f"{_pct(cells[(base, 'bestsellers')]['rate'])} ({AUDIENCES.get(base, base)})",
                f"**{_ci(whole['lift'])}**",
                _ci(revenue) if revenue else "no money in the data",
                _pct(cells[("recmind", "bestsellers")]["rate"]),
                _ci(items["lift"]),
            ]
        )
    return rows


def _matrix_rows(runs: Sequence[Mapping[str, Any]]) -> list[list[object]]:
    rows: list[list[object]] = []
    for run in runs:
        cells = _cells(run)
        for audience in run["config"]["audiences"]:
            shown = []
            for policy in POLICIES:
                cell = cells.get((audience, policy))
                if cell is None:
                    shown.append("-")
                elif not cell["with_items"]:
                    shown.append("n/a (nothing to promote)")
                else:
                    money = cell.get("revenue_per_campaign")
                    extra = "" if money is None else f", {money:.2f}/campaign"
                    shown.append(f"{_pct(cell['rate'])}{extra}")
            rows.append([_label(run), AUDIENCES.get(audience, audience), *shown])
    return rows


def _choices(run: Mapping[str, Any]) -> str:
    windows = Counter(
        f"{m['best_sellers']['window_days']:g} days by {m['best_sellers']['rank_by']}"
        for m in run["moments"]
        if m.get("best_sellers")
    )
    audiences = Counter(m["audience_models"]["recmind"] for m in run["moments"])
    model = run["model"]
    fits = ", ".join(f"{f['seconds']:.0f} s" for f in model["fits"])
    refit = run["config"]["refit_days"]
    peak = run.get("peak_rss_mb")
    memory = "" if peak is None else f" (peak memory {peak:,.0f} MB)"
    when = (
        "fitted once at the first moment, histories read live at every moment"
        if refit is None
        else f"refitted at each moment {refit:g}+ days after the last fit"
    )
    return (
        f"- {_label(run)}: held out from {run['held_out_from'][:10]}, "
        f"{run['moments'][0]['candidates']:,} people had bought by the first moment; "
        f"best-sellers chose {', '.join(f'{w} ({n}x)' for w, n in windows.most_common())}; "
        f"recmind's audience model {', '.join(f'{a} ({n}x)' for a, n in audiences.items())}; "
        f"{model['name']} {model['params']} (validation NDCG@10 "
        f"{model['validation_ndcg@10'] or 0:.4f} on the {model['tuned_on']} split, tuned in "
        f"{model['tuning_seconds'] or 0:.0f} s; {when}: {fits}); "
        f"{run['wall_minutes']:.1f} min{memory}, load {run['loadavg_start']} -> "
        f"{run['loadavg_end']}."
    )


@figure(
    "campaign_replay",
    title="Campaign replay: recmind's personalised campaigns against best-sellers on real "
    "held-out weeks",
    command=".venv/bin/python benchmarks/campaign_replay.py",
    pending=True,
)
def campaign_replay(data: Results) -> str:
    runs: Sequence[Mapping[str, Any]] = data["runs"]
    first = runs[0]["config"]
    bars = data["bar"]

    def said(way: str) -> str:
        if not bars:
            return "not measured (neither dataset was run)"
        parts = []
        for name, bar in bars.items():
            lift = bar[way]["lift"]
            shown = "undefined" if lift.get("value") is None else f"{lift['value']:.2f}x"
            parts.append(f"{name} {shown} ({verdict(bool(bar[way]['met']))})")
        return "; ".join(parts)

    lines = [
        f"Weekly campaigns inside each dataset's held-out period (from the temporal cut), "
        f"{first['k']} items per person, a conversion = the person buys a promoted item "
        f"within {first['window_days']:g} days (MovieLens: rates it). Every audience rule "
        f"picks the same number of people per moment ({100 * first['audience_share']:.0f}% "
        f"of those who had bought, at most {first['max_audience']:,}); every policy reads "
        "only the events before the moment. Lift: conversion rate over the tuned "
        "best-sellers', 95% bootstrap interval over people (BCa, scipy). *Whole campaign*: "
        "recmind's items to recmind's audience against the best-seller campaign that "
        "converted best without recmind (best-sellers to the latest buyers or to random "
        "people, whichever did better: the baseline's best case, picked after the fact). "
        "*Items alone*: against best-sellers sent to recmind's own audience.",
        "",
        *table(
            [
                "dataset, setting",
                "weeks",
                "audience",
                "recmind: its items to its likely buyers",
                "best best-seller campaign without recmind",
                "lift, whole campaign",
                "revenue lift, whole campaign",
                "best-sellers to recmind's likely buyers",
                "lift, items alone",
            ],
            _headline_rows(runs),
        ),
        "",
        "Bar (recmind's campaigns >= 2x best-seller campaigns on Online Retail and Complete "
        f"Journey, new items): whole campaign {said('whole_campaign')}. Items alone (the "
        f"best-sellers sent to recmind's own audience): {said('items_alone')}.",
        "",
        "Conversion rate of every audience and item policy (revenue per campaign where the "
        "data has money):",
        "",
        *table(["dataset, setting", "audience", *POLICIES.values()], _matrix_rows(runs)),
        "",
        "- *New items only*: no policy may promote what the person bought before the moment "
        "(as the served path leaves seen items out), so the person's last items have nothing "
        "to promote on purchase-only data. *Repeat buys allowed*: every policy may; the "
        "served hybrid still proposes only items the person has not touched (its candidate "
        "sources leave them out), so its campaigns are those of the new-items setting, while "
        "best-sellers and last items now earn from repeat buys (recmind's tool for those, "
        "the `replenish` source, is replayed with `--policies replenish`: see "
        "[docs/simulation.md](docs/simulation.md)).",
        *(_choices(run) for run in runs),
        f"- The replays took {sum(r['wall_minutes'] for r in runs):.0f} min in all.",
        provenance(data, "campaign_replay"),
    ]
    return "\n".join(lines) + "\n"
