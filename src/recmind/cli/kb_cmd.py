"""``recmind kb import DIR``, ``recmind kb list``: the shop's policy knowledge base;
``recmind kb index`` and ``recmind kb search``: the assistant's retrieval over it, the
catalogue and the reviews."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from recmind.assistant.retrieval import KINDS, Filters, IndexMissingError, Retriever, reindex
from recmind.cli.progress import import_progress
from recmind.config import get_settings
from recmind.data.kb import (
    DEMO_POLICIES,
    KnowledgeBaseError,
    import_kb,
    kb_passages,
    list_documents,
)
from recmind.data.kb_markdown import MAX_PASSAGE_CHARS, MIN_PASSAGE_CHARS
from recmind.data.store import Store

console = Console()
errors = Console(stderr=True)
kb_app = typer.Typer(
    help="The shop's policy knowledge base: markdown files split into passages by headings.",
    no_args_is_help=True,
)
DbOption = Annotated[str | None, typer.Option("--db", help="Store URL (default: settings).")]
EXIT_BAD_INPUT = 2


def _open_store(db: str | None) -> Store:
    store = Store.from_url(db) if db else Store.from_settings(get_settings())
    store.migrate()
    return store


def _fail(message: str) -> typer.Exit:
    errors.print(f"[red]error:[/red] {escape(message)}", highlight=False, soft_wrap=True)
    return typer.Exit(EXIT_BAD_INPUT)


@kb_app.command("import")
def import_command(
    directory: Annotated[
        Path | None,
        typer.Argument(help="Folder of markdown (.md) files; its subfolders too."),
    ] = None,
    demo: Annotated[
        bool, typer.Option("--demo", help="Import the demo shop's (fictional) policy set.")
    ] = False,
    prune: Annotated[
        bool, typer.Option("--prune", help="Remove documents whose file is no longer there.")
    ] = False,
    max_chars: Annotated[
        int,
        typer.Option("--max-chars", min=MIN_PASSAGE_CHARS, help="Longest passage, in characters."),
    ] = MAX_PASSAGE_CHARS,
    db: DbOption = None,
) -> None:
    """Import policy documents: each file is split into passages by its headings (the
    heading path is the passage's title). A changed file's passages are replaced, an
    unchanged file is left alone; a bad file stops the import and nothing is written."""
    if (directory is None) == (not demo):
        raise _fail("give a folder or --demo (one of them)")
    folder = DEMO_POLICIES if demo else directory
    assert folder is not None
    with _open_store(db) as store:
        try:
            summary = import_kb(store, folder, prune=prune, max_chars=max_chars)
        except KnowledgeBaseError as exc:
            raise _fail(str(exc)) from exc
    console.print(
        f"Knowledge base from {escape(str(folder))}: {len(summary.added)} added, "
        f"{len(summary.replaced)} replaced, {len(summary.unchanged)} unchanged, "
        f"{len(summary.pruned)} pruned; {summary.passages_written} passages written.",
        soft_wrap=True,
    )
    for label, names in (("pruned", summary.pruned), ("replaced", summary.replaced)):
        if names:
            console.print(f"{label}: {escape(', '.join(names))}", soft_wrap=True)


def _when(moment: float) -> str:
    return datetime.fromtimestamp(moment, UTC).strftime("%Y-%m-%d %H:%M:%S")


@kb_app.command("list")
def list_command(
    passages: Annotated[
        str | None,
        typer.Option("--passages", help="Show the passages of this document id instead."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    db: DbOption = None,
) -> None:
    """The stored documents (or one document's passages)."""
    with _open_store(db) as store:
        rows = (
            [p.__dict__ for p in kb_passages(store, passages)]
            if passages is not None
            else list_documents(store)
        )
    if passages is not None and not rows:
        raise _fail(f"no document {passages!r} (see `recmind kb list`)")
    if as_json:
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    if passages is not None:
        table = Table(title=f"Passages of {escape(passages)}")
        for name in ("#", "title", "chars", "passage id"):
            table.add_column(name)
        for row in rows:
            table.add_row(
                str(row["position"]),
                escape(row["title"]),
                str(len(row["body"])),
                row["passage_id"],
            )
    else:
        table = Table(title="Knowledge base")
        for name in ("document", "title", "passages", "chars", "imported (UTC)"):
            table.add_column(name)
        for row in rows:
            table.add_row(
                escape(row["doc_id"]),
                escape(row["title"]),
                str(row["passages"]),
                f"{row['characters']:,}",
                _when(row["imported_at"]),
            )
    console.print(table)
    if not rows:
        console.print("Empty: import policies with `recmind kb import DIR` (or --demo).")


@kb_app.command("index")
def index_command(
    full: Annotated[
        bool,
        typer.Option("--full", help="Encode every document again (ignore the previous index)."),
    ] = False,
    db: DbOption = None,
) -> None:
    """Build the retrieval index of products, review snippets and policy passages from the
    store (incrementally: only new or changed documents are encoded) and keep it under the
    home folder; a version is written only when something changed."""
    with _open_store(db) as store, import_progress(console) as progress:
        report = reindex(
            store, full=full, progress=lambda done, total: progress("encoding", done, total)
        )
    counts = report.counts
    console.print(
        f"Retrieval index {report.version} ({'written' if report.written else 'up to date'}): "
        f"{counts['product']} products, {counts['review']} reviews, {counts['policy']} policy "
        f"passages; {report.added} added, {report.changed} changed, {report.removed} removed, "
        f"{report.unchanged} unchanged; {report.encoded} encoded.",
        soft_wrap=True,
    )


@kb_app.command("search")
def search_command(
    *,
    query: Annotated[str, typer.Argument(help="The question or search words.")],
    kind: Annotated[
        list[str] | None,
        typer.Option("--kind", help="product, review or policy (repeat for several)."),
    ] = None,
    lang: Annotated[
        str | None, typer.Option("--lang", help="The question's language: en or zh.")
    ] = None,
    top: Annotated[int, typer.Option("--top", min=1, max=100, help="How many results.")] = 5,
    category: Annotated[str | None, typer.Option("--category", help="Items of it.")] = None,
    min_price: Annotated[float | None, typer.Option("--min-price", min=0)] = None,
    max_price: Annotated[float | None, typer.Option("--max-price", min=0)] = None,
    in_stock: Annotated[bool, typer.Option("--in-stock", help="Items in stock now.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    db: DbOption = None,
) -> None:
    """Search the retrieval index: ranked documents with the ids to cite and their scores.
    Prices and stock are the store's present values."""
    kinds = [k.strip().lower() for k in kind or []]
    if bad := [k for k in kinds if k not in KINDS]:
        raise _fail(f"unknown kind {', '.join(bad)}; choose from {', '.join(KINDS)}")
    if lang is not None and lang not in ("en", "zh"):
        raise _fail("--lang must be en or zh")
    filters = Filters(category, min_price, max_price, in_stock)
    with _open_store(db) as store:
        try:
            retriever = Retriever.load(store)
        except IndexMissingError as exc:
            raise _fail(str(exc)) from exc
        hits = retriever.search(
            query,
            kinds=[k for k in KINDS if k in kinds] or None,
            filters=filters,
            top=top,
            language=lang,
        )
    if as_json:
        typer.echo(json.dumps([h.to_json() for h in hits], ensure_ascii=False, indent=2))
        return
    table = Table(title=f"Search: {escape(query)}")
    for name in ("#", "kind", "source", "title", "price", "stock", "score"):
        table.add_column(name, overflow="fold")
    table.add_column("text", ratio=1)
    for rank, hit in enumerate(hits, start=1):
        price, stock = hit.metadata.get("price"), hit.metadata.get("stock")
        table.add_row(
            str(rank),
            hit.kind + (" (untrusted)" if hit.untrusted else ""),
            escape(hit.source),
            escape(hit.title),
            "-" if price is None else f"{price:,.2f}",
            "-" if stock is None else str(stock),
            f"{hit.score:.4f}",
            escape(hit.text if len(hit.text) <= 160 else hit.text[:159] + "…"),
        )
    console.print(table)
    if not hits:
        console.print("No match (is the index built? `recmind kb index`).")


def register(app: typer.Typer) -> None:
    """Add ``recmind kb`` to the command group."""
    app.add_typer(kb_app, name="kb")
