"""``recmind kb import DIR`` and ``recmind kb list``: the shop's policy knowledge base."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

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


def register(app: typer.Typer) -> None:
    """Add ``recmind kb`` to the command group."""
    app.add_typer(kb_app, name="kb")
