"""``recmind clv backtest`` (lifetime-value models scored on a holdout) and ``recmind
customers predict`` (every customer's predictions into the store)."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from recmind.cli.customers_cmd import customers_app, open_store, parse_moment, when
from recmind.cli.progress import import_progress
from recmind.customers.clv.backtest import Backtest, backtest_dataset, run_backtest
from recmind.customers.clv.plot import calibration_plot
from recmind.customers.predictions import build_predictions
from recmind.data.dataset_files import DatasetUnavailableError

console = Console()
errors = Console(stderr=True)
clv_app = typer.Typer(help="Lifetime value and churn models.", no_args_is_help=True)
EXIT_BAD_INPUT = 2
COLUMNS = (
    ("mae", "MAE", "{:.3f}"),
    ("rmse", "RMSE", "{:.3f}"),
    ("total_ratio", "total", "{:.3f}x"),
    ("spend_mae", "spend MAE", "{:,.2f}"),
    ("churn_auc", "churn AUC", "{:.3f}"),
    ("fit_seconds", "fit s", "{:.1f}"),
)


def _cell(value: float | None, pattern: str) -> str:
    return "-" if value is None else pattern.format(value)


def print_backtest(target: Console, result: Backtest) -> None:
    """One row per model, the served one marked; then the validation that chose it."""
    payload = result.as_json()
    table = Table(
        title=f"{payload['dataset']}: fit before {payload['calibration_end']}, "
        f"{result.holdout_days}-day holdout, {result.customers:,} customers, "
        f"{result.actual_total:,.0f} holdout orders"
    )
    table.add_column("model", no_wrap=True)
    for _, header, _ in COLUMNS:
        table.add_column(header, justify="right")
    for name, figures in payload["models"].items():
        label = f"recmind (= {result.chosen})" if name == "recmind" else name
        table.add_row(label, *(_cell(figures[key], fmt) for key, _, fmt in COLUMNS))
    target.print(table)
    fit = result.fit
    if fit.validation_loss:
        losses = ", ".join(f"{n} {v:.3f}" for n, v in sorted(fit.validation_loss.items()))
        target.print(
            f"Chosen on a {fit.validation_window:.0f}-day validation window inside the "
            f"training period (loss relative to bg-nbd, lower is better): {losses}.",
            soft_wrap=True,
        )
    for note in result.notes:
        target.print(f"[dim]{note}[/dim]", soft_wrap=True)


@clv_app.command("backtest")
def backtest_command(
    *,
    calibration_end: Annotated[
        str,
        typer.Option("--calibration-end", help="Fit on purchases before this date (ISO)."),
    ],
    holdout_days: Annotated[
        int, typer.Option("--holdout-days", help="Score the next N days.", min=1)
    ],
    dataset: Annotated[
        str | None, typer.Option("--dataset", help="A bundled dataset, e.g. cdnow.")
    ] = None,
    db: Annotated[str | None, typer.Option("--db", help="A store URL instead.")] = None,
    json_path: Annotated[
        Path | None, typer.Option("--json", help="Write the figures as JSON here.")
    ] = None,
    plot_path: Annotated[
        Path | None, typer.Option("--plot", help="Write the calibration plot (PNG) here.")
    ] = None,
) -> None:
    """Fit BG/NBD, Pareto/NBD and recmind's learned model on purchases before
    --calibration-end and score each on the next --holdout-days days: MAE and RMSE of
    per-customer orders (purchase days), predicted/actual total, spend MAE, churn AUC."""
    if (dataset is None) == (db is None):
        errors.print("[red]error:[/red] give exactly one of --dataset and --db")
        raise typer.Exit(EXIT_BAD_INPUT)
    try:
        end = parse_moment(calibration_end)
    except ValueError as exc:
        errors.print(f"[red]error:[/red] {str(exc).replace('--as-of', '--calibration-end')}")
        raise typer.Exit(EXIT_BAD_INPUT) from exc
    try:
        with import_progress(console) as progress:
            if dataset is not None:
                result = backtest_dataset(dataset, end, holdout_days, progress=progress)
            else:
                with open_store(db) as store:
                    name = store.engine.url.render_as_string(hide_password=True)
                    result = run_backtest(store, end, holdout_days, dataset=name, progress=progress)
    except (ValueError, DatasetUnavailableError) as exc:
        errors.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(EXIT_BAD_INPUT) from exc
    print_backtest(console, result)
    if json_path is not None:
        json_path.parent.mkdir(parents=True, exist_ok=True)
        json_path.write_text(json.dumps(result.as_json(), indent=2) + "\n", encoding="utf-8")
        console.print(f"Figures: {json_path}")
    if plot_path is not None:
        title = f"{result.dataset}: {result.holdout_days}-day holdout after {calibration_end}"
        calibration_plot(
            result.predictions(), result.actual_orders, plot_path, title=title, chosen=result.chosen
        )
        console.print(f"Calibration plot: {plot_path}")


def predict_command(
    as_of: Annotated[
        str | None,
        typer.Option("--as-of", help="Moment of the predictions (ISO date; default: now)."),
    ] = None,
    horizon_days: Annotated[
        float, typer.Option("--horizon-days", help="Prediction horizon in days.", min=1)
    ] = 90.0,
    db: Annotated[str | None, typer.Option("--db", help="Store URL (default: settings).")] = None,
) -> None:
    """Predict every customer's activity, orders, spend and churn risk over the horizon
    (the model chosen on validation) into the store's customer_predictions table."""
    try:
        moment = time.time() if as_of is None else parse_moment(as_of)
    except ValueError as exc:
        errors.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(EXIT_BAD_INPUT) from exc
    with open_store(db) as store, import_progress(console) as progress:
        report = build_predictions(store, moment, horizon_days, progress=progress)
    console.print(f"Predictions as of {when(report.as_of)}: {report}.", soft_wrap=True)


def register(app: typer.Typer) -> None:
    """Add ``recmind clv`` and ``recmind customers predict``."""
    app.add_typer(clv_app, name="clv")
    customers_app.command("predict")(predict_command)
