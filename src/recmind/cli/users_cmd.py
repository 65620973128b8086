"""``recmind users erase ID``: erase a person everywhere, from the command line."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console

from recmind.cli.keys_cmd import secret_problem
from recmind.config import get_settings
from recmind.data.store import Store
from recmind.erasure import erase_user

console = Console()
errors = Console(stderr=True)
users_app = typer.Typer(help="People in the store.", no_args_is_help=True)


@users_app.command("erase")
def erase_command(
    user_id: Annotated[str, typer.Argument(help="The user's id.")],
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
    db: Annotated[str | None, typer.Option("--db", help="Store URL (default: settings).")] = None,
) -> None:
    """Erase a user everywhere: their row, events, reviews and orders (with a tombstone, in one
    transaction), quarantined rows naming them and cached texts about them. A running
    server stops using them at its next request for them; the next `recmind train`
    leaves them out of every model version it keeps. Needs the server's
    RECMIND_API__SECRET (the tombstone is keyed with it)."""
    problem = secret_problem()
    if problem:
        errors.print(f"[red]error:[/red] {problem}")
        raise typer.Exit(2)
    if not user_id.strip() or len(user_id) > 255:
        errors.print(f"[red]error:[/red] {user_id!r} cannot be a user id")
        raise typer.Exit(2)
    if not yes and not typer.confirm(
        f"Erase everything about user {user_id!r}? This cannot be undone"
    ):
        raise typer.Exit(1)
    settings = get_settings()
    with Store.from_url(db) if db else Store.from_settings(settings) as store:
        store.migrate()
        report = erase_user(store, settings, user_id)
    if not report.found:
        errors.print(f"[red]error:[/red] nothing is stored about user {user_id!r}")
        raise typer.Exit(1)
    console.print(
        f"Erased user {user_id!r}: user row {'yes' if report.user_row else 'no'}, "
        f"{report.events} events, {report.reviews} reviews, {report.orders} orders, "
        f"{report.generated_texts} "
        f"cached texts, {report.quarantine_rows} quarantined rows. Model versions forget "
        "them at the next `recmind train`.",
        soft_wrap=True,
    )


def register(app: typer.Typer) -> None:
    app.add_typer(users_app, name="users")
