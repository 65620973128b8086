"""``recmind datasets list|load``: the real datasets that ship inside installed packages."""

from __future__ import annotations

import typer
from rich.console import Console
from rich.table import Table

from recmind.cli.import_cmd import print_import_summary
from recmind.cli.progress import import_progress
from recmind.config import get_settings
from recmind.data.datasets import DATASETS, DatasetUnavailableError, load_dataset, resolve_name
from recmind.data.importer import import_bundle
from recmind.data.store import Store

datasets_app = typer.Typer(help="Bundled real datasets (offline).", no_args_is_help=True)
console = Console()


@datasets_app.command("list")
def list_datasets() -> None:
    """Show the bundled datasets and where they come from."""
    table = Table(title="Bundled datasets")
    table.add_column("name", no_wrap=True)
    for column in ("content", "package", "terms", "recommendable"):
        table.add_column(column)
    for info in DATASETS.values():
        table.add_row(
            info.name, info.title, info.package, info.license, "yes" if info.recommendable else "no"
        )
    console.print(table)


@datasets_app.command("load")
def load(
    name: str = typer.Argument(..., help="Dataset name, e.g. movielens-100k."),
    db: str | None = typer.Option(None, "--db", help="Store URL (default: RECMIND_DB_URL)."),
) -> None:
    """Validate and import a bundled dataset into the store (idempotent)."""
    settings = get_settings()
    try:
        canonical = resolve_name(name)
        bundle = load_dataset(canonical)
    except (ValueError, DatasetUnavailableError) as exc:
        console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from exc
    store = Store.from_url(db) if db else Store.from_settings(settings)
    try:
        store.migrate()
        with import_progress(console) as progress:
            summary = import_bundle(
                store, bundle, quarantine_dir=settings.quarantine_dir, progress=progress
            )
        print_import_summary(console, summary, title=f"{canonical} -> {store.url}")
    finally:
        store.close()


def register(app: typer.Typer) -> None:
    app.add_typer(datasets_app, name="datasets")
