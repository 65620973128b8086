"""``recmind outbox list|show|stats|retry|deliver``: every outgoing message, and a worker
that only delivers.

``deliver`` runs delivery passes (:func:`recmind.marketing.outbox.delivery.deliver_due`)
until nothing is due (``--once``: one pass); it is what ``recmind worker`` does for the
outbox, without the journeys and campaigns. Several may run at once against PostgreSQL.
"""

from __future__ import annotations

import json
import os
import socket
import time
from datetime import UTC, datetime
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from recmind.config import get_settings
from recmind.data.store import Store
from recmind.marketing.outbox.delivery import deliver_due
from recmind.marketing.outbox.queries import (
    OutboxNotFoundError,
    OutboxQueryError,
    OutboxStateError,
    get_message,
    list_messages,
    outbox_stats,
    retry_dead,
    retry_message,
)

console = Console()
errors = Console(stderr=True)
outbox_app = typer.Typer(
    help="The outbox: every outgoing message, its state, retries, and delivery.",
    no_args_is_help=True,
)
Db = Annotated[str | None, typer.Option("--db", help="Store URL (default: settings).")]


def _store(db: str | None) -> Store:
    store = Store.from_url(db) if db else Store.from_settings(get_settings())
    store.migrate()
    return store


def _when(timestamp: float | None) -> str:
    if timestamp is None:
        return "-"
    return datetime.fromtimestamp(float(timestamp), tz=UTC).strftime("%Y-%m-%d %H:%M:%S")


def _fail(message: str, code: int = 2) -> typer.Exit:
    errors.print(f"[red]error:[/red] {message}")
    return typer.Exit(code)


@outbox_app.command("list")
def list_command(
    *,
    status: Annotated[
        str | None, typer.Option("--status", help="pending, sending, handoff, sent, dead, skipped")
    ] = None,
    user: Annotated[str | None, typer.Option("--user", help="One person's messages.")] = None,
    source: Annotated[
        str | None,
        typer.Option("--source", help="campaign:ID, journey:ID, or a bare source id."),
    ] = None,
    channel: Annotated[str | None, typer.Option("--channel", help="email, webhook, onsite")] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, max=10_000)] = 50,
    db: Db = None,
) -> None:
    """Messages, newest first."""
    with _store(db) as store:
        try:
            total, rows = list_messages(
                store, status=status, user_id=user, source=source, channel=channel, limit=limit
            )
        except OutboxQueryError as exc:
            raise _fail(str(exc)) from exc
    table = Table(title=f"Outbox: {len(rows)} of {total}")
    for column in (
        "message id",
        "user",
        "channel",
        "source",
        "status",
        "tries",
        "next / sent",
        "reason",
    ):
        table.add_column(column)
    for row in rows:
        moment = row["sent_at"] if row["status"] == "sent" else row["next_attempt_at"]
        table.add_row(
            row["message_id"],
            row["user_id"],
            row["channel"],
            f"{row['source_kind']}:{row['source_id']}",
            row["status"],
            str(row["attempts"]),
            _when(moment),
            row["skip_reason"] or row["last_error"] or "",
        )
    console.print(table)


@outbox_app.command("show")
def show_command(
    message: Annotated[str, typer.Argument(help="A message id or idempotency key.")],
    db: Db = None,
) -> None:
    """One message: its state, history fields and content (as JSON)."""
    with _store(db) as store:
        try:
            row = get_message(store, message)
        except OutboxNotFoundError as exc:
            raise _fail(str(exc.args[0]), 1) from exc
    for key in ("payload", "items"):
        if isinstance(row.get(key), str):
            row[key] = json.loads(row[key])
    typer.echo(json.dumps(row, indent=2, ensure_ascii=False, default=str))


