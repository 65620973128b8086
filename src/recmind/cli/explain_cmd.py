"""``recmind explain --user ID``: the served model's top items, each with its reason."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from recmind.cli.models_cmd import erased_in
from recmind.cli.profile_cmd import about_user, load_source, optional_generator
from recmind.config import get_settings
from recmind.data.datasets import DatasetUnavailableError
from recmind.rec.artifacts import ModelStore
from recmind.rec.base import Filters
from recmind.rec.explain import Explainer

console = Console()
errors = Console(stderr=True)


def explain_command(
    user: Annotated[str, typer.Option("--user", "-u", help="User id.")],
    *,
    k: Annotated[int, typer.Option("--k", min=1, max=100, help="How many items.")] = 5,
    sentence: Annotated[
        bool, typer.Option(help="Add one generated sentence per item (checked against facts).")
    ] = False,
    version: Annotated[
        str | None, typer.Option(help="Model version (default: the served one).")
    ] = None,
    db: Annotated[str | None, typer.Option(help="Store URL (default: settings).")] = None,
    model: Annotated[str | None, typer.Option(help="LLM (default: RECMIND_LLM__MODEL).")] = None,
    threads: Annotated[int | None, typer.Option(min=1, help="LLM CPU threads.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead.")] = False,
) -> None:
    """Why each of a person's top-k items is recommended: the history items that contributed
    most and the tags they share; optionally one generated sentence each."""
    models = ModelStore(get_settings().models_dir)
    try:
        recommender, info = models.load(version)
    except (KeyError, FileNotFoundError, ValueError) as exc:
        errors.print(f"[red]error:[/red] no trained model ({exc}): run `recmind train` first")
        raise typer.Exit(1) from exc
    try:
        bundle = load_source(None, db)
    except (ValueError, DatasetUnavailableError) as exc:
        errors.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from exc
    if erased_in(recommender, user, db):
        errors.print(
            f"[red]error:[/red] user {user!r} was erased: {info.version} still holds their "
            "history until the next `recmind train`, and it is not used"
        )
        raise typer.Exit(1)
    recs = recommender.recommend([user], k, Filters())
    explainer = Explainer(recommender, bundle if not bundle.items.empty else None)
    found = [explainer.explain_one(user, item_id) for item_id, _ in recs.for_user(0)]
    generator = optional_generator(model, threads) if sentence else None
    if generator is not None:
        with console.status(f"writing {len(found)} sentences"), about_user(user, db):
            found = [explainer.with_sentence(e, generator) for e in found]
    if as_json:
        payload = [
            {
                "item_id": e.item_id,
                "title": e.title,
                "reason": e.reason,
                "sentence": e.sentence,
                "sentence_source": e.sentence_source,
                "because": [c.__dict__ for c in e.because],
                "shared": list(e.shared),
                "method": e.method,
            }
            for e in found
        ]
        typer.echo(json.dumps(payload, ensure_ascii=False, indent=1))
        return
    table = Table(title=f"Top {k} for user {user} from {info.name} {info.version}")
    table.add_column("#", justify="right")
    table.add_column("title")
    table.add_column("why")
    for rank, e in enumerate(found, start=1):
        why = e.reason if e.sentence is None else f"{e.sentence}\n[dim]{e.reason}[/dim]"
        table.add_row(str(rank), e.title, why)
    console.print(table)
    console.print(f"[dim]contributions measured by {explainer.method}[/dim]")


def register(app: typer.Typer) -> None:
    app.command("explain")(explain_command)
