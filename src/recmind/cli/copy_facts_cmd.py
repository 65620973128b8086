"""``recmind copy brand set|show``, ``recmind copy facts build`` and ``recmind copy
keywords``: the brand profile copy is written in, the facts read from items' texts, and
their keyphrases as search-ad and SEO keywords.

Registered on :data:`recmind.cli.copy_cmd.copy_app` when imported (``main`` imports it).
"""

from __future__ import annotations

import contextlib
import json
from pathlib import Path
from typing import Annotated, Any

import typer
from pydantic import ValidationError
from rich.markup import escape
from rich.table import Table

from recmind.cli.copy_cmd import console, copy_app, errors
from recmind.cli.progress import import_progress
from recmind.config import get_settings
from recmind.data.store import Store
from recmind.marketing.copy.brand import get_brand, merged, set_brand, stored_brand
from recmind.marketing.copy.facts_build import FactsBuilder
from recmind.marketing.copy.facts_store import keyword_rows, read_item_facts
from recmind.text.llm.factory import create_generator
from recmind.text.llm.gguf_assets import ModelAssetError
from recmind.text.llm.protocol import GenerationError, Generator

brand_app = typer.Typer(help="The brand profile copy is written in.", no_args_is_help=True)
facts_app = typer.Typer(
    help="Facts read from items' descriptions and reviews.", no_args_is_help=True
)
copy_app.add_typer(brand_app, name="brand")
copy_app.add_typer(facts_app, name="facts")

DbOption = Annotated[str | None, typer.Option("--db", help="Store URL (default: settings).")]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON.")]
ModelOption = Annotated[
    str | None, typer.Option("--model", help="A packaged model (default: settings).")
]
ThreadsOption = Annotated[int | None, typer.Option("--threads", help="Decoding threads.")]


def fail(message: str, code: int = 2) -> typer.Exit:
    errors.print(f"[red]error:[/red] {escape(message)}", highlight=False)
    return typer.Exit(code)


def open_store(db: str | None) -> Store:
    store = Store.from_url(db) if db else Store.from_settings(get_settings())
    store.migrate()
    return store


def make_generator(model: str | None, threads: int | None) -> Generator:
    """The configured model (``model``/``threads`` override the settings)."""
    settings = get_settings()
    updates: dict[str, Any] = {}
    if model is not None:
        updates["model"] = model
    if threads is not None:
        updates["n_threads"] = threads
    config = settings.llm.model_copy(update=updates)
    try:
        return create_generator(config, seed=settings.seed, home=settings.home)
    except (ModelAssetError, GenerationError, KeyError, FileNotFoundError) as exc:
        raise fail(f"no language model: {exc}", 1) from exc


def _policy(text: str) -> tuple[str, Any]:
    key, sep, raw = text.partition("=")
    if not sep or not key.strip():
        raise fail(f"--policy wants KEY=VALUE, got {text!r}")
    value: Any = raw.strip()
    if value.lower() in ("true", "false"):
        value = value.lower() == "true"
    else:
        with contextlib.suppress(ValueError):
            value = float(value) if "." in value else int(value)
    return key.strip(), value


