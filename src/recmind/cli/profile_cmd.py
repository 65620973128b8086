"""``recmind profile --user ID``: interest tags, a grounded portrait and recent activity."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from recmind.config import get_settings
from recmind.data.bundle import DataBundle
from recmind.data.datasets import DatasetUnavailableError, load_dataset
from recmind.data.store import Store
from recmind.erasure import subject
from recmind.profiles import ProfileIndex, UserProfile, build_profile
from recmind.text.llm.cache import about
from recmind.text.llm.factory import create_generator, llm_settings
from recmind.text.llm.gguf_assets import ModelAssetError
from recmind.text.llm.protocol import GenerationError, Generator

console = Console()
errors = Console(stderr=True)


def load_source(dataset: str | None, db: str | None) -> DataBundle:
    """A bundled dataset, the store at ``db``, or the configured store."""
    if dataset is not None and db is not None:
        raise ValueError("give at most one of --dataset and --db")
    if dataset is not None:
        return load_dataset(dataset)
    with Store.from_url(db) if db else Store.from_settings(get_settings()) as store:
        store.migrate()
        return store.load_bundle()


def optional_generator(model: str | None, threads: int | None) -> Generator | None:
    """The configured generator (``model`` and ``threads`` override), or ``None`` with a
    warning when it cannot be built (its packages are missing, say)."""
    settings = get_settings()
    updates: dict[str, Any] = {}
    if model is not None:
        updates["model"] = model
    if threads is not None:
        updates["n_threads"] = threads
    config = llm_settings(settings).model_copy(update=updates)
    try:
        return create_generator(config, seed=settings.seed, home=settings.home)
    except (ModelAssetError, GenerationError, KeyError, FileNotFoundError) as exc:
        errors.print(f"[yellow]no language model ({exc}); using the template text[/yellow]")
        return None


@contextmanager
def about_user(user: str, db: str | None, *, from_store: bool = True) -> Iterator[None]:
    """Generations in this block are about ``user``: the generation cache lists them under
    the user's keyed hash (so erasing the user deletes them) and, for a user of the store,
    does not keep one that finishes after the user's erasure."""
    settings = get_settings()
    if not from_store:
        with about(subject(settings, user)):
            yield
        return
    store = Store.from_url(db) if db else Store.from_settings(settings)
    with store, about(subject(settings, user, store)):
        yield


def when(timestamp: float | None) -> str:
    if timestamp is None:
        return "-"
    return datetime.fromtimestamp(timestamp, tz=UTC).strftime("%Y-%m-%d %H:%M")


def render(profile: UserProfile) -> None:
    """Print a profile as tables and text."""
    counts = ", ".join(f"{k} {v:,}" for k, v in profile.event_counts.items()) or "none"
    console.print(
        f"[bold]User {profile.user_id}[/bold]: {profile.n_events:,} events ({counts}) on "
        f"{profile.n_items:,} items, {when(profile.first_seen)} to {when(profile.last_seen)}",
        soft_wrap=True,
    )
    tags = Table(title="Interest tags (recency-weighted)")
    for column, justify in (
        ("tag", "left"),
        ("kind", "left"),
        ("items", "right"),
        ("weight", "right"),
        ("lift", "right"),
    ):
        tags.add_column(column, justify=justify)  # type: ignore[arg-type]
    for tag in profile.tags:
        tags.add_row(tag.tag, tag.kind, str(tag.count), f"{tag.weight:.2f}", f"{tag.lift:.2f}")
    console.print(tags)
    label = (
        "generated, checked against the facts" if profile.portrait_source == "llm" else ("template")
    )
    console.print(f"[bold]Portrait[/bold] ({label}):\n{profile.portrait}", soft_wrap=True)
    recent = Table(title="Recent activity")
    for column in ("when", "event", "item", "title", "value"):
        recent.add_column(column)
    for item in profile.recent:
        value = "" if item.value is None else f"{item.value:g}"
        recent.add_row(when(item.timestamp), item.event_type, item.item_id, item.title, value)
    console.print(recent)


def profile_command(
    user: Annotated[str, typer.Option("--user", "-u", help="User id.")],
    *,
    dataset: Annotated[
        str | None, typer.Option(help="A bundled dataset instead of the store.")
    ] = None,
    db: Annotated[str | None, typer.Option(help="Store URL (default: settings).")] = None,
    llm: Annotated[bool, typer.Option(help="Write the portrait with the language model.")] = True,
    model: Annotated[str | None, typer.Option(help="LLM (default: RECMIND_LLM__MODEL).")] = None,
    threads: Annotated[int | None, typer.Option(min=1, help="LLM CPU threads.")] = None,
    tags: Annotated[int, typer.Option(min=1, max=50, help="Interest tags to show.")] = 8,
    recent: Annotated[int, typer.Option(min=0, max=100, help="Recent events to show.")] = 5,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead.")] = False,
) -> None:
    """A person's interest tags, a 2-3 sentence portrait (every title and tag it names is
    checked against the data) and their recent activity."""
    try:
        bundle = load_source(dataset, db)
    except (ValueError, DatasetUnavailableError) as exc:
        errors.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from exc
    generator = optional_generator(model, threads) if llm else None
    with (
        console.status("building the profile" + (" and writing the portrait" if generator else "")),
        about_user(user, None if dataset is not None else db, from_store=dataset is None),
    ):
        try:
            profile = build_profile(
                ProfileIndex(bundle), user, generator, max_tags=tags, n_recent=recent
            )
        except KeyError as exc:
            errors.print(f"[red]error:[/red] unknown user {user!r}")
            raise typer.Exit(1) from exc
    if as_json:
        typer.echo(json.dumps(profile.to_dict(), ensure_ascii=False, indent=1))
    else:
        render(profile)


def register(app: typer.Typer) -> None:
    app.command("profile")(profile_command)
