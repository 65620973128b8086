"""``recmind segments create|update|list|show|preview|refresh|export|delete|install-builtins``.

``segments_app`` is the typer group: other modules add subcommands to it (``draft``).
The built-in segments are installed the first time a store with no segment is used.
"""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import orjson
import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from recmind.cli.progress import step_progress
from recmind.config import get_settings
from recmind.data.store import Store
from recmind.marketing.segments import RuleError, describe
from recmind.marketing.segments.builtins import ensure_builtins, install_builtins
from recmind.marketing.segments.export import write_csv
from recmind.marketing.segments.membership import members_page, refresh_all, refresh_segment
from recmind.marketing.segments.preview import preview
from recmind.marketing.segments.repository import (
    SegmentConflictError,
    SegmentNotFoundError,
    check_for,
    create_segment,
    delete_segment,
    get_segment,
    list_segments,
    rules_lookup,
    update_segment,
    versions,
)
from recmind.marketing.segments.validate import time_value

console = Console()
errors = Console(stderr=True)
segments_app = typer.Typer(
    help="Segments: rules over profiles, features, predictions and events.",
    no_args_is_help=True,
)
DbOption = Annotated[str | None, typer.Option("--db", help="Store URL (default: settings).")]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON.")]
AsOfOption = Annotated[
    str | None,
    typer.Option(
        "--as-of", help="Evaluation moment: ISO date/time or epoch seconds (default now)."
    ),
]


def open_store(db: str | None, builtins: bool = True) -> Store:
    """The migrated store, with the built-in segments installed if it has no segment."""
    store = Store.from_url(db) if db else Store.from_settings(get_settings())
    store.migrate()
    if builtins:
        ensure_builtins(store)
    return store


def _fail(message: str, code: int = 2) -> typer.Exit:
    errors.print(f"[red]error:[/red] {escape(message)}", highlight=False)
    return typer.Exit(code)


def rule_error(exc: RuleError) -> typer.Exit:
    """Print every problem of a rule (path, message, value) and exit 2."""
    for problem in exc.problems:
        errors.print(f"[red]error:[/red] {escape(str(problem))}", highlight=False)
    return typer.Exit(2)


def read_rule(text: str) -> Any:
    """A rule given as a file path or as JSON text."""
    path = Path(text)
    if not text.lstrip().startswith(("{", "[")) and path.is_file():
        text = path.read_text(encoding="utf-8")
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError as exc:
        raise _fail(f"--rule is neither a readable file nor JSON: {exc}") from exc


def as_of_value(text: str | None) -> float | None:
    if text is None:
        return None
    moment = time_value(text) if not text.replace(".", "", 1).isdigit() else float(text)
    if moment is None:
        raise _fail(f"--as-of: not an ISO date/time or epoch seconds: {text!r}")
    return moment


def when(moment: float | None) -> str:
    if moment is None:
        return "-"
    return datetime.fromtimestamp(moment, UTC).strftime("%Y-%m-%d %H:%M:%S")


def _print_json(value: Any) -> None:
    typer.echo(json.dumps(value, indent=2, ensure_ascii=False, default=str))


@segments_app.command("create")
def create_command(
    name: Annotated[str, typer.Argument(help="The segment's name (its id is a slug of it).")],
    rule: Annotated[str, typer.Option("--rule", help="The rule: a JSON file or JSON text.")],
    description: Annotated[
        str | None, typer.Option("--description", help="What it is for.")
    ] = None,
    segment_id: Annotated[str | None, typer.Option("--id", help="Choose the id.")] = None,
    db: DbOption = None,
) -> None:
    """Validate and store a new segment (version 1)."""
    with open_store(db) as store:
        try:
            made = create_segment(
                store, name, read_rule(rule), description=description, segment_id=segment_id
            )
        except RuleError as exc:
            raise rule_error(exc) from exc
        except SegmentConflictError as exc:
            raise _fail(str(exc)) from exc
    console.print(f"Created segment [bold]{made.segment_id}[/bold]: {describe(made.parsed)}")


