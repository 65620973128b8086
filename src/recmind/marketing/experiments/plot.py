"""The picture of a readout (PNG, matplotlib's Agg backend): three panels.

1. Each arm's conversion rate with its 95% credible interval (the global holdout in grey
   beside them). A blocked readout shows the people each arm has against what its weight
   expected instead, under a red banner, and nothing else.
2. The posterior density of each arm's rate: overlap means "not decided yet".
3. A/B/n: each variant minus the control with its interval, for conversion (points) and
   revenue per person (Welch and CUPED), filled when significant after Holm's correction.
   Bandit: the allocation it uses now and the off-policy (SNIPS) estimate of each arm
   alone.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
from scipy.stats import beta as beta_dist

from recmind.marketing.experiments.readout import ArmReadout, Readout

COLOURS = ["#4878a8", "#e08030", "#58a058", "#c04848", "#8868b0", "#907060", "#d070b0"]


def _rates(axis: Any, readout: Readout) -> None:
    arms: list[ArmReadout] = list(readout.arms)
    if readout.holdout is not None:
        arms.append(readout.holdout)
    names, values, low, high, colours = [], [], [], [], []
    for index, arm in enumerate(arms):
        suffix = " (control)" if arm.control and arm.variant != "control" else ""
        names.append(arm.variant + suffix)
        rate = arm.rate or 0.0
        values.append(100 * rate)
        if arm.posterior is not None:
            lo, hi = arm.posterior.interval()
            low.append(100 * max(rate - lo, 0.0))
            high.append(100 * max(hi - rate, 0.0))
        else:
            low.append(0.0)
            high.append(0.0)
        colours.append("#a0a0a0" if arm.variant == "holdout" else COLOURS[index % len(COLOURS)])
    axis.bar(names, values, yerr=[low, high], color=colours, capsize=4)
    for x, (value, top, arm) in enumerate(zip(values, high, arms, strict=True)):
        label = f"{value:.2f}%\n{arm.conversions:,}/{arm.people:,}"
        axis.text(x, value + top, label, ha="center", va="bottom", fontsize=7)
    axis.margins(y=0.15)
    axis.set_ylabel("conversion rate (%)")
    axis.set_title("conversion (95% credible interval)", fontsize=9)


def _blocked(axis: Any, readout: Readout) -> None:
    assert readout.srm is not None
    names = [a.variant for a in readout.arms]
    x = np.arange(len(names))
    axis.bar(x - 0.2, readout.srm.observed, 0.4, label="people", color="#c04848")
    axis.bar(x + 0.2, readout.srm.expected, 0.4, label="expected by weight", color="#a0a0a0")
    axis.set_xticks(x, names)
    axis.legend(fontsize=7)
    axis.set_title(f"sample ratio mismatch (p = {readout.srm.p_value:.2g})", fontsize=9)


def _posteriors(axis: Any, readout: Readout) -> None:
    if readout.blocked:
        axis.text(0.5, 0.5, "blocked: no posterior is shown", ha="center", va="center")
        axis.set_axis_off()
        return
    for index, arm in enumerate(readout.arms):
        if arm.posterior is None:
            continue
        p = arm.posterior
        lo, hi = beta_dist.ppf([1e-4, 1 - 1e-4], p.alpha, p.beta)
        grid = np.linspace(lo, hi, 400)
        axis.plot(
            100 * grid,
            beta_dist.pdf(grid, p.alpha, p.beta) / 100,
            color=COLOURS[index % len(COLOURS)],
            label=arm.variant,
        )
    axis.set_xlabel("conversion rate (%)")
    axis.set_yticks([])
    axis.legend(fontsize=7)
    axis.set_title("posterior of each arm's rate", fontsize=9)


def _differences(
    axis: Any, readout: Readout, metrics: tuple[str, ...], unit: str, message: str | None
) -> None:
    rows = []
    scale = 100.0 if unit == "points" else 1.0
    for metric in metrics:
        for test in readout.tests.get(metric, []):
            label = f"{test.variant}" + (" (CUPED)" if metric.endswith("cuped") else "")
            rows.append(
                (
                    label,
                    scale * test.difference,
                    scale * test.ci_low,
                    scale * test.ci_high,
                    test.significant,
                )
            )
    if not rows:
        axis.text(0.5, 0.5, message or "no test yet", ha="center", va="center", fontsize=8)
        axis.set_axis_off()
        return
    for y, (_, mid, low, high, significant) in enumerate(rows):
        axis.plot([low, high], [y, y], color="#404040")
        axis.plot([mid], [y], "o", color="#404040", fillstyle="full" if significant else "none")
    axis.axvline(0, color="#a0a0a0", linewidth=0.8)
    axis.set_yticks(range(len(rows)), [r[0] for r in rows], fontsize=7)
    axis.set_ylim(len(rows) - 0.5, -0.5)
    axis.set_xlabel(f"variant minus control ({unit})", fontsize=8)


def _bandit(axis: Any, readout: Readout) -> None:
    names = [a.variant for a in readout.arms]
    x = np.arange(len(names))
    axis.bar(
        x - 0.2,
        [100 * (a.allocation or 0) for a in readout.arms],
        0.4,
        color="#4878a8",
        label="allocation now (%)",
    )
    estimates = {e["policy"]: e["snips"] for e in readout.off_policy}
    values, errors = [], []
    for name in names:
        found = estimates.get(f"always {name}")
        values.append(100 * found["value"] if found else 0.0)
        errors.append(100 * (found["value"] - found["ci_low"]) if found else 0.0)
    axis.bar(
        x + 0.2,
        values,
        0.4,
        yerr=errors,
        capsize=4,
        color="#e08030",
        label="SNIPS value of always this arm (%)",
    )
    axis.set_xticks(x, names)
    axis.legend(fontsize=7)
    axis.set_title("bandit: allocation and off-policy estimates", fontsize=9)


def readout_plot(readout: Readout, path: Path) -> Path:
    """Write the readout's picture to ``path`` (PNG) and return it."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    bandit = readout.experiment.kind == "bandit"
    right = [["bandit"], ["bandit"]] if bandit else [["conversion"], ["revenue"]]
    figure, axes = plt.subplot_mosaic(
        [["rates", "posteriors", *right[0]], ["rates", "posteriors", *right[1]]],
        figsize=(14, 4.2),
    )
    if readout.blocked:
        _blocked(axes["rates"], readout)
    else:
        _rates(axes["rates"], readout)
    _posteriors(axes["posteriors"], readout)
    if bandit:
        _bandit(axes["bandit"], readout)
    else:
        message = "blocked: no test while the sample ratio is off" if readout.blocked else None
        _differences(axes["conversion"], readout, ("conversion",), "points", message)
        axes["conversion"].set_title(
            "variant minus control (filled: significant after Holm)", fontsize=9
        )
        _differences(
            axes["revenue"], readout, ("revenue", "revenue_cuped"), "revenue/person", message
        )
    experiment = readout.experiment
    title = f"{experiment.name} ({experiment.kind}, {experiment.status})"
    if readout.blocked:
        figure.suptitle(f"BLOCKED: {title}: sample ratio mismatch", color="#c00000")
    else:
        figure.suptitle(title)
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=100)
    plt.close(figure)
    return path
