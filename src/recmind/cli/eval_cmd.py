"""``recmind eval``: offline evaluation of the recommenders on a dataset or a store."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy.engine import make_url

from recmind.cli.progress import step_progress
from recmind.config import get_settings
from recmind.data.bundle import DataBundle
from recmind.data.datasets import DatasetUnavailableError, load_dataset
from recmind.data.store import Store
from recmind.eval.cold import MAX_ITEM_SHARE
from recmind.eval.reference import with_reference_models
from recmind.eval.report import EvalReport, ReportFiles, write_json, write_reports
from recmind.eval.runner import check_ks, total_steps
from recmind.eval.seeds import SeedReport, evaluate_seeds, write_seed_json, write_seed_reports
from recmind.eval.specs import resolve_models
from recmind.eval.splits import PROTOCOLS
from recmind.rec.base import DataTooLargeError

console = Console()


def _fail(message: str, code: int = 2) -> typer.Exit:
    console.print(f"[red]error:[/red] {message}")
    return typer.Exit(code)


def parse_ks(text: str) -> list[int]:
    """``"10,20"`` -> ``[10, 20]``."""
    try:
        return check_ks([int(part) for part in text.split(",") if part.strip()])
    except ValueError as exc:
        raise ValueError(
            f"--k must be positive integers separated by commas, got {text!r}"
        ) from exc


def parse_models(text: str | None) -> list[str] | None:
    """``"pop,ease"`` -> ``["pop", "ease"]``; nothing means every model."""
    if text is None:
        return None
    names = [part.strip() for part in text.split(",") if part.strip()]
    return names or None


def load_bundle(dataset: str | None, db: str | None) -> DataBundle:
    """The bundle named by exactly one of ``--dataset`` and ``--db``."""
    if (dataset is None) == (db is None):
        raise ValueError("give exactly one of --dataset NAME or --db URL")
    if dataset is not None:
        return load_dataset(dataset)
    assert db is not None
    with Store.from_url(db) as store:
        label = make_url(store.url).render_as_string(hide_password=True)
        return store.load_bundle(name=label)


def render_table(report: EvalReport, spread: dict[str, dict[str, float]] | None = None) -> Table:
    """The report as a rich table: one column per model, one row per metric (fits a
    narrow terminal however many cut-offs there are); ``spread`` (label -> metric -> std
    over seeds) adds ``± std`` to every cell."""
    title = f"{report.dataset}: {report.protocol} protocol, full ranking"
    table = Table(title=title if spread is None else f"{title}, mean ± std over seeds")
    table.add_column("metric", style="bold")
    for row in report.rows:
        table.add_column(row.label, justify="right")
    for column in report.columns():
        cells = []
        for row in report.rows:
            cell = _cell(row.metrics.get(column))
            if spread is not None and column in spread.get(row.label, {}):
                cell += f" ± {spread[row.label][column]:.4f}"
            cells.append(cell)
        table.add_row(column, *cells)
    table.add_row("fit s", *(f"{row.fit_seconds:.2f}" for row in report.rows))
    table.add_row("users/s", *(f"{row.users_per_second:,.0f}" for row in report.rows))
    table.add_row("val ndcg@10", *(_cell(row.val_ndcg) for row in report.rows))
    return table


def _cell(value: float | None) -> str:
    return "-" if value is None else f"{value:.4f}"


def eval_command(
    *,
    dataset: Annotated[
        str | None, typer.Option("--dataset", help="Bundled dataset, e.g. movielens-100k.")
    ] = None,
    db: Annotated[str | None, typer.Option("--db", help="Store URL to read the data from.")] = None,
    models: Annotated[
        str | None,
        typer.Option("--models", help="Comma-separated model names (pop = popular); default: all."),
    ] = None,
    protocol: Annotated[
        str,
        typer.Option("--protocol", help="loo (leave-last-out), temporal, cold-item or cold-user."),
    ] = "loo",
    k: Annotated[str, typer.Option("--k", help="Cut-offs, comma-separated.")] = "10,20",
    json_path: Annotated[
        Path | None, typer.Option("--json", help="Also write the results as JSON here.")
    ] = None,
    seed: Annotated[
        int | None, typer.Option("--seed", help="Seed (default: RECMIND_SEED, 42).")
    ] = None,
    seeds: Annotated[
        int,
        typer.Option(
            "--seeds",
            min=1,
            help="Repeat with seeds SEED, SEED+1, ... and report mean ± std over this many.",
        ),
    ] = 1,
    cold_share: Annotated[
        float | None,
        typer.Option(
            "--cold-share",
            help="Share of items (cold-item, default 0.1, at most 0.25: as many decoys are "
            "drawn) or users (cold-user, default 0.2, at most 0.5) made cold.",
        ),
    ] = None,
) -> None:
    """Tune on a validation target, then measure every model on held-out data."""
    settings = get_settings()
    if protocol not in PROTOCOLS:
        raise _fail(f"--protocol must be one of {', '.join(PROTOCOLS)}, got {protocol!r}")
    limit = MAX_ITEM_SHARE if protocol == "cold-item" else 0.5
    if cold_share is not None and not 0.0 < cold_share <= limit:
        raise _fail(f"--cold-share must be in (0, {limit:g}] for {protocol}, got {cold_share}")
    try:
        ks = parse_ks(k)
        names = parse_models(models)
        specs = resolve_models(names, with_reference_models(names, None))
    except ValueError as exc:
        raise _fail(str(exc)) from exc
    try:
        with console.status("loading data"):
            bundle = load_bundle(dataset, db)
    except (ValueError, DatasetUnavailableError) as exc:
        raise _fail(str(exc)) from exc
    first_seed = settings.seed if seed is None else seed
    try:
        with step_progress(console, "evaluating", seeds * total_steps(specs)) as advance:
            result = evaluate_seeds(
                bundle,
                seeds=range(first_seed, first_seed + seeds),
                models=names,
                protocol=protocol,
                ks=ks,
                progress=advance,
                cold_share=cold_share,
            )
    except (ValueError, DataTooLargeError) as exc:
        raise _fail(str(exc), code=1) from exc
    files = _show_and_write(result, settings.reports_dir)
    console.print(f"markdown: {files.markdown}")
    console.print(f"plot:     {files.plot}")
    if files.history_plot is not None:
        console.print(f"history:  {files.history_plot}")
    if json_path is not None:
        console.print(f"json:     {_write_json(result, json_path)}")


def _show_and_write(result: SeedReport, directory: Path) -> ReportFiles:
    """Print the table and chosen hyperparameters; write the reports (one seed: the
    plain report, several: mean ± std)."""
    single = len(result.runs) == 1
    report = result.runs[0] if single else result.mean_report()
    console.print(render_table(report, None if single else result.std()))
    for row in report.rows:
        params = ", ".join(f"{k}={v}" for k, v in row.best_params.items()) or "defaults"
        console.print(f"{row.label}: {params}")
    return write_reports(report, directory) if single else write_seed_reports(result, directory)


def _write_json(result: SeedReport, path: Path) -> Path:
    """One seed: the plain format; several: means with ``_std`` keys."""
    return (
        write_json(result.runs[0], path) if len(result.runs) == 1 else write_seed_json(result, path)
    )


def register(app: typer.Typer) -> None:
    app.command("eval")(eval_command)
