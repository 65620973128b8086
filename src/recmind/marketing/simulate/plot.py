"""The picture of one or more replays (PNG, matplotlib's Agg backend): per replay, the
conversion rate of every item policy for every audience, with its 95% bootstrap interval,
and recmind's lift over the best-sellers sent to the same audience in the title."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from recmind.marketing.simulate.summary import interval_text

AUDIENCE_COLOURS = {"recmind": "#e08030", "recent": "#4878a8", "random": "#a0a0a0"}
AUDIENCE_LABELS = {
    "recmind": "recmind's likely buyers",
    "recent": "latest buyers",
    "random": "random people",
}
POLICY_LABELS = {
    "recmind": "recmind\npersonalised",
    "bestsellers": "best-sellers\n(tuned window)",
    "random": "random\nitems",
    "last": "last\nitems",
}


def _panel(axis: Any, summary: Mapping[str, Any]) -> None:
    cfg = summary["config"]
    policies, audiences = list(cfg["policies"]), list(cfg["audiences"])
    cells = {(c["audience"], c["policy"]): c for c in summary["cells"]}
    width = 0.8 / max(len(audiences), 1)
    x = np.arange(len(policies))
    for offset, audience in enumerate(audiences):
        values, low, high = [], [], []
        for policy in policies:
            rate = cells[(audience, policy)]["rate"]
            value = 100 * (rate["value"] or 0.0)
            values.append(value)
            low.append(max(value - 100 * (rate["low"] if rate["low"] is not None else 0), 0))
            high.append(max(100 * (rate["high"] if rate["high"] is not None else 0) - value, 0))
        axis.bar(
            x + (offset - (len(audiences) - 1) / 2) * width,
            values,
            width,
            yerr=[low, high],
            capsize=2,
            color=AUDIENCE_COLOURS.get(audience, "#58a058"),
            label=AUDIENCE_LABELS.get(audience, audience),
        )
    for position, policy in zip(x, policies, strict=True):
        if not any(cells[(a, policy)]["with_items"] for a in audiences):
            axis.text(
                position, 0, "n/a:\nnothing\nto promote", ha="center", va="bottom", fontsize=7
            )
    axis.set_xticks(x, [POLICY_LABELS.get(p, p) for p in policies], fontsize=8)
    axis.set_ylabel("conversion rate (%)", fontsize=8)
    axis.grid(axis="y", alpha=0.3)
    mode = "new items only" if cfg["new_only"] else "repeat buys allowed"
    title = f"{summary['dataset']} ({mode}, k={cfg['k']}, {len(summary['moments'])} moments)"
    bar = summary.get("bar", {})
    whole, items = bar.get("whole_campaign"), bar.get("items_alone")
    if whole:
        title += (
            f"\nrecmind over best-sellers to {AUDIENCE_LABELS.get(whole['baseline_audience'])}"
            f": {interval_text(whole['lift'])}"
        )
    if items:
        title += f"\nover best-sellers to the same people: {interval_text(items['lift'])}"
    axis.set_title(title, fontsize=8)


def replay_plot(summaries: Sequence[Mapping[str, Any]], path: Path) -> None:
    """One panel per replay summary (:func:`~recmind.marketing.simulate.summary.summarise`)
    side by side, written to ``path``."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    if not summaries:
        raise ValueError("nothing to plot: no replay summaries")
    columns = min(len(summaries), 3)
    rows = -(-len(summaries) // columns)
    fig, axes = plt.subplots(
        rows, columns, figsize=(5.4 * columns, 4.3 * rows + 0.8), squeeze=False
    )
    for axis, summary in zip(axes.flat, summaries, strict=False):
        _panel(axis, summary)
    for axis in list(axes.flat)[len(summaries) :]:
        axis.set_visible(False)
    handles, labels = axes[0][0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncols=len(labels), fontsize=8, frameon=False)
    fig.suptitle(
        "Campaign replay: share of campaigns whose person bought a promoted item\n"
        "within the window (95% bootstrap interval over people)",
        fontsize=9,
    )
    fig.tight_layout(rect=(0.0, 0.05, 1.0, 0.95))
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
