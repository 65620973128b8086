"""``recmind copy generate``: one piece of copy for an item, a person or a review, written
by the local model from the store's facts, checked, else the template fallback.

Exit status: 0 when copy was written (by the model or the fallback), 1 when nothing passed
the checker (no text is printed then) or the model is unavailable, 2 for a bad request.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Annotated

import typer
from pydantic import ValidationError
from rich.markup import escape
from rich.table import Table

from recmind.cli.copy_cmd import console, copy_app, errors
from recmind.cli.copy_facts_cmd import (
    DbOption,
    JsonOption,
    ModelOption,
    ThreadsOption,
    fail,
    make_generator,
    open_store,
)
from recmind.config import get_settings
from recmind.data.store import Store
from recmind.marketing.copy.generate import CopyResult
from recmind.marketing.copy.kinds import COPY_KINDS
from recmind.marketing.copy.options import Offer
from recmind.marketing.copy.service import CopyError, CopyWriter
from recmind.serving.message_recommender import ServedRecommender, open_recommender


def _offer(discount: float | None, code: str | None, ends: str | None) -> Offer | None:
    if discount is None and code is None and ends is None:
        return None
    try:
        return Offer(
            discount_percent=discount,
            code=code,
            ends=date.fromisoformat(ends) if ends else None,
        )
    except (ValidationError, ValueError) as exc:
        raise fail(f"the offer: {exc}") from exc


def _recommender(store: Store) -> ServedRecommender | None:
    """The served model's message recommender, when a model is published."""
    try:
        return open_recommender(get_settings(), store)
    except Exception:
        return None


@copy_app.command("generate")
def generate_command(
    *,
    kind: Annotated[
        str,
        typer.Option("--type", help=f"What to write: {', '.join(COPY_KINDS)}."),
    ],
    item: Annotated[
        list[str] | None, typer.Option("--item", help="An item to write about (repeat).")
    ] = None,
    user: Annotated[
        str | None, typer.Option("--user", help="The person it is for (their language, name).")
    ] = None,
    review: Annotated[
        str | None, typer.Option("--review", help="The review to reply to (review-reply).")
    ] = None,
    lang: Annotated[
        str | None,
        typer.Option("--lang", help="en or zh (default: the person's, else the brand's)."),
    ] = None,
    discount: Annotated[
        float | None, typer.Option("--discount", help="The offer's percent off.")
    ] = None,
    code: Annotated[str | None, typer.Option("--code", help="The offer's code.")] = None,
    ends: Annotated[
        str | None, typer.Option("--ends", help="The offer's last day (YYYY-MM-DD).")
    ] = None,
    llm: Annotated[
        bool, typer.Option("--llm/--no-llm", help="Use the model (else the template).")
    ] = True,
    timeout: Annotated[
        float, typer.Option("--timeout", min=1.0, help="Seconds one generation may take.")
    ] = 120.0,
    model: ModelOption = None,
    threads: ThreadsOption = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Write copy from the store's facts; every claim is checked, values are slots filled
    from the store."""
    if kind not in COPY_KINDS:
        raise fail(f"--type must be one of {', '.join(COPY_KINDS)}, not {kind!r}")
    if lang is not None and lang not in ("en", "zh"):
        raise fail(f"--lang must be en or zh, not {lang!r}")
    offer = _offer(discount, code, ends)
    generator = make_generator(model, threads) if llm else None
    with open_store(db) as store:
        recommender = _recommender(store) if user and not item else None
        writer = CopyWriter(
            store,
            get_settings(),
            generator,
            recommender=recommender,
            timeout_s=timeout,
        )
        try:
            context = writer.context(
                kind,
                item_ids=item or (),
                user_id=user,
                language=lang,  # type: ignore[arg-type]
                offer=offer,
                review_id=review,
            )
        except CopyError as exc:
            raise fail(str(exc)) from exc
        finally:
            close = getattr(recommender, "close", None)
            if callable(close):
                close()
        with console.status(f"writing the {kind} with the local model", spinner="dots"):
            result = writer.write(context)
    _print(result, as_json)
    if result.source == "rejected":
        raise typer.Exit(1)


def _print(result: CopyResult, as_json: bool) -> None:
    if as_json:
        typer.echo(json.dumps(result.to_dict(), ensure_ascii=False))
        return
    if result.source == "rejected":
        errors.print("[red]nothing passed the checker:[/red] " + escape("; ".join(result.reasons)))
        return
    table = Table(show_header=False)
    for part, text in result.parts.items():
        table.add_row(part, escape(text))
    console.print(table)
    note = {
        "llm": f"written by {result.model} in {result.attempts} attempt(s)",
        "fallback": "the template fallback (no generation passed the checker)"
        if result.attempts
        else "the template (no model asked)",
    }[result.source]
    console.print(f"{note}; {len(result.claims)} claims, all supported ({result.seconds:.1f} s)")
    for number, reasons in enumerate(result.rejected, 1):
        errors.print(f"[yellow]attempt {number} rejected:[/yellow] " + escape("; ".join(reasons)))
    if result.edited:
        errors.print("[yellow]sentences cut out:[/yellow] " + escape("; ".join(result.edited)))


def register() -> None:
    """Nothing to do: importing this module adds ``copy generate``."""
