"""``recmind journeys apply|validate|list|show|pause|resume|archive|examples|schema``.

Journeys are files (YAML or JSON) kept in version control and applied to the store:
``apply`` checks every file first and changes nothing when one fails, so a deploy never
leaves half of its journeys at the new version; each problem is printed with its file, step
and field.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from recmind.cli.progress import step_progress
from recmind.cli.segments_cmd import open_store, when
from recmind.config import get_settings
from recmind.marketing.content.templates import available_templates
from recmind.marketing.journeys.files import (
    EXAMPLES_DIR,
    ApplyError,
    apply_files,
    journey_files,
    load_files,
    shipped_examples,
)
from recmind.marketing.journeys.json_schema import journey_json_schema
from recmind.marketing.journeys.problems import JourneyError
from recmind.marketing.journeys.repository import (
    Journey,
    JourneyNotFoundError,
    get_journey,
    journey_stats,
    list_journeys,
    set_status,
    versions,
)
from recmind.marketing.journeys.validate import check_against_store
from recmind.marketing.segments.catalogue import stored_segments

console = Console()
errors = Console(stderr=True)
journeys_app = typer.Typer(
    help="Journeys: triggered flows of waits, conditions and messages (YAML or JSON files).",
    no_args_is_help=True,
)
DbOption = Annotated[str | None, typer.Option("--db", help="Store URL (default: settings).")]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON.")]
JourneyId = Annotated[str, typer.Argument(help="The journey's id.")]
PathArgument = Annotated[
    Path, typer.Argument(help="A journey file (.yaml, .yml, .json) or a folder of them.")
]


def _print_json(value: Any) -> None:
    typer.echo(json.dumps(value, indent=2, ensure_ascii=False, default=str))


def _fail(message: str, code: int = 2) -> typer.Exit:
    errors.print(f"[red]error:[/red] {escape(message)}", highlight=False, soft_wrap=True)
    return typer.Exit(code)


def _print_problems(failed: list[JourneyError]) -> None:
    """Every problem of every failed file, one line each: ``file: step.field: message``."""
    for error in failed:
        prefix = f"{error.source}: " if error.source else ""
        for problem in error.problems:
            text = escape(prefix + str(problem))
            errors.print(f"[red]error:[/red] {text}", highlight=False, soft_wrap=True)


def _report(failed: list[JourneyError]) -> typer.Exit:
    """Print every problem and that nothing was applied; exit 2."""
    _print_problems(failed)
    count = sum(len(e.problems) for e in failed)
    errors.print(f"{count} problem(s) in {len(failed)} file(s); nothing was applied")
    return typer.Exit(2)


def _files(path: Path) -> list[Path]:
    try:
        found = journey_files(path)
    except FileNotFoundError as exc:
        raise _fail(str(exc)) from exc
    if not found:
        raise _fail(f"no journey files (.yaml, .yml, .json) in {path}")
    return found


def _apply(paths: list[Path], db: str | None, as_json: bool) -> None:
    settings = get_settings()
    with open_store(db) as store, step_progress(errors, "Applying journeys", len(paths)) as step:
        try:
            applied = apply_files(paths, store, settings, progress=lambda p: step(p.name))
        except ApplyError as exc:
            raise _report(exc.errors) from exc
    if as_json:
        _print_json(
            [{"path": str(a.path), "outcome": a.outcome} | a.journey.to_dict() for a in applied]
        )
        return
    table = Table(title=f"Applied {len(applied)} journey(s)")
    for column in ("journey", "file", "outcome", "version", "status"):
        table.add_column(column)
    for a in applied:
        table.add_row(
            a.journey.journey_id,
            a.path.name,
            a.outcome,
            str(a.journey.version),
            a.journey.status,
        )
    console.print(table)


@journeys_app.command("apply")
def apply_command(path: PathArgument, db: DbOption = None, as_json: JsonOption = False) -> None:
    """Check and store journeys: a new version only where a definition changed (the status
    is kept); nothing is stored when any file has a problem."""
    _apply(_files(path), db, as_json)


@journeys_app.command("validate")
def validate_command(
    path: PathArgument,
    offline: Annotated[
        bool,
        typer.Option(
            "--offline", help="Check the files only, not the store's segments and templates."
        ),
    ] = False,
    db: DbOption = None,
) -> None:
    """Check journey files (shape, references, loops; segments, rules and templates against
    the store unless --offline) and print every problem; nothing is stored."""
    paths = _files(path)
    loaded, failed = load_files(paths)
    if not offline and loaded:
        settings = get_settings()
        with open_store(db) as store:
            for file, definition in loaded:
                try:
                    check_against_store(definition, store, settings)
                except JourneyError as exc:
                    failed.append(JourneyError(exc.problems, str(file)))
    if failed:
        _print_problems(failed)
        raise typer.Exit(2)
    for file, definition in loaded:
        console.print(
            f"ok {file}: {definition.id} ({len(definition.steps)} steps, "
            f"trigger {definition.trigger.type})",
            highlight=False,
        )


@journeys_app.command("list")
def list_command(db: DbOption = None, as_json: JsonOption = False) -> None:
    """Every stored journey: id, name, version, status, people entered and in it now."""
    with open_store(db) as store:
        found = [(j, journey_stats(store, j.journey_id)) for j in list_journeys(store)]
    if as_json:
        _print_json([j.to_dict() | {"stats": s.to_dict()} for j, s in found])
        return
    table = Table(title=f"Journeys ({len(found)})")
    for column in ("id", "name", "trigger", "version", "status", "entered", "in it now"):
        table.add_column(column)
    for journey, stats in found:
        table.add_row(
            journey.journey_id,
            journey.name,
            journey.definition.trigger.type,
            str(journey.version),
            journey.status,
            str(stats.entered),
            str(stats.active),
        )
    console.print(table)


def _steps_table(journey: Journey, at_step: dict[str, int]) -> Table:
    table = Table(title="Steps")
    for column in ("#", "id", "type", "then", "people here"):
        table.add_column(column)
    definition = journey.definition
    for index, step in enumerate(definition.steps):
        if step.type == "condition":
            goes = f"{step.then} / {step.otherwise}"
        elif step.type == "random_split":
            goes = " / ".join(b.next for b in step.branches)
        elif step.type == "wait_for_event":
            goes = f"{step.on_event} / {step.on_timeout or definition.following(step.id)}"
        elif step.type == "exit":
            goes = "-"
        else:
            goes = definition.following(step.id)
        table.add_row(str(index), step.id, step.type, goes, str(at_step.get(step.id, 0)))
    return table


@journeys_app.command("show")
def show_command(
    journey_id: JourneyId,
    version: Annotated[
        int | None, typer.Option("--version", min=1, help="An earlier version.")
    ] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """A journey: its definition (current or --version), versions and statistics (entered,
    in it now, completed, exited by reason, people at each step)."""
    with open_store(db) as store:
        try:
            journey = get_journey(store, journey_id, version)
            history = versions(store, journey_id)
        except JourneyNotFoundError as exc:
            raise _fail(str(exc), 1) from exc
        stats = journey_stats(store, journey_id)
    if as_json:
        _print_json(
            journey.to_dict()
            | {
                "stats": stats.to_dict(),
                "versions": [
                    {"version": v["version"], "created_at": v["created_at"]} for v in history
                ],
            }
        )
        return
    definition = journey.definition
    console.print(
        f"[bold]{escape(journey.name)}[/bold] ({journey.journey_id}), version {journey.version} "
        f"of {journey.latest_version}, {journey.status}"
    )
    if definition.description:
        console.print(definition.description, highlight=False)
    entry = definition.entry
    console.print(
        f"Trigger: {definition.trigger.model_dump(mode='json')}; entry: {entry.mode}"
        + (f" per {entry.days:g} days" if entry.days else "")
        + (f", members of {entry.segment}" if entry.segment else "")
        + (f"; goal: {definition.goal.event}" if definition.goal else ""),
        highlight=False,
    )
    console.print(_steps_table(journey, stats.at_step))
    reasons = ", ".join(f"{k} {v}" for k, v in sorted(stats.exited_by_reason.items()))
    console.print(
        f"Entered {stats.entered}; in it now {stats.active}; completed {stats.completed}; "
        f"exited {stats.exited}" + (f" ({reasons})" if reasons else ""),
        highlight=False,
    )
    console.print(
        "Versions: " + ", ".join(f"{v['version']} ({when(v['created_at'])})" for v in history),
        highlight=False,
    )


def _status(journey_id: str, status: str, db: str | None) -> None:
    with open_store(db) as store:
        try:
            journey = set_status(store, journey_id, status)
        except JourneyNotFoundError as exc:
            raise _fail(str(exc), 1) from exc
    console.print(f"Journey {journey.journey_id} (version {journey.version}) is {journey.status}")


@journeys_app.command("pause")
def pause_command(journey_id: JourneyId, db: DbOption = None) -> None:
    """Stop entering and advancing the journey (people in it wait where they are)."""
    _status(journey_id, "paused", db)


@journeys_app.command("resume")
def resume_command(journey_id: JourneyId, db: DbOption = None) -> None:
    """Make a paused or archived journey active again."""
    _status(journey_id, "active", db)


@journeys_app.command("archive")
def archive_command(journey_id: JourneyId, db: DbOption = None) -> None:
    """Close the journey (kept with its versions and statistics; resume reopens it)."""
    _status(journey_id, "archived", db)


@journeys_app.command("examples")
def examples_command(
    apply: Annotated[bool, typer.Option("--apply", help="Apply them all to the store.")] = False,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """The example journeys shipped with recmind (welcome series, cart abandonment, back in
    stock, ...): listed, or applied with --apply."""
    paths = shipped_examples()
    if apply:
        _apply(paths, db, as_json)
        return
    loaded, failed = load_files(paths)
    if failed:  # a shipped example that does not load is a bug of recmind: say so plainly
        raise _report(failed)
    if as_json:
        _print_json(
            [
                {"path": str(p), "id": d.id, "name": d.name, "trigger": d.trigger.type}
                | {"description": d.description}
                for p, d in loaded
            ]
        )
        return
    table = Table(title=f"Example journeys in {EXAMPLES_DIR}")
    for column in ("id", "trigger", "what it does"):
        table.add_column(column)
    for _, definition in loaded:
        table.add_row(definition.id, definition.trigger.type, definition.description)
    console.print(table)
    console.print("Apply them with: recmind journeys examples --apply", highlight=False)


@journeys_app.command("schema")
def schema_command(
    choices: Annotated[
        bool,
        typer.Option(
            "--choices", help="List the store's segment ids and the template names as choices."
        ),
    ] = False,
    out: Annotated[Path | None, typer.Option("--out", help="Write to this file.")] = None,
    db: DbOption = None,
) -> None:
    """The JSON Schema of journey files, for editors (e.g. VS Code's YAML extension)."""
    if choices:
        settings = get_settings()
        with open_store(db) as store:
            segments = list(stored_segments(store))
        schema = journey_json_schema(templates=available_templates(settings), segments=segments)
    else:
        schema = journey_json_schema()
    text = json.dumps(schema, indent=2, ensure_ascii=False)
    if out is None:
        typer.echo(text)
        return
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text + "\n", encoding="utf-8")
    console.print(f"Wrote the journey schema to {out}")


def register(app: typer.Typer) -> None:
    app.add_typer(journeys_app, name="journeys")
