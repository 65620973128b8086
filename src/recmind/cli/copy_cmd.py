"""``recmind copy``: marketing copy. ``copy check`` verifies every factual claim of a text
against a facts file (:func:`recmind.text.claims.check`).

Other ``copy`` commands (``generate``, ``keywords``) register on :data:`copy_app` from
their own modules: ``from recmind.cli.copy_cmd import copy_app`` then
``@copy_app.command("generate")``; ``main`` registers the group once with :func:`register`.

Exit status of ``copy check``: 0 when every text was checked (whatever the verdicts; with
``--strict``, 1 when a claim is unsupported), 2 when an input cannot be read.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.table import Table

from recmind.text.claims import Facts, Verdict, check

console = Console()
errors = Console(stderr=True)
copy_app = typer.Typer(
    help="Marketing copy: check its claims against the facts.", no_args_is_help=True
)


def _fail(message: str) -> typer.Exit:
    errors.print(f"[red]error:[/red] {message}")
    return typer.Exit(2)


def _read(path: Path) -> str:
    if str(path) == "-":
        return sys.stdin.read()
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise _fail(f"cannot read {path}: {exc}") from exc


def _facts(raw: Any, where: str) -> Facts:
    try:
        return Facts.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"]) or "facts"
        raise ValueError(f"{where}: {field}: {first['msg']}") from exc


def _show(verdict: Verdict) -> None:
    table = Table(show_lines=False)
    for column in ("kind", "supported", "claim", "reason"):
        table.add_column(column)
    for claim in verdict.claims:
        mark = "[green]yes[/green]" if claim.supported else "[red]NO[/red]"
        table.add_row(claim.kind, mark, claim.text, claim.reason)
    console.print(table)
    console.print("[green]ok[/green]" if verdict.ok else "[red]unsupported claims[/red]")


def _batch(path: Path) -> tuple[bool, bool]:
    """Check every line of ``path``; (all ok, any line unreadable)."""
    all_ok, broken = True, False
    for number, line in enumerate(_read(path).splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            if not isinstance(row, dict) or not isinstance(row.get("text"), str):
                raise ValueError(f'line {number}: needs {{"facts": {{...}}, "text": "..."}}')
            verdict = check(row["text"], _facts(row.get("facts") or {}, f"line {number}"))
            out: dict[str, Any] = verdict.to_dict()
            all_ok = all_ok and verdict.ok
        except (ValueError, json.JSONDecodeError) as exc:
            out = {"ok": False, "claims": [], "error": str(exc)}
            broken = True
        typer.echo(json.dumps(out, ensure_ascii=False))
    return all_ok, broken


@copy_app.command("check")
def check_command(
    facts: Annotated[
        Path | None, typer.Option("--facts", help="Facts file (JSON): items, offer, policies...")
    ] = None,
    text: Annotated[
        Path | None, typer.Option("--text", help="The text to check ('-': stdin).")
    ] = None,
    batch: Annotated[
        Path | None,
        typer.Option("--batch", help='JSON lines, each {"facts": {...}, "text": "..."}.'),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the verdict as JSON.")] = False,
    strict: Annotated[
        bool, typer.Option("--strict", help="Exit with status 1 when a claim is unsupported.")
    ] = False,
) -> None:
    """Extract the text's factual claims and verify each against the facts."""
    if batch is not None:
        if facts is not None or text is not None:
            raise _fail("--batch takes the facts and texts from its lines, not --facts/--text")
        all_ok, broken = _batch(batch)
        if broken:
            raise typer.Exit(2)
        raise typer.Exit(1 if strict and not all_ok else 0)
    if facts is None or text is None:
        raise _fail("give --facts and --text, or --batch")
    try:
        model = _facts(json.loads(_read(facts)), str(facts))
    except json.JSONDecodeError as exc:
        raise _fail(f"{facts} is not JSON: {exc}") from exc
    except ValueError as exc:
        raise _fail(str(exc)) from exc
    verdict = check(_read(text), model)
    if as_json:
        typer.echo(json.dumps(verdict.to_dict(), ensure_ascii=False))
    else:
        _show(verdict)
    raise typer.Exit(1 if strict and not verdict.ok else 0)


def register(app: typer.Typer) -> None:
    app.add_typer(copy_app, name="copy")
