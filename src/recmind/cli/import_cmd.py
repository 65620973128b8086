"""``recmind import``: load catalogue, users, events, reviews and orders from files into the
store."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from recmind.cli.progress import import_progress
from recmind.config import get_settings
from recmind.data.importer import ImportSummary, import_files
from recmind.data.readers import SourceError
from recmind.data.store import Store

console = Console()
errors = Console(stderr=True)

HELP = (
    "Import CSV, JSON Lines or Parquet files (.gz too) into the store, validating every row.\n\n"
    "Rejected rows go to a quarantine file with their reason; duplicates are skipped, so "
    "importing the same files again changes nothing. Exits non-zero only when nothing valid "
    "was imported, or when a file is missing or unreadable."
)
EXIT_NOTHING_IMPORTED = 1
EXIT_BAD_INPUT = 2


def print_import_summary(target: Console, summary: ImportSummary, title: str | None = None) -> None:
    """One row per source (rows read, imported, skipped as duplicates, users created,
    quarantined by reason), then where the quarantined rows went."""
    table = Table(title=title or "Import summary")
    table.add_column("source")
    for name in ("read", "imported", "dupes", "new users"):
        table.add_column(name, justify="right")
    table.add_column("quarantined", no_wrap=True, min_width=22)
    for source in summary.sources:
        reasons = "".join(f"\n{r}: {n:,}" for r, n in sorted(source.quarantined.items()))
        table.add_row(
            f"{Path(source.source).name}\n[dim]{source.entity}[/dim]",
            f"{source.read:,}",
            f"{source.imported:,}",
            f"{source.duplicates:,}",
            f"{source.users_created:,}",
            f"{source.total_quarantined:,}{reasons}",
        )
    target.print(table)
    for source in summary.sources:
        if source.quarantine_file is not None:
            target.print(
                f"Rejected rows of {source.source}: {source.quarantine_file}", soft_wrap=True
            )
    if summary.users_created:
        target.print(
            f"Created {summary.users_created:,} user(s) seen only in events, reviews or orders."
        )


def parse_mapping(pairs: list[str]) -> dict[str, str]:
    """``["movie_id=item_id", ...]`` as ``{"movie_id": "item_id"}``."""
    mapping: dict[str, str] = {}
    for pair in pairs:
        column, sep, target = pair.partition("=")
        if not sep or not column.strip() or not target.strip():
            raise ValueError(f"--map expects column=field, got {pair!r}")
        mapping[column.strip()] = target.strip()
    return mapping


def import_command(
    *,
    items: Annotated[Path | None, typer.Option("--items", help="Catalogue file.")] = None,
    users: Annotated[Path | None, typer.Option("--users", help="Users file.")] = None,
    events: Annotated[Path | None, typer.Option("--events", help="Behaviour events file.")] = None,
    reviews: Annotated[Path | None, typer.Option("--reviews", help="Reviews file.")] = None,
    orders: Annotated[
        Path | None,
        typer.Option(
            "--orders",
            help="Orders file: one order per row, its lines a JSON list of "
            "{item_id, quantity, unit_price} (in CSV: the JSON text).",
        ),
    ] = None,
    mapping: Annotated[
        list[str] | None,
        typer.Option(
            "--map",
            help="Rename a source column to a canonical field, e.g. movie_id=item_id "
            "(repeatable; applies to every file that has the column).",
        ),
    ] = None,
    db: Annotated[
        str | None, typer.Option("--db", help="Store URL (default: RECMIND_DB_URL).")
    ] = None,
) -> None:
    given = {
        "items": items,
        "users": users,
        "events": events,
        "reviews": reviews,
        "orders": orders,
    }
    if all(path is None for path in given.values()):
        errors.print(
            "[red]error:[/red] give at least one of --items, --users, --events, --reviews, --orders"
        )
        raise typer.Exit(EXIT_BAD_INPUT)
    try:
        columns = parse_mapping(mapping or [])
    except ValueError as exc:
        errors.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(EXIT_BAD_INPUT) from exc
    for flag, path in given.items():
        if path is not None and not path.is_file():
            errors.print(f"[red]error:[/red] --{flag} {path}: file not found")
            raise typer.Exit(EXIT_BAD_INPUT)
    settings = get_settings()
    store = Store.from_url(db) if db else Store.from_settings(settings)
    try:
        store.migrate()
        with import_progress(console) as progress:
            summary = import_files(
                store,
                items=items,
                users=users,
                events=events,
                reviews=reviews,
                orders=orders,
                mapping=columns,
                quarantine_dir=settings.quarantine_dir,
                progress=progress,
                settings=settings,
            )
    except (SourceError, ValueError) as exc:
        errors.print(f"[red]error:[/red] {exc}")
        errors.print(
            "Fix the input and run the same command again: rows already imported are skipped."
        )
        raise typer.Exit(EXIT_BAD_INPUT) from exc
    finally:
        store.close()
    print_import_summary(console, summary, title=f"Import into {_safe_url(store)}")
    if summary.total_valid == 0:
        errors.print("[red]error:[/red] nothing valid was imported (see the quarantine files)")
        raise typer.Exit(EXIT_NOTHING_IMPORTED)


def _safe_url(store: Store) -> str:
    return store.engine.url.render_as_string(hide_password=True)


def register(app: typer.Typer) -> None:
    """Add ``recmind import`` to the command group."""
    app.command("import", help=HELP)(import_command)
