"""``recmind marketing report (--journey ID | --campaign ID | --all) [--json OUT]
[--plot OUT.png]``.

Entered, sent, skipped by reason, deferred, opened (unreliable), clicked, converted (last
touch) with revenue and unsubscribed, per journey or campaign, and the conversion compared
with the global holdout (difference and its confidence interval).
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from recmind.cli.progress import step_progress
from recmind.config import get_settings
from recmind.data.store import Store
from recmind.marketing.segments.validate import time_value
from recmind.marketing.tracking.plot import funnel_plot
from recmind.marketing.tracking.report import (
    ReportError,
    SourceReport,
    all_reports,
    source_report,
)

console = Console()
errors = Console(stderr=True)
marketing_app = typer.Typer(
    help="Automated marketing: reports on journeys and campaigns.", no_args_is_help=True
)


def _fail(message: str) -> typer.Exit:
    errors.print(f"[red]error:[/red] {escape(message)}", highlight=False)
    return typer.Exit(2)


def _moment(text: str | None, option: str) -> float | None:
    if text is None:
        return None
    if text.replace(".", "", 1).isdigit():
        return float(text)
    moment = time_value(text)
    if moment is None:
        raise _fail(f"{option}: not an ISO date/time or epoch seconds: {text!r}")
    return moment


def _percent(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.2f}%"


def _holdout_line(report: SourceReport) -> str:
    comparison = report.holdout
    if comparison is None or comparison.difference is None:
        return "no held-out people to compare with"
    assert comparison.ci_low is not None and comparison.ci_high is not None
    return (
        f"conversion {_percent(comparison.treated_rate)} of {comparison.treated_people} "
        f"vs holdout {_percent(comparison.holdout_rate)} of {comparison.holdout_people}: "
        f"{100 * comparison.difference:+.2f} pts "
        f"({int(100 * comparison.confidence)}% CI {100 * comparison.ci_low:+.2f} to "
        f"{100 * comparison.ci_high:+.2f}, p={comparison.p_value:.3g})"
    )


def _print(reports: list[SourceReport]) -> None:
    table = Table(title="Marketing reports")
    columns = ("source", "entered", "sent", "skipped", "deferred", "opened*", "clicked")
    for column in (*columns, "converted", "revenue", "unsubscribed"):
        table.add_column(column, justify="left" if column == "source" else "right")
    for report in reports:
        table.add_row(
            escape(f"{report.kind} {report.name or report.source_id}"),
            str(report.entered),
            str(report.sent),
            str(sum(report.skipped.values())),
            str(report.deferred),
            str(report.opened),
            str(report.clicked),
            str(report.converted),
            f"{report.revenue:.2f}",
            str(report.unsubscribed),
        )
    console.print(table)
    console.print("* opens are unreliable: privacy proxies and scanners open mail by themselves")
    for report in reports:
        skipped = ", ".join(f"{k} {v}" for k, v in sorted(report.skipped.items())) or "none"
        console.print(f"[bold]{escape(report.kind)} {escape(report.source_id)}[/bold]")
        console.print(f"  skipped: {escape(skipped)}")
        console.print(f"  holdout: {_holdout_line(report)}")


@marketing_app.command("report")
def report_command(
    *,
    journey: Annotated[str | None, typer.Option("--journey", help="One journey's id.")] = None,
    campaign: Annotated[str | None, typer.Option("--campaign", help="One campaign's id.")] = None,
    every: Annotated[bool, typer.Option("--all", help="Every journey and campaign.")] = False,
    since: Annotated[
        str | None, typer.Option("--since", help="Messages written from (ISO or epoch).")
    ] = None,
    until: Annotated[
        str | None, typer.Option("--until", help="Messages written until (default now).")
    ] = None,
    json_out: Annotated[
        Path | None, typer.Option("--json", help="Write the reports as JSON here.")
    ] = None,
    plot: Annotated[Path | None, typer.Option("--plot", help="Write the funnel PNG here.")] = None,
    db: Annotated[str | None, typer.Option("--db", help="Store URL (default: settings).")] = None,
) -> None:
    """Report one journey, one campaign, or all of them."""
    if sum((journey is not None, campaign is not None, every)) != 1:
        raise _fail("give exactly one of --journey ID, --campaign ID or --all")
    start, end = _moment(since, "--since"), _moment(until, "--until")
    settings = get_settings()
    store = Store.from_url(db) if db else Store.from_settings(settings)
    now = time.time()
    with store:
        store.migrate()
        try:
            if journey is not None:
                reports = [
                    source_report(
                        store, settings, "journey", journey, now=now, since=start, until=end
                    )
                ]
            elif campaign is not None:
                reports = [
                    source_report(
                        store, settings, "campaign", campaign, now=now, since=start, until=end
                    )
                ]
            else:
                with step_progress(errors, "reports") as advance:
                    reports = all_reports(
                        store, settings, now=now, since=start, until=end, on_report=advance
                    )
        except ReportError as exc:
            raise _fail(str(exc)) from exc
    if not reports:
        console.print("No journey or campaign yet.")
        return
    _print(reports)
    if json_out is not None:
        json_out.parent.mkdir(parents=True, exist_ok=True)
        document = {"reports": [r.to_dict() for r in reports]}
        json_out.write_text(json.dumps(document, indent=2, ensure_ascii=False), encoding="utf-8")
        console.print(f"Wrote {escape(str(json_out))}")
    if plot is not None:
        funnel_plot(reports, plot)
        console.print(f"Wrote {escape(str(plot))}")


def register(app: typer.Typer) -> None:
    app.add_typer(marketing_app, name="marketing")