@segments_app.command("update")
def update_command(
    segment_id: Annotated[str, typer.Argument(help="The segment's id.")],
    rule: Annotated[
        str | None, typer.Option("--rule", help="A new rule (JSON file or text).")
    ] = None,
    name: Annotated[str | None, typer.Option("--name", help="A new name.")] = None,
    description: Annotated[
        str | None, typer.Option("--description", help="A new description.")
    ] = None,
    db: DbOption = None,
) -> None:
    """Change a segment; a changed rule is a new version."""
    with open_store(db) as store:
        try:
            changed = update_segment(
                store,
                segment_id,
                rule=None if rule is None else read_rule(rule),
                name=name,
                description=description,
            )
        except RuleError as exc:
            raise rule_error(exc) from exc
        except (SegmentConflictError, SegmentNotFoundError) as exc:
            raise _fail(str(exc)) from exc
    console.print(f"Segment [bold]{changed.segment_id}[/bold] is at version {changed.version}")


@segments_app.command("list")
def list_command(db: DbOption = None, as_json: JsonOption = False) -> None:
    """Every segment: id, name, version, members now, last refresh."""
    with open_store(db) as store:
        found = [(s, members_page(store, s.segment_id, limit=0)[0]) for s in list_segments(store)]
    if as_json:
        _print_json([s.to_dict() | {"members": n} for s, n in found])
        return
    table = Table(title=f"Segments ({len(found)})")
    for column in ("id", "name", "version", "built in", "members", "refreshed"):
        table.add_column(column)
    for segment, members in found:
        table.add_row(
            segment.segment_id,
            segment.name,
            str(segment.version),
            "yes" if segment.builtin else "",
            str(members) if segment.refreshed_at is not None else "-",
            when(segment.refreshed_at),
        )
    console.print(table)


