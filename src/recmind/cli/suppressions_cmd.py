"""``recmind suppressions add|remove|list`` and ``recmind consent set|show``.

Both act on the store directly and hold for the next message sent, including messages
already queued: the send-time rules read them when a message is delivered.
"""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from recmind.config import get_settings
from recmind.data.store import Store
from recmind.marketing.messages import CHANNELS
from recmind.marketing.policy.consent import ConsentError, get_consents, set_consent
from recmind.marketing.policy.suppression import (
    REASONS,
    SUPPRESSION_CHANNELS,
    SuppressionError,
    add_suppression,
    list_suppressions,
    remove_suppression,
)

console = Console()
errors = Console(stderr=True)
suppressions_app = typer.Typer(
    help="The suppression list: people who get no message on a channel.", no_args_is_help=True
)
consent_app = typer.Typer(help="Consent per person and channel.", no_args_is_help=True)
DbOption = Annotated[str | None, typer.Option("--db", help="Store URL (default: settings).")]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON.")]
ChannelHelp = f"Channel: {', '.join(SUPPRESSION_CHANNELS)} (* = every channel)."


def open_store(db: str | None) -> Store:
    store = Store.from_url(db) if db else Store.from_settings(get_settings())
    store.migrate()
    return store


def _fail(message: str) -> typer.Exit:
    errors.print(f"[red]error:[/red] {escape(message)}", highlight=False)
    return typer.Exit(2)


def _when(moment: float | None) -> str:
    if moment is None:
        return "-"
    return datetime.fromtimestamp(moment, UTC).strftime("%Y-%m-%d %H:%M:%S")


def _print_json(value: Any) -> None:
    typer.echo(json.dumps(value, indent=2, ensure_ascii=False))


@suppressions_app.command("add")
def add_command(
    user_id: Annotated[str, typer.Argument(help="The person's id.")],
    channel: Annotated[str, typer.Option("--channel", help=ChannelHelp)] = "*",
    reason: Annotated[str, typer.Option("--reason", help=f"Why: {', '.join(REASONS)}.")] = "manual",
    source: Annotated[str | None, typer.Option("--source", help="A note on where from.")] = None,
    db: DbOption = None,
) -> None:
    """Suppress a person on a channel (kept: a second add changes nothing)."""
    with open_store(db) as store:
        try:
            new = add_suppression(store, user_id, channel, reason, now=time.time(), source=source)
        except SuppressionError as exc:
            raise _fail(str(exc)) from exc
    if new:
        console.print(f"Suppressed {escape(user_id)} on {escape(channel)} ({reason}).")
    else:
        console.print(f"{escape(user_id)} was already suppressed on {escape(channel)}.")


@suppressions_app.command("remove")
def remove_command(
    user_id: Annotated[str, typer.Argument(help="The person's id.")],
    channel: Annotated[str, typer.Option("--channel", help=ChannelHelp)] = "*",
    db: DbOption = None,
) -> None:
    """Lift a suppression (exit 1 when there was none)."""
    with open_store(db) as store:
        try:
            removed = remove_suppression(store, user_id, channel)
        except SuppressionError as exc:
            raise _fail(str(exc)) from exc
    if not removed:
        errors.print(f"{escape(user_id)} is not suppressed on {escape(channel)}.")
        raise typer.Exit(1)
    console.print(f"Lifted the suppression of {escape(user_id)} on {escape(channel)}.")


@suppressions_app.command("list")
def list_command(
    *,
    user_id: Annotated[str | None, typer.Option("--user", help="One person.")] = None,
    channel: Annotated[str | None, typer.Option("--channel", help=ChannelHelp)] = None,
    reason: Annotated[str | None, typer.Option("--reason", help="One reason.")] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, help="Rows to show.")] = 100,
    offset: Annotated[int, typer.Option("--offset", min=0, help="Rows to skip.")] = 0,
    as_json: JsonOption = False,
    db: DbOption = None,
) -> None:
    """The suppression list, newest first."""
    with open_store(db) as store:
        try:
            total, page = list_suppressions(
                store, user_id=user_id, channel=channel, reason=reason, offset=offset, limit=limit
            )
        except SuppressionError as exc:
            raise _fail(str(exc)) from exc
    if as_json:
        _print_json({"total": total, "suppressions": [s.to_dict() for s in page]})
        return
    table = Table(title=f"{total} suppression(s)")
    for column in ("user", "channel", "reason", "since", "source"):
        table.add_column(column)
    for row in page:
        table.add_row(
            escape(row.user_id),
            row.channel,
            row.reason,
            _when(row.created_at),
            escape(row.source or ""),
        )
    console.print(table)


@consent_app.command("set")
def consent_set_command(
    user_id: Annotated[str, typer.Argument(help="The person's id.")],
    channel: Annotated[str, typer.Argument(help=f"Channel: {', '.join(CHANNELS)}.")],
    answer: Annotated[str, typer.Argument(help="yes or no.")],
    source: Annotated[
        str | None, typer.Option("--source", help="Where the word came from.")
    ] = None,
    db: DbOption = None,
) -> None:
    """Record a person's consent (yes) or refusal (no) on a channel."""
    words = {"yes": True, "true": True, "y": True, "no": False, "false": False, "n": False}
    if answer.lower() not in words:
        raise _fail(f"answer must be yes or no, not {answer!r}")
    with open_store(db) as store:
        try:
            set_consent(
                store, user_id, channel, words[answer.lower()], now=time.time(), source=source
            )
        except ConsentError as exc:
            raise _fail(str(exc)) from exc
    console.print(f"Consent of {escape(user_id)} on {channel}: {answer.lower()}.")


@consent_app.command("show")
def consent_show_command(
    user_id: Annotated[str, typer.Argument(help="The person's id.")],
    as_json: JsonOption = False,
    db: DbOption = None,
) -> None:
    """The consent in force on every channel, and where it comes from."""
    with open_store(db) as store:
        consents = get_consents(store, user_id)
    if as_json:
        _print_json({"user_id": user_id, "consents": [c.to_dict() for c in consents]})
        return
    table = Table(title=f"Consent of {escape(user_id)}")
    for column in ("channel", "granted", "from", "updated", "note"):
        table.add_column(column)
    for consent in consents:
        table.add_row(
            consent.channel,
            "yes" if consent.granted else "no",
            consent.source,
            _when(consent.updated_at),
            escape(consent.note or ""),
        )
    console.print(table)


def register(app: typer.Typer) -> None:
    app.add_typer(suppressions_app, name="suppressions")
    app.add_typer(consent_app, name="consent")
