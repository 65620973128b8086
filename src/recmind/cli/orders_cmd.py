"""``recmind orders seed`` (the demo shop's synthetic orders) and ``recmind orders list``."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from recmind.config import get_settings
from recmind.data.demo_orders import synthetic_orders
from recmind.data.importer import import_frame
from recmind.data.orders import MAX_PAGE, orders_for_user
from recmind.data.store import Store

console = Console()
errors = Console(stderr=True)
orders_app = typer.Typer(
    help="Orders: a person's orders; synthetic demo orders.", no_args_is_help=True
)
DbOption = Annotated[str | None, typer.Option("--db", help="Store URL (default: settings).")]


def _open_store(db: str | None) -> Store:
    store = Store.from_url(db) if db else Store.from_settings(get_settings())
    store.migrate()
    return store


def _fail(message: str) -> typer.Exit:
    errors.print(f"[red]error:[/red] {escape(message)}", highlight=False, soft_wrap=True)
    return typer.Exit(2)


@orders_app.command("seed")
def seed_command(
    count: Annotated[int, typer.Option(min=1, max=1_000_000, help="Orders to create.")] = 300,
    customers: Annotated[
        int, typer.Option(min=1, max=100_000, help="Synthetic customers placing them.")
    ] = 100,
    days: Annotated[int, typer.Option(min=1, max=3650, help="Spread over the last N days.")] = 90,
    seed: Annotated[int, typer.Option(help="Random seed.")] = 42,
    db: DbOption = None,
) -> None:
    """Create seeded synthetic orders from the store's catalogue (ids start with
    `synthetic-`: no real person's), validated and imported like an orders file. Dated
    relative to today (UTC): run again the same day with the same options, nothing
    changes; on a later day the same order ids are rewritten relative to that day."""
    settings = get_settings()
    with _open_store(db) as store:
        try:
            frame = synthetic_orders(
                store.load_items(),
                count=count,
                customers=customers,
                days=days,
                seed=seed,
                now=float(int(time.time() // 86_400) * 86_400),
            )
        except ValueError as exc:
            raise _fail(f"{exc} (import a catalogue first)") from exc
        summary = import_frame(
            store,
            "orders",
            frame,
            label="synthetic/orders",
            quarantine_dir=settings.quarantine_dir,
            settings=settings,
        )
    console.print(
        f"Synthetic orders: {summary.imported:,} written, {summary.duplicates:,} unchanged, "
        f"{summary.total_quarantined:,} rejected; {summary.users_created:,} synthetic "
        "customers created.",
        soft_wrap=True,
    )


def _when(moment: float | None) -> str:
    if moment is None:
        return "-"
    return datetime.fromtimestamp(moment, UTC).strftime("%Y-%m-%d")


@orders_app.command("list")
def list_command(
    user: Annotated[str, typer.Option("--user", help="Whose orders.")],
    limit: Annotated[int, typer.Option(min=1, max=MAX_PAGE)] = 20,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    db: DbOption = None,
) -> None:
    """A person's orders, newest first."""
    with _open_store(db) as store:
        rows, total = orders_for_user(store, user, limit=limit)
    if as_json:
        typer.echo(json.dumps({"orders": rows, "total": total}, ensure_ascii=False, indent=2))
        return
    table = Table(title=f"Orders of {escape(user)} ({total:,})")
    for name in ("order", "placed", "status", "items", "total", "carrier", "tracking", "expected"):
        table.add_column(name)
    for row in rows:
        table.add_row(
            escape(row["order_id"]),
            _when(row["created_at"]),
            row["status"],
            str(sum(line["quantity"] for line in row["lines"])),
            "-" if row["total"] is None else f"{row['total']:,.2f} {row['currency'] or ''}",
            escape(row["carrier"] or "-"),
            escape(row["tracking_number"] or "-"),
            _when(row["expected_delivery"]),
        )
    console.print(table)


def register(app: typer.Typer) -> None:
    """Add ``recmind orders`` to the command group."""
    app.add_typer(orders_app, name="orders")
