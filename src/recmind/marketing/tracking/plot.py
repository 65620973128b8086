"""The funnel plot: one panel per journey or campaign, people at each stage (entered, sent,
opened, clicked, converted) as horizontal bars with the share of those who entered, the
open bar hatched and labelled unreliable, and the conversion against the holdout in the
panel's title when there is one."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from recmind.marketing.tracking.report import SourceReport


def _title(report: SourceReport) -> str:
    label = f"{report.kind} {report.name or report.source_id}"
    comparison = report.holdout
    if comparison is None or comparison.difference is None:
        return label
    assert comparison.ci_low is not None and comparison.ci_high is not None
    return (
        f"{label}\nconversion {100 * (comparison.treated_rate or 0):.1f}% vs holdout "
        f"{100 * (comparison.holdout_rate or 0):.1f}% "
        f"(diff {100 * comparison.difference:+.1f} pts, "
        f"{int(100 * comparison.confidence)}% CI {100 * comparison.ci_low:+.1f} to "
        f"{100 * comparison.ci_high:+.1f})"
    )


def funnel_plot(reports: Sequence[SourceReport], path: Path) -> Path:
    """Write the funnel of each report to ``path`` (PNG); at least one report."""
    if not reports:
        raise ValueError("no report to plot")
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(
        len(reports), 1, figsize=(7.5, 2.6 * len(reports) + 0.4), squeeze=False
    )
    for panel, report in zip(axes[:, 0], reports, strict=True):
        stages = report.funnel()
        names = [s.name + (" (unreliable)" if s.unreliable else "") for s in stages]
        values = [s.people for s in stages]
        bars = panel.barh(names[::-1], values[::-1], color="#4878a8")
        for bar, stage in zip(bars, stages[::-1], strict=True):
            if stage.unreliable:
                bar.set_hatch("//")
                bar.set_alpha(0.5)
        top = max(values) or 1
        for bar, value in zip(bars, values[::-1], strict=True):
            share = f" ({100 * value / stages[0].people:.1f}%)" if stages[0].people else ""
            panel.text(
                value + top * 0.01,
                bar.get_y() + bar.get_height() / 2,
                f"{value}{share}",
                va="center",
                fontsize=8,
            )
        panel.set_xlim(0, top * 1.25)
        panel.set_xlabel("people")
        panel.set_title(_title(report), fontsize=9)
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=110)
    plt.close(figure)
    return path
