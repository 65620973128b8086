"""``recmind customers build|show``: materialise customer features, then lifetime-value
predictions (:mod:`recmind.customers.predictions`), and show one customer's."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from recmind.cli.progress import import_progress
from recmind.config import get_settings
from recmind.customers.build import FeatureBuild, Progress, build_features
from recmind.customers.predictions import build_predictions
from recmind.customers.read import features_of, predictions_of
from recmind.customers.refresh import previous_as_of, refresh_features
from recmind.data.store import Store

console = Console()
errors = Console(stderr=True)
customers_app = typer.Typer(help="Customer features and predictions.", no_args_is_help=True)
EXIT_NOT_FOUND = 1
EXIT_BAD_INPUT = 2


def parse_moment(text: str) -> float:
    """``2025-03-01`` or an ISO 8601 date-time (UTC when it names no offset) as epoch
    seconds."""
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError as exc:
        raise ValueError(f"--as-of {text!r}: not an ISO 8601 date or date-time") from exc
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()


def when(moment: float | None) -> str:
    if moment is None:
        return "-"
    return datetime.fromtimestamp(moment, tz=UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def open_store(db: str | None) -> Store:
    store = Store.from_url(db) if db else Store.from_settings(get_settings())
    store.migrate()
    return store


def run_build(
    store: Store,
    as_of: float | None,
    full: bool | None,
    progress: Progress,
    *,
    workers: int | None = None,
) -> FeatureBuild:
    """A full build when asked, when nothing is stored yet or when ``as_of`` is before the
    stored features; otherwise an incremental refresh."""
    stored = previous_as_of(store)
    moment = time.time() if as_of is None else as_of
    if full is None:
        full = stored is None or moment < stored
    if full:
        return build_features(store, moment, progress=progress, workers=workers)
    if stored is not None and moment < stored:
        raise ValueError(
            f"--as-of {when(moment)} is before the stored features' as_of {when(stored)}: "
            "use --full"
        )
    return refresh_features(store, as_of=moment, progress=progress, workers=workers)


@customers_app.command("build")
def build_command(
    *,
    as_of: Annotated[
        str | None,
        typer.Option("--as-of", help="Moment of the features (ISO date; default: now)."),
    ] = None,
    db: Annotated[str | None, typer.Option("--db", help="Store URL (default: settings).")] = None,
    full: Annotated[
        bool | None,
        typer.Option(
            "--full/--incremental",
            help="Recompute everyone, or only customers with new events (default: "
            "incremental when features are stored, else full).",
        ),
    ] = None,
    predictions: Annotated[
        bool,
        typer.Option(
            "--predictions/--no-predictions",
            help="Also score lifetime value and churn over the horizon.",
        ),
    ] = True,
    horizon_days: Annotated[
        float | None,
        typer.Option(
            "--horizon-days",
            help="Prediction horizon in days (default: RECMIND_CUSTOMERS__HORIZON_DAYS).",
            min=1,
        ),
    ] = None,
    workers: Annotated[
        int | None,
        typer.Option(
            "--workers",
            help="Batches computed at a time (threads; default 2 on PostgreSQL, 1 on SQLite).",
            min=1,
            max=32,
        ),
    ] = None,
) -> None:
    """Compute every customer's features (recency, frequency, value, windows, category
    shares, preferred send time...) into the store's customer_features table, then their
    predictions."""
    try:
        moment = None if as_of is None else parse_moment(as_of)
    except ValueError as exc:
        errors.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(EXIT_BAD_INPUT) from exc
    with open_store(db) as store:
        with import_progress(console) as progress:
            try:
                report = run_build(store, moment, full, progress, workers=workers)
            except ValueError as exc:
                errors.print(f"[red]error:[/red] {exc}")
                raise typer.Exit(EXIT_BAD_INPUT) from exc
            started = time.perf_counter()
            scored = None
            if predictions:
                horizon = horizon_days or get_settings().customers.horizon_days
                scored = build_predictions(store, report.as_of, horizon, progress=progress)
        console.print(
            f"Customer features as of {when(report.as_of)} ({report.mode}): "
            f"{report.customers:,} customers; {report.computed:,} computed from their events, "
            f"{report.shifted:,} moved to the new moment, {report.removed:,} removed; "
            f"{report.seconds:.1f} s.",
            soft_wrap=True,
        )
        if scored is not None:
            console.print(f"Predictions: {scored}; {time.perf_counter() - started:.1f} s.")


def _value(name: str, value: Any) -> str:
    if value is None:
        return "-"
    if name.endswith("_at") or name == "as_of":
        return when(float(value))
    if isinstance(value, float):
        return f"{value:,.2f}"
    if isinstance(value, dict):
        return ", ".join(f"{k} {v:.0%}" for k, v in value.items()) or "-"
    return str(value)


def _table(title: str, row: dict[str, Any]) -> Table:
    table = Table(title=title, show_header=False)
    table.add_column("field", style="bold")
    table.add_column("value")
    for name, value in row.items():
        if name != "user_id":
            table.add_row(name, _value(name, value))
    return table


@customers_app.command("show")
def show_command(
    user_id: Annotated[str, typer.Argument(help="The user's id.")],
    db: Annotated[str | None, typer.Option("--db", help="Store URL (default: settings).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """One customer's stored features and, when present, predictions."""
    with open_store(db) as store:
        features = features_of(store, user_id)
        predicted = predictions_of(store, user_id)
    if features is None and predicted is None:
        errors.print(
            f"[red]error:[/red] no features stored for user {user_id!r} "
            "(run `recmind customers build`)"
        )
        raise typer.Exit(EXIT_NOT_FOUND)
    if as_json:
        payload = {"user_id": user_id, "features": features, "predictions": predicted}
        typer.echo(json.dumps(payload, ensure_ascii=False, indent=2))
        return
    if features is not None:
        console.print(_table(f"Customer {user_id}: features", features))
    if predicted is not None:
        console.print(_table(f"Customer {user_id}: predictions", predicted))


def register(app: typer.Typer) -> None:
    app.add_typer(customers_app, name="customers")
