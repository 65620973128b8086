"""``recmind segments draft TEXT``: a segment rule drafted by the local model from plain
English or Chinese, validated, shown in words with its live count; ``--save NAME`` stores it.

Nothing is stored unless ``--save`` is given (that is the approval), and only a rule that
passed validation can be shown or saved.
"""

from __future__ import annotations

from typing import Annotated, Any

import orjson
import typer
from rich.markup import escape

from recmind.cli.segments_cmd import (
    AsOfOption,
    DbOption,
    JsonOption,
    _fail,
    _print_json,
    as_of_value,
    console,
    errors,
    open_store,
    segments_app,
)
from recmind.config import get_settings
from recmind.marketing.drafting import DraftError, SegmentDrafter, drafting_llm_settings
from recmind.marketing.segments import RuleError
from recmind.marketing.segments.repository import SegmentConflictError, create_segment
from recmind.text.llm.factory import create_generator
from recmind.text.llm.gguf_assets import ModelAssetError
from recmind.text.llm.protocol import GenerationError, Generator


def _generator(model: str | None, threads: int | None) -> Generator:
    settings = get_settings()
    updates: dict[str, Any] = {}
    if model is not None:
        updates["model"] = model
    if threads is not None:
        updates["n_threads"] = threads
    config = drafting_llm_settings(settings).model_copy(update=updates)
    try:
        return create_generator(config, seed=settings.seed, home=settings.home)
    except (ModelAssetError, GenerationError, KeyError, FileNotFoundError) as exc:
        raise _fail(f"no language model to draft with: {exc}", 1) from exc


@segments_app.command("draft")
def draft_command(
    *,
    text: Annotated[str, typer.Argument(help="Who the segment should hold, in words.")],
    db: DbOption = None,
    as_json: JsonOption = False,
    save: Annotated[
        str | None, typer.Option("--save", help="Store the drafted rule as a segment NAME.")
    ] = None,
    as_of: AsOfOption = None,
    model: Annotated[str | None, typer.Option("--model", help="A packaged model.")] = None,
    threads: Annotated[int | None, typer.Option("--threads", help="Decoding threads.")] = None,
) -> None:
    """Draft a segment rule from plain language (English or Chinese), validated, in words,
    with how many customers it holds now."""
    moment = as_of_value(as_of)
    generator = _generator(model, threads)
    with open_store(db) as store:
        drafter = SegmentDrafter(store, generator, as_of=moment)
        try:
            with console.status("drafting the rule with the local model"):
                drafted = drafter.draft(text)
        except ValueError as exc:
            if isinstance(exc, DraftError):
                for reason in exc.errors:
                    errors.print(f"[red]rejected:[/red] {escape(reason)}", highlight=False)
            raise _fail(str(exc)) from exc
        except GenerationError as exc:
            raise _fail(f"the model failed: {exc}", 1) from exc
        body = drafted.to_dict()
        if save is not None:
            try:
                made = create_segment(
                    store, save, drafted.rule, description=f"Drafted from: {drafted.draft.request}"
                )
            except RuleError as exc:
                raise _fail(str(exc)) from exc
            except SegmentConflictError as exc:
                raise _fail(str(exc)) from exc
            body["saved"] = made.segment_id
    if as_json:
        _print_json(body)
        return
    console.print(f"Rule: {drafted.words}", highlight=False)
    console.print_json(orjson.dumps(drafted.rule).decode())
    console.print(f"Customers now: [bold]{drafted.count:,}[/bold]")
    if drafted.draft.errors:
        console.print(
            f"({len(drafted.draft.errors)} earlier draft rejected: "
            f"{escape(drafted.draft.errors[0])})",
            highlight=False,
        )
    if save is not None:
        console.print(f"Saved as segment [bold]{body['saved']}[/bold].")
    else:
        console.print("Not saved: add --save NAME to keep it.")


def register() -> None:
    """The ``draft`` command is on ``segments_app`` once this module is imported."""
