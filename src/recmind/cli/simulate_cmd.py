"""``recmind simulate campaign``: replay campaigns over a dataset's held-out period and
compare recmind's personalised campaigns with best-sellers, random items and last items
(:mod:`recmind.marketing.simulate`)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from recmind.cli.customers_cmd import parse_moment
from recmind.cli.progress import import_progress
from recmind.config import get_settings
from recmind.data.bundle import DataBundle
from recmind.data.dataset_files import DatasetUnavailableError
from recmind.data.datasets import load_dataset, resolve_name
from recmind.data.store import Store
from recmind.marketing.simulate import POLICIES, ReplayConfig, ReplayLog, replay, summarise
from recmind.marketing.simulate.audiences import AUDIENCES
from recmind.marketing.simulate.plot import replay_plot
from recmind.marketing.simulate.summary import interval_text
from recmind.rec.base import DataTooLargeError
from recmind.training import training_bundle

console = Console()
errors = Console(stderr=True)
simulate_app = typer.Typer(help="Offline simulations on real data.", no_args_is_help=True)
EXIT_BAD_INPUT = 2


def _names(text: str, known: tuple[str, ...], option: str) -> tuple[str, ...]:
    names = tuple(dict.fromkeys(n.strip().lower() for n in text.split(",") if n.strip()))
    unknown = [n for n in names if n not in known]
    if not names or unknown:
        raise ValueError(f"{option}: choose from {', '.join(known)} (got {text!r})")
    return names


def _bundle(dataset: str | None, db: str | None) -> DataBundle:
    if dataset is not None:
        return load_dataset(resolve_name(dataset))
    settings = get_settings()
    with Store.from_url(db) if db else Store.from_settings(settings) as store:
        store.migrate()
        return training_bundle(store, settings.api.secret)


def print_summary(target: Console, summary: dict[str, Any]) -> None:
    """One row per (audience, item policy): campaigns, conversions, rate, lift over the
    best-sellers sent to the same audience, revenue per campaign; then the bar."""
    cfg = summary["config"]
    mode = "new items only" if cfg["new_only"] else "repeat buys allowed"
    table = Table(
        title=f"{summary['dataset']}: {len(summary['moments'])} campaign moments from "
        f"{summary['held_out_from'][:10]}, k={cfg['k']}, {cfg['window_days']:g}-day window, "
        f"{mode}"
    )
    for name in ("audience", "items", "campaigns", "conversions", "rate (95% CI)"):
        table.add_column(name, justify="left" if name in ("audience", "items") else "right")
    table.add_column("lift over best-sellers (95% CI)", justify="right")
    table.add_column("revenue / campaign", justify="right")
    lifts = {(r["audience"], r["policy"]): r for r in summary["lifts_same_audience"]}
    for cell in summary["cells"]:
        lift = lifts.get((cell["audience"], cell["policy"]))
        revenue = cell["revenue_per_campaign"]
        table.add_row(
            cell["audience"],
            cell["policy"] if cell["with_items"] else f"{cell['policy']} (no items)",
            f"{cell['campaigns']:,}",
            f"{cell['conversions']:,}",
            interval_text(cell["rate"], 4, ""),
            interval_text(lift["conversion"]) if lift else "-",
            "-" if revenue is None else f"{revenue:,.2f}",
        )
    target.print(table)
    for audience, pair in summary["recmind_vs_bestsellers"].items():
        target.print(
            f"recmind (its items, its audience) over best-sellers to the {audience} audience: "
            f"{interval_text(pair['conversion'])}",
            soft_wrap=True,
        )
    bar = summary["bar"]
    whole, items = bar["whole_campaign"], bar["items_alone"]
    if whole is not None:
        target.print(
            f"Bar (>= {bar['ratio']:g}x), whole campaign against best-sellers to the "
            f"{whole['baseline_audience']} audience: {_met(whole)}; items alone, same "
            f"audience: {_met(items)}.",
            soft_wrap=True,
        )


def _met(verdict: dict[str, Any]) -> str:
    lift = interval_text(verdict["lift"])
    return f"{lift}, {'met' if verdict['met'] else 'NOT met'}"


@simulate_app.command("campaign")
def campaign_command(
    *,
    dataset: Annotated[
        str | None, typer.Option("--dataset", help="A bundled dataset, e.g. online-retail.")
    ] = None,
    db: Annotated[str | None, typer.Option("--db", help="A store URL instead.")] = None,
    policies: Annotated[
        str, typer.Option("--policies", help=f"Item policies, of {','.join(POLICIES)}.")
    ] = ",".join(POLICIES),
    audiences: Annotated[
        str, typer.Option("--audiences", help=f"Audience rules, of {','.join(AUDIENCES)}.")
    ] = ",".join(AUDIENCES),
    k: Annotated[int, typer.Option("--k", min=1, help="Items per person.")] = 5,
    window_days: Annotated[
        float, typer.Option("--window-days", min=0.01, help="Days a buy counts.")
    ] = 7.0,
    step_days: Annotated[
        float, typer.Option("--step-days", min=0.01, help="Days between campaigns.")
    ] = 7.0,
    moments: Annotated[
        int | None, typer.Option("--moments", min=1, help="At most this many campaigns.")
    ] = None,
    start: Annotated[
        str | None,
        typer.Option("--start", help="First campaign day (default: the temporal cut)."),
    ] = None,
    audience_share: Annotated[
        float, typer.Option("--audience-share", help="Audience size over people who bought.")
    ] = 0.2,
    max_audience: Annotated[
        int, typer.Option("--max-audience", min=1, help="Cap on the audience size.")
    ] = 1000,
    repeats: Annotated[
        bool,
        typer.Option("--repeats/--new-only", help="Let every policy promote items bought before."),
    ] = False,
    model: Annotated[str, typer.Option("--model", help="The personalised model.")] = "hybrid",
    refit_days: Annotated[
        float | None, typer.Option("--refit-days", help="Refit once the model is this old.")
    ] = None,
    seed: Annotated[int, typer.Option("--seed", help="Seed of every draw.")] = 42,
    json_path: Annotated[
        Path | None, typer.Option("--json", help="Write the figures here.")
    ] = None,
    plot_path: Annotated[Path | None, typer.Option("--plot", help="Write a PNG here.")] = None,
) -> None:
    """Send a campaign every --step-days inside the held-out period: each audience rule
    picks the same number of people, each item policy --k items per person, all from
    the events before that moment; a campaign converts when its person buys one of its
    items within --window-days. Reports conversion rates, lift over best-sellers with a
    bootstrap interval over people and revenue where the data has it."""
    if (dataset is None) == (db is None):
        errors.print("[red]error:[/red] give exactly one of --dataset and --db")
        raise typer.Exit(EXIT_BAD_INPUT)
    try:
        config = ReplayConfig(
            k=k,
            window_days=window_days,
            step_days=step_days,
            max_moments=moments,
            start=None if start is None else parse_moment(start),
            audience_share=audience_share,
            max_audience=max_audience,
            policies=_names(policies, POLICIES, "--policies"),
            audiences=_names(audiences, AUDIENCES, "--audiences"),
            new_only=not repeats,
            model=model,
            refit_days=refit_days,
            seed=seed,
        )
        log = ReplayLog.from_bundle(_bundle(dataset, db))
        if log.events.empty:
            raise ValueError("no events with an item to replay")
        with import_progress(console) as progress:
            result = replay(log, config, progress)
            summary = summarise(result)
    except (ValueError, DatasetUnavailableError, DataTooLargeError) as exc:
        message = str(exc).replace("--as-of", "--start")
        errors.print(f"[red]error:[/red] {message}")
        raise typer.Exit(EXIT_BAD_INPUT) from exc
    print_summary(console, summary)
    if json_path is not None:
        json_path.parent.mkdir(parents=True, exist_ok=True)
        json_path.write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
        console.print(f"Figures: {json_path}")
    if plot_path is not None:
        replay_plot([summary], plot_path)
        console.print(f"Plot: {plot_path}")


def register(app: typer.Typer) -> None:
    app.add_typer(simulate_app, name="simulate")
