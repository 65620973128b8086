"""``recmind handoffs list|take ID|close ID``: the assistant's handoff queue."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Annotated, Literal

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from recmind.config import get_settings
from recmind.data.handoffs import Handoff, HandoffError, close, list_handoffs, take
from recmind.data.store import Store

console = Console()
errors = Console(stderr=True)
handoffs_app = typer.Typer(
    help="The assistant's handoff queue: conversations handed to a human.",
    no_args_is_help=True,
)
DbOption = Annotated[str | None, typer.Option("--db", help="Store URL (default: settings).")]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON.")]


def _open_store(db: str | None) -> Store:
    store = Store.from_url(db) if db else Store.from_settings(get_settings())
    store.migrate()
    return store


def _fail(message: str) -> typer.Exit:
    errors.print(f"[red]error:[/red] {escape(message)}", highlight=False, soft_wrap=True)
    return typer.Exit(2)


def _when(moment: float | None) -> str:
    if moment is None:
        return "-"
    return datetime.fromtimestamp(moment, UTC).strftime("%Y-%m-%d %H:%M")


def _show(handoff: Handoff, as_json: bool) -> None:
    if as_json:
        typer.echo(json.dumps(handoff.to_json(), ensure_ascii=False, indent=2))
        return
    taker = f" by {escape(handoff.taken_by)}" if handoff.taken_by else ""
    console.print(f"Handoff {handoff.handoff_id}: {handoff.status}{taker}", soft_wrap=True)


@handoffs_app.command("list")
def list_command(
    status: Annotated[
        Literal["open", "taken", "closed", "all"],
        typer.Option("--status", help="Which handoffs: open (default), taken, closed, all."),
    ] = "open",
    limit: Annotated[int, typer.Option(min=1, max=1000)] = 100,
    as_json: JsonOption = False,
    db: DbOption = None,
) -> None:
    """The queue, oldest first."""
    with _open_store(db) as store:
        rows = list_handoffs(store, status=None if status == "all" else status, limit=limit)
    if as_json:
        typer.echo(json.dumps([r.to_json() for r in rows], ensure_ascii=False, indent=2))
        return
    table = Table(title=f"Handoffs ({status}): {len(rows)}")
    for name in ("id", "created", "reason", "status", "user", "conversation", "summary"):
        table.add_column(name)
    for row in rows:
        table.add_row(
            row.handoff_id,
            _when(row.created_at),
            row.reason,
            row.status + (f" ({escape(row.taken_by)})" if row.taken_by else ""),
            escape(row.user_id or "anonymous"),
            escape(row.conversation_id),
            escape(row.summary[:80]),
        )
    console.print(table)


@handoffs_app.command("take")
def take_command(
    handoff_id: Annotated[str, typer.Argument(help="The handoff's id.")],
    by: Annotated[str, typer.Option("--by", help="Who takes it.")] = "cli",
    as_json: JsonOption = False,
    db: DbOption = None,
) -> None:
    """Take an open handoff."""
    with _open_store(db) as store:
        try:
            done = take(store, handoff_id, by)
        except HandoffError as exc:
            raise _fail(str(exc)) from exc
    _show(done, as_json)


@handoffs_app.command("close")
def close_command(
    handoff_id: Annotated[str, typer.Argument(help="The handoff's id.")],
    as_json: JsonOption = False,
    db: DbOption = None,
) -> None:
    """Close an open or taken handoff."""
    with _open_store(db) as store:
        try:
            done = close(store, handoff_id)
        except HandoffError as exc:
            raise _fail(str(exc)) from exc
    _show(done, as_json)


def register(app: typer.Typer) -> None:
    """Add ``recmind handoffs`` to the command group."""
    app.add_typer(handoffs_app, name="handoffs")