@outbox_app.command("stats")
def stats_command(
    source: Annotated[str | None, typer.Option("--source", help="Only this source.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    db: Db = None,
) -> None:
    """Counts by status and channel, what is due, and the commonest skip and dead reasons."""
    with _store(db) as store:
        try:
            stats = outbox_stats(store, now=time.time(), source=source)
        except OutboxQueryError as exc:
            raise _fail(str(exc)) from exc
    if as_json:
        typer.echo(json.dumps(stats, indent=2))
        return
    table = Table(title=f"Outbox: {stats['total']} messages, {stats['due_now']} due now")
    statuses = list(stats["by_status"])
    table.add_column("channel")
    for status in statuses:
        table.add_column(status, justify="right")
    for channel, counts in sorted(stats["by_channel"].items()):
        table.add_row(channel, *(str(counts.get(s, 0)) for s in statuses))
    table.add_row("all", *(str(stats["by_status"][s]) for s in statuses), style="bold")
    console.print(table)
    for title, reasons in (("skipped", stats["skip_reasons"]), ("dead", stats["dead_reasons"])):
        if reasons:
            console.print(
                f"[bold]{title}:[/bold] " + "; ".join(f"{r} ({n})" for r, n in reasons.items())
            )


@outbox_app.command("retry")
def retry_command(
    message: Annotated[
        str | None, typer.Argument(help="A dead or pending message (id or key).")
    ] = None,
    dead: Annotated[bool, typer.Option("--dead", help="Every dead message.")] = False,
    source: Annotated[
        str | None, typer.Option("--source", help="With --dead: only this source.")
    ] = None,
    db: Db = None,
) -> None:
    """Make a dead message (or every dead one) due again now. Sent and skipped messages are
    never retried."""
    if (message is None) == (not dead):
        raise _fail("give a message id or --dead (not both)")
    with _store(db) as store:
        if dead:
            try:
                count = retry_dead(store, now=time.time(), source=source)
            except OutboxQueryError as exc:
                raise _fail(str(exc)) from exc
            errors.print(f"{count} dead messages are due again.")
            return
        assert message is not None
        try:
            row = retry_message(store, message, now=time.time())
        except OutboxNotFoundError as exc:
            raise _fail(str(exc.args[0]), 1) from exc
        except OutboxStateError as exc:
            raise _fail(str(exc)) from exc
    errors.print(f"Message {row['message_id']} is due again.")


def _worker_id() -> str:
    return f"outbox-{socket.gethostname()}-{os.getpid()}"


@outbox_app.command("deliver")
def deliver_command(
    once: Annotated[bool, typer.Option("--once", help="One pass, then stop.")] = False,
    limit: Annotated[
        int | None, typer.Option("--limit", min=1, help="Messages per pass (default: settings).")
    ] = None,
    worker_id: Annotated[
        str | None, typer.Option("--worker-id", help="This worker's name in claims.")
    ] = None,
    db: Db = None,
) -> None:
    """Deliver due messages (rules checked at send time) until none is due."""
    settings = get_settings()
    name = worker_id or _worker_id()
    batch = limit or settings.marketing.batch_size
    totals: dict[str, Any] = {"passes": 0, "messages": 0}
    with _store(db) as store:
        due = outbox_stats(store, now=time.time())["due_now"]
        with Progress(
            TextColumn("[bold]delivering"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=errors,
        ) as progress:
            task = progress.add_task("deliver", total=due or None)
            while True:
                done = deliver_due(store, settings, worker_id=name, now=time.time(), limit=batch)
                totals["passes"] += 1
                totals["messages"] += done
                progress.update(task, advance=done)
                if once or done == 0:
                    break
        stats = outbox_stats(store, now=time.time())
    counts = ", ".join(f"{n} {s}" for s, n in stats["by_status"].items() if n)
    errors.print(
        f"{totals['messages']} messages settled in {totals['passes']} passes by {name}; "
        f"outbox now: {counts or 'empty'}."
    )


def register(app: typer.Typer) -> None:
    app.add_typer(outbox_app, name="outbox")