@segments_app.command("show")
def show_command(
    segment_id: Annotated[str, typer.Argument(help="The segment's id.")],
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """A segment: its rule (JSON and in words), versions and current members."""
    with open_store(db) as store:
        try:
            segment = get_segment(store, segment_id)
        except SegmentNotFoundError as exc:
            raise _fail(str(exc), 1) from exc
        history = versions(store, segment_id)
        members = members_page(store, segment_id, limit=0)[0]
    body = segment.to_dict() | {
        "in_words": describe(segment.parsed),
        "members": members,
        "versions": history,
    }
    if as_json:
        _print_json(body)
        return
    console.print(f"[bold]{segment.name}[/bold] ({segment.segment_id}), version {segment.version}")
    if segment.description:
        console.print(segment.description)
    console.print(f"Rule: {body['in_words']}", highlight=False)
    console.print_json(orjson.dumps(segment.rule).decode())
    console.print(f"Members now: {members} (refreshed {when(segment.refreshed_at)})")
    console.print(f"Versions: {', '.join(str(v['version']) for v in history)}")


@segments_app.command("preview")
def preview_command(
    *,
    segment_id: Annotated[str | None, typer.Argument(help="A stored segment's id.")] = None,
    rule: Annotated[
        str | None, typer.Option("--rule", help="Or a rule (JSON file or text).")
    ] = None,
    as_of: AsOfOption = None,
    sample: Annotated[int, typer.Option("--sample", min=0, max=1000, help="People shown.")] = 10,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Count, sample and distributions of who a rule selects (nothing is stored)."""
    if (segment_id is None) == (rule is None):
        raise _fail("give a segment id or --rule, not both")
    with open_store(db) as store:
        try:
            if rule is not None:
                parsed = check_for(store, read_rule(rule))
            else:
                parsed = get_segment(store, str(segment_id)).parsed
            found = preview(
                store,
                parsed,
                as_of=as_of_value(as_of),
                rules_of=rules_lookup(store),
                sample_size=sample,
            )
        except RuleError as exc:
            raise rule_error(exc) from exc
        except SegmentNotFoundError as exc:
            raise _fail(str(exc), 1) from exc
    body = found.to_dict()
    if as_json:
        _print_json(body)
        return
    console.print(f"Rule: {found.description}", highlight=False)
    console.print(
        f"[bold]{found.count}[/bold] of {found.customers} customers "
        f"({100 * body['share']:.1f}%) as of {when(found.as_of)}; "
        f"features as of {when(found.features_as_of)}"
    )
    table = Table(title="Distributions of the members")
    for column in ("field", "set", "mean", "p25", "median", "p75", "max"):
        table.add_column(column)
    for name, stats in found.distributions.items():
        cells = [
            f"{stats[k]:.2f}" if k in stats else "-"
            for k in ("mean", "p25", "median", "p75", "max")
        ]
        table.add_row(name, str(stats["set"]), *cells)
    console.print(table)
    if found.top_categories:
        console.print(
            "Top categories: "
            + ", ".join(f"{c['category']} ({c['count']})" for c in found.top_categories),
            highlight=False,
        )
    if found.sample:
        console.print("Sample: " + ", ".join(str(row["user_id"]) for row in found.sample))


@segments_app.command("refresh")
def refresh_command(
    segment_id: Annotated[str | None, typer.Argument(help="One segment (default: all).")] = None,
    as_of: AsOfOption = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Materialise membership (entered/exited times), all segments in dependency order."""
    moment = as_of_value(as_of)
    moment = time.time() if moment is None else moment
    with open_store(db) as store:
        try:
            if segment_id is not None:
                results = [refresh_segment(store, segment_id, as_of=moment)]
            else:
                total = len(list_segments(store))
                with step_progress(errors, "Refreshing segments", total) as advance:
                    results = refresh_all(
                        store, as_of=moment, progress=lambda r: advance(r.segment_id)
                    )
        except (SegmentNotFoundError, SegmentConflictError) as exc:
            raise _fail(str(exc), 1) from exc
    if as_json:
        _print_json([r.to_dict() for r in results])
        return
    table = Table(title=f"Refreshed as of {when(moment)}")
    for column in ("segment", "members", "entered", "exited", "seconds"):
        table.add_column(column)
    for r in results:
        table.add_row(
            r.segment_id, str(r.members), str(r.entered), str(r.exited), f"{r.seconds:.2f}"
        )
    console.print(table)


@segments_app.command("export")
def export_command(
    segment_id: Annotated[str, typer.Argument(help="The segment's id.")],
    out: Annotated[Path, typer.Option("--out", help="The CSV file to write.")],
    db: DbOption = None,
) -> None:
    """Current members as CSV (user_id, email where consented, entered_at, features)."""
    with open_store(db) as store:
        try:
            get_segment(store, segment_id)
            out.parent.mkdir(parents=True, exist_ok=True)
            partial = out.with_name(out.name + ".partial")
            with partial.open("w", encoding="utf-8", newline="") as handle:
                written = write_csv(store, segment_id, handle)
            partial.replace(out)
        except SegmentNotFoundError as exc:
            raise _fail(str(exc), 1) from exc
    console.print(f"Wrote {written} members of {segment_id} to {out}")


@segments_app.command("delete")
def delete_command(
    segment_id: Annotated[str, typer.Argument(help="The segment's id.")],
    db: DbOption = None,
) -> None:
    """Delete a segment, its versions and its membership history."""
    with open_store(db) as store:
        try:
            delete_segment(store, segment_id)
        except SegmentNotFoundError as exc:
            raise _fail(str(exc), 1) from exc
        except SegmentConflictError as exc:
            raise _fail(str(exc)) from exc
    console.print(f"Deleted segment {segment_id}")


@segments_app.command("install-builtins")
def install_command(db: DbOption = None) -> None:
    """Create the built-in segments that are missing (RFM and predictive ones)."""
    with open_store(db, builtins=False) as store:
        created = install_builtins(store)
    console.print(
        f"Installed {len(created)} built-in segments"
        + (": " + ", ".join(created) if created else "")
    )


def register(app: typer.Typer) -> None:
    app.add_typer(segments_app, name="segments")
