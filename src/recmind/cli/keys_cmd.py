"""``recmind keys create|list|revoke``: API keys of the REST service."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from recmind.config import DEFAULT_SECRET, get_settings
from recmind.data.api_keys import SCOPES, ApiKeyError, create_key, list_keys, revoke_key
from recmind.data.store import Store

console = Console()
errors = Console(stderr=True)
keys_app = typer.Typer(help="API keys of the REST service (stored hashed).", no_args_is_help=True)


def _store(db: str | None) -> Store:
    store = Store.from_url(db) if db else Store.from_settings(get_settings())
    store.migrate()
    return store


def _when(timestamp: float | None) -> str:
    if timestamp is None:
        return "-"
    return datetime.fromtimestamp(timestamp, tz=UTC).strftime("%Y-%m-%d %H:%M:%S")


def secret_problem() -> str | None:
    """Why the configured secret must not be used, or None."""
    api = get_settings().api
    if api.secret == DEFAULT_SECRET and not api.dev_mode:
        return (
            "the server secret is the built-in default: set RECMIND_API__SECRET to a long "
            "random value (or RECMIND_API__DEV_MODE=true for local development only)"
        )
    return None


@keys_app.command("create")
def create_command(
    scope: Annotated[
        list[str],
        typer.Option("--scope", "-s", help=f"A scope to grant (repeat): {', '.join(SCOPES)}."),
    ],
    name: Annotated[str | None, typer.Option("--name", "-n", help="What the key is for.")] = None,
    db: Annotated[str | None, typer.Option("--db", help="Store URL (default: settings).")] = None,
) -> None:
    """Create a key and print it once: it is stored only as a hash."""
    problem = secret_problem()
    if problem:
        errors.print(f"[red]error:[/red] {problem}")
        raise typer.Exit(2)
    with _store(db) as store:
        try:
            new = create_key(store, get_settings().api.secret, scope, name)
        except ApiKeyError as exc:
            errors.print(f"[red]error:[/red] {exc}")
            raise typer.Exit(2) from exc
    errors.print(
        f"Created key {new.info.key_id} with scopes {', '.join(new.info.scopes)}. "
        "It is shown only now: store it safely."
    )
    typer.echo(new.key)


@keys_app.command("list")
def list_command(
    db: Annotated[str | None, typer.Option("--db", help="Store URL (default: settings).")] = None,
) -> None:
    """Every key: id, name, scopes, dates (never the keys themselves)."""
    with _store(db) as store:
        keys = list_keys(store)
    table = Table(title=f"API keys ({len(keys)})")
    for column in ("key id", "name", "scopes", "created", "last used", "revoked"):
        table.add_column(column)
    for key in keys:
        table.add_row(
            key.key_id,
            key.name or "",
            " ".join(key.scopes),
            _when(key.created_at),
            _when(key.last_used_at),
            _when(key.revoked_at),
        )
    console.print(table)


@keys_app.command("revoke")
def revoke_command(
    key_id: Annotated[str, typer.Argument(help="The key id (see `recmind keys list`).")],
    db: Annotated[str | None, typer.Option("--db", help="Store URL (default: settings).")] = None,
) -> None:
    """Revoke a key (servers stop accepting it within RECMIND_API__KEY_CACHE_SECONDS)."""
    with _store(db) as store:
        try:
            key = revoke_key(store, key_id)
        except ApiKeyError as exc:
            errors.print(f"[red]error:[/red] {exc}")
            raise typer.Exit(1) from exc
    console.print(f"Revoked {key.key_id} at {_when(key.revoked_at)}")


def register(app: typer.Typer) -> None:
    app.add_typer(keys_app, name="keys")
