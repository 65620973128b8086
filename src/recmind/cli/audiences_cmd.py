"""``recmind audiences buyers|lookalike``: who will buy what, and who looks like whom, from
the store's events before a moment."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy.exc import SQLAlchemyError

from recmind.cli.progress import import_progress
from recmind.config import get_settings
from recmind.data.store import Store
from recmind.marketing.audiences import (
    Audience,
    BuyersConfig,
    LookalikeConfig,
    SeedError,
    TargetError,
    buyers_from_store,
    iso_moment,
    lookalikes_from_store,
)

console = Console()
errors = Console(stderr=True)
audiences_app = typer.Typer(
    help="Audiences from the recommender: likely buyers and look-alikes.", no_args_is_help=True
)


def _fail(message: str, code: int = 2) -> typer.Exit:
    errors.print(f"[red]error:[/red] {message}", soft_wrap=True)
    return typer.Exit(code)


def parse_moment(text: str, option: str = "--as-of") -> float:
    """``2017-03-01`` or ``2017-03-01T12:00[:00][+02:00]`` (no offset: UTC) as epoch
    seconds; ValueError naming ``option`` and the value otherwise."""
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(
            f"{option} must be an ISO 8601 date or time like 2017-03-01 or "
            f"2017-03-01T12:00:00, got {text!r}"
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()


def read_ids(path: Path, option: str) -> list[str]:
    """Ids from a file, one per line (the first comma-separated field of a CSV line);
    blank lines, ``#`` comments and an ``item_id``/``user_id`` header are skipped.
    ValueError naming ``option`` when the file is missing or holds no id."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise ValueError(f"{option}: cannot read {str(path)!r} ({exc})") from None
    ids: list[str] = []
    for line in text.splitlines():
        value = line.split(",", 1)[0].strip().strip('"')
        if not value or value.startswith("#"):
            continue
        if not ids and value.lower() in {"item_id", "user_id", "id"}:
            continue
        ids.append(value)
    if not ids:
        raise ValueError(f"{option}: {str(path)!r} holds no id (one per line)")
    return list(dict.fromkeys(ids))


def _open(db: str | None) -> Store:
    return Store.from_url(db) if db else Store.from_settings(get_settings())


def _show(audience: Audience, title: str, as_json: bool) -> None:
    if as_json:
        typer.echo(json.dumps(audience.to_json(), ensure_ascii=False))
        return
    console.print(
        f"[bold]{title}[/bold] as of {iso_moment(audience.as_of)} ({audience.model})",
        soft_wrap=True,
    )
    table = Table()
    table.add_column("#", justify="right")
    table.add_column("user_id")
    table.add_column("score", justify="right")
    for position, (user, score) in enumerate(
        zip(audience.user_ids, audience.scores, strict=True), start=1
    ):
        table.add_row(str(position), user, f"{score:.4f}")
    console.print(table)
    if not audience.user_ids:
        console.print("nobody has an event before that moment")


@audiences_app.command("buyers")
def buyers_command(
    *,
    items: Annotated[
        Path | None, typer.Option("--items", help="File of target item ids, one per line.")
    ] = None,
    category: Annotated[
        str | None, typer.Option("--category", help="Target category (or a parent of it).")
    ] = None,
    as_of: Annotated[
        str, typer.Option("--as-of", help="Moment (ISO date/time, UTC): only earlier events.")
    ],
    window_days: Annotated[
        float, typer.Option("--window-days", help="Horizon: buyers in the next N days.")
    ],
    top: Annotated[int, typer.Option("--top", help="How many people to return.")],
    db: Annotated[str | None, typer.Option("--db", help="Store URL (default: settings).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead.")] = False,
) -> None:
    """The people most likely to buy the items (or in the category) in the next N days,
    from recommender scores and purchase propensity learned on the past: JSON
    {"as_of", "users": [{"user_id", "score"}, ...]} best first."""
    try:
        if (items is None) == (category is None):
            raise ValueError("give exactly one of --items FILE or --category NAME")
        moment = parse_moment(as_of)
        if not window_days > 0:
            raise ValueError(f"--window-days must be positive, got {window_days}")
        if top < 1:
            raise ValueError(f"--top must be at least 1, got {top}")
        item_ids = read_ids(items, "--items") if items is not None else None
        config = BuyersConfig(window_days=window_days, top=top)
    except ValueError as exc:
        raise _fail(str(exc)) from exc
    try:
        with (
            _open(db) as store,
            import_progress(errors) as advance,
        ):
            audience = buyers_from_store(
                store,
                config,
                as_of=moment,
                item_ids=item_ids,
                category=category,
                progress=advance,
            )
    except TargetError as exc:
        raise _fail(str(exc)) from exc
    except SQLAlchemyError as exc:
        raise _fail(f"cannot read the store ({type(exc).__name__}): run `recmind import`") from exc
    _show(audience, "Likely buyers", as_json)


@audiences_app.command("lookalike")
def lookalike_command(
    *,
    seed: Annotated[Path, typer.Option("--seed", help="File of seed user ids, one per line.")],
    top: Annotated[int, typer.Option("--top", help="How many people to return.")],
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Moment (ISO, UTC; default: now).")
    ] = None,
    db: Annotated[str | None, typer.Option("--db", help="Store URL (default: settings).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead.")] = False,
) -> None:
    """The people (seeds excluded) whose histories most resemble the seeds': JSON
    {"as_of", "users": [{"user_id", "score"}, ...]} best first."""
    try:
        moment = time.time() if as_of is None else parse_moment(as_of)
        if top < 1:
            raise ValueError(f"--top must be at least 1, got {top}")
        seeds = read_ids(seed, "--seed")
        config = LookalikeConfig(top=top)
    except ValueError as exc:
        raise _fail(str(exc)) from exc
    try:
        with _open(db) as store, errors.status("finding look-alikes"):
            audience = lookalikes_from_store(store, seeds, config, as_of=moment)
    except SeedError as exc:
        raise _fail(str(exc)) from exc
    except SQLAlchemyError as exc:
        raise _fail(f"cannot read the store ({type(exc).__name__}): run `recmind import`") from exc
    _show(audience, "Look-alikes", as_json)


def register(app: typer.Typer) -> None:
    app.add_typer(audiences_app, name="audiences")