@brand_app.command("set")
def brand_set(
    *,
    db: DbOption = None,
    file: Annotated[Path | None, typer.Option("--file", help="A whole profile (JSON).")] = None,
    name: Annotated[str | None, typer.Option("--name", help="The shop's name in copy.")] = None,
    tone: Annotated[str | None, typer.Option("--tone", help="The tone, in a few words.")] = None,
    avoid: Annotated[
        list[str] | None, typer.Option("--avoid", help="A word copy must never use (repeat).")
    ] = None,
    example: Annotated[
        list[str] | None, typer.Option("--example", help="A text in the shop's voice (repeat).")
    ] = None,
    language: Annotated[
        str | None, typer.Option("--language", help="Default language: en or zh.")
    ] = None,
    policy: Annotated[
        list[str] | None,
        typer.Option(
            "--policy", help="A promise copy may make, KEY=VALUE (repeat).", metavar="K=V"
        ),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Set the brand profile (options change the stored one; --file replaces it)."""
    changes: dict[str, Any] = {}
    if file is not None:
        try:
            changes = json.loads(file.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise fail(f"cannot read {file}: {exc}") from exc
        if not isinstance(changes, dict):
            raise fail(f"{file}: a JSON object")
    for key, value in (
        ("name", name),
        ("tone", tone),
        ("avoid", avoid),
        ("examples", example),
        ("language", language),
    ):
        if value:
            changes[key] = value
    if policy:
        changes["policies"] = dict(_policy(p) for p in policy)
    with open_store(db) as store:
        current = get_brand(store, get_settings())
        try:
            profile = merged(current, changes)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"]) or "profile"
            raise fail(f"{where}: {first['msg']}") from exc
        set_brand(store, profile)
    _print_brand(profile.model_dump(mode="json"), as_json)


@brand_app.command("show")
def brand_show(db: DbOption = None, as_json: JsonOption = False) -> None:
    """Show the brand profile (the default one when none is set)."""
    with open_store(db) as store:
        found = stored_brand(store)
        profile = found[0] if found else get_brand(store, get_settings())
    body = profile.model_dump(mode="json")
    body["stored"] = found is not None
    _print_brand(body, as_json)


def _print_brand(body: dict[str, Any], as_json: bool) -> None:
    if as_json:
        typer.echo(json.dumps(body, ensure_ascii=False))
        return
    table = Table(show_header=False)
    for key, value in body.items():
        shown = ", ".join(map(str, value)) if isinstance(value, list) else value
        table.add_row(
            key,
            escape(
                json.dumps(shown, ensure_ascii=False) if isinstance(shown, dict) else str(shown)
            ),
        )
    console.print(table)


@facts_app.command("build")
def facts_build(
    *,
    db: DbOption = None,
    item: Annotated[
        list[str] | None, typer.Option("--item", help="Only this item (repeat).")
    ] = None,
    llm: Annotated[
        bool, typer.Option("--llm/--no-llm", help="Extract attributes with the model.")
    ] = True,
    keywords: Annotated[bool, typer.Option("--keywords/--no-keywords")] = True,
    force: Annotated[bool, typer.Option("--force", help="Rebuild unchanged items too.")] = False,
    model: ModelOption = None,
    threads: ThreadsOption = None,
    as_json: JsonOption = False,
) -> None:
    """Read every item's description and reviews into facts: attributes (by the model,
    each found in its text), review sentiment and keywords."""
    generator = make_generator(model, threads) if llm else None
    with open_store(db) as store:
        builder = FactsBuilder(store, generator, keywords=keywords, force=force)
        with import_progress(errors) as progress:
            report = builder.build(item, progress=progress)
    if as_json:
        typer.echo(json.dumps(report.to_dict()))
        return
    console.print(
        f"{report.items} items: {report.unchanged} unchanged; written "
        + (", ".join(f"{n} {k}" for k, n in sorted(report.written.items())) or "nothing")
        + (f"; failed {report.failed}" if report.failed else "")
        + f" ({report.seconds:.1f} s)"
    )


@copy_app.command("keywords")
def keywords_command(
    *,
    db: DbOption = None,
    item: Annotated[
        list[str] | None, typer.Option("--item", help="Only this item (repeat).")
    ] = None,
    top: Annotated[int, typer.Option("--top", min=1, max=20, help="Keywords per item.")] = 8,
    as_json: JsonOption = False,
) -> None:
    """Each product's keyphrases as search-ad and SEO keywords (read from its description
    and reviews; items without stored keywords get them now)."""
    with open_store(db) as store:
        found = keyword_rows(store, item)
        if item:
            missing = [i for i in item if i not in found]
            if missing:
                FactsBuilder(store, None, sentiment_enabled=False).build(missing)
                found = keyword_rows(store, item)
        facts = read_item_facts(store, list(found))
        titles = _titles(store, list(found))
    rows: list[dict[str, Any]] = [
        {
            "item_id": item_id,
            "title": titles.get(item_id, ""),
            "keywords": [
                {"phrase": k["phrase"], "score": k["score"]} for k in facts[item_id].keywords[:top]
            ],
        }
        for item_id in found
        if item_id in facts
    ]
    if as_json:
        typer.echo(json.dumps(rows, ensure_ascii=False))
        return
    table = Table()
    for column in ("item", "title", "keywords"):
        table.add_column(column)
    for row in rows:
        table.add_row(
            escape(row["item_id"]),
            escape(row["title"]),
            escape(", ".join(k["phrase"] for k in row["keywords"])),
        )
    console.print(table)


def _titles(store: Store, item_ids: list[str]) -> dict[str, str]:
    from sqlalchemy import select

    from recmind.data.schema import items

    out: dict[str, str] = {}
    with store.engine.connect() as connection:
        for start in range(0, len(item_ids), 500):
            chunk = item_ids[start : start + 500]
            out.update(
                {
                    str(r.item_id): str(r.title)
                    for r in connection.execute(
                        select(items.c.item_id, items.c.title).where(items.c.item_id.in_(chunk))
                    )
                }
            )
    return out


def register() -> None:
    """Nothing to do: importing this module adds its commands to ``copy``."""
