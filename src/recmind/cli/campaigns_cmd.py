"""``recmind campaigns create|update|list|show|preview|test|schedule|send|cancel``.

A campaign is a JSON or YAML file (or JSON text): audience, channel, template,
recommendations, the shop's words (``context``) and an optional ``schedule_at``. ``send``
runs the campaign in this process with a progress bar (``--background``: leave it to
``recmind worker``); stopped half-way, it is resumed by the next worker or ``send``, and
nobody gets the message twice.
"""

from __future__ import annotations

import json
import os
import socket
import time
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

import orjson
import typer
import yaml
from pydantic import ValidationError
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from recmind.cli.segments_cmd import open_store, when
from recmind.config import get_settings
from recmind.data.store import Store
from recmind.marketing.campaigns.definition import CampaignDefinition
from recmind.marketing.campaigns.preview import preview, test_send
from recmind.marketing.campaigns.repository import (
    STATUSES,
    Campaign,
    CampaignError,
    CampaignNotFoundError,
    CampaignStateError,
    campaign_stats,
    cancel_campaign,
    create_campaign,
    get_campaign,
    list_campaigns,
    schedule_campaign,
    update_campaign,
)
from recmind.marketing.campaigns.runner import CampaignProgress, claim_due_campaign, run_campaign
from recmind.marketing.content.compose import OutboxComposer

console = Console()
errors = Console(stderr=True)
campaigns_app = typer.Typer(
    help="Campaigns: one-off or scheduled sends to a segment or audience.",
    no_args_is_help=True,
)
DbOption = Annotated[str | None, typer.Option("--db", help="Store URL (default: settings).")]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON.")]
CampaignId = Annotated[str, typer.Argument(help="The campaign's id.")]
DefinitionArgument = Annotated[
    str, typer.Argument(help="The campaign: a .json/.yaml file, or JSON text.")
]


def _fail(message: str, code: int = 2) -> typer.Exit:
    errors.print(f"[red]error:[/red] {escape(message)}", highlight=False)
    return typer.Exit(code)


def _print_json(value: Any) -> None:
    typer.echo(json.dumps(value, indent=2, ensure_ascii=False, default=str))


def read_definition(text: str) -> CampaignDefinition:
    """A campaign from a file (JSON or YAML) or JSON text; every problem printed with its
    field, then exit 2."""
    path = Path(text)
    try:
        if not text.lstrip().startswith("{") and path.is_file():
            raw = path.read_text(encoding="utf-8")
            data = orjson.loads(raw) if path.suffix.lower() == ".json" else yaml.safe_load(raw)
        else:
            data = orjson.loads(text)
    except (orjson.JSONDecodeError, yaml.YAMLError, OSError) as exc:
        raise _fail(f"the campaign is neither a readable JSON/YAML file nor JSON: {exc}") from exc
    try:
        return CampaignDefinition.model_validate(data)
    except ValidationError as exc:
        for problem in exc.errors():
            where = ".".join(str(p) for p in problem["loc"]) or "campaign"
            errors.print(f"[red]error:[/red] {escape(where)}: {escape(problem['msg'])}")
        raise typer.Exit(2) from exc


def moment(text: str) -> float:
    """Epoch seconds from ISO 8601 with a time zone, ``now``, or epoch seconds."""
    if text == "now":
        return time.time()
    try:
        return float(text)
    except ValueError:
        pass
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError as exc:
        raise _fail(f"--at: not ISO 8601, epoch seconds or 'now': {text!r}") from exc
    if parsed.tzinfo is None:
        raise _fail("--at: give a time zone (e.g. 2025-04-01T09:00:00+02:00 or ...Z)")
    return parsed.timestamp()


def _get(store: Store, campaign_id: str) -> Campaign:
    try:
        return get_campaign(store, campaign_id)
    except CampaignNotFoundError as exc:
        raise _fail(str(exc), 1) from exc


def _show(store: Store, campaign: Campaign, as_json: bool) -> None:
    stats = campaign_stats(store, campaign.campaign_id)
    if as_json:
        _print_json(campaign.to_dict() | {"stats": stats})
        return
    definition = campaign.definition
    console.print(f"[bold]{escape(campaign.campaign_id)}[/bold]  {escape(campaign.name)}")
    console.print(
        f"status {campaign.status}, scheduled {when(campaign.scheduled_at)}, "
        f"started {when(campaign.started_at)}, finished {when(campaign.finished_at)}"
    )
    console.print(f"audience {escape(json.dumps(definition.audience.model_dump(mode='json')))}")
    console.print(
        f"{definition.channel} · template {definition.template} · "
        f"{definition.recommendations.count} items ({definition.recommendations.source})"
    )
    if campaign.last_error:
        console.print(f"[red]last error:[/red] {escape(campaign.last_error)}")
    console.print(f"messages {stats['messages']}: {stats['by_status'] or '-'}")
    if stats["skipped_by_reason"]:
        console.print(f"skipped by reason: {stats['skipped_by_reason']}")


def _composer(store: Store) -> tuple[OutboxComposer, Any]:
    from recmind.serving.message_recommender import open_recommender

    settings = get_settings()
    recommender = open_recommender(settings, store)
    return OutboxComposer(store, settings, recommender), recommender


@campaigns_app.command("create")
def create_command(definition: DefinitionArgument, db: DbOption = None) -> None:
    """Store a campaign (a draft, or scheduled when it has schedule_at)."""
    parsed = read_definition(definition)
    with open_store(db) as store:
        try:
            made = create_campaign(store, get_settings(), parsed)
        except CampaignError as exc:
            raise _fail(str(exc)) from exc
    console.print(f"Created campaign [bold]{made.campaign_id}[/bold] ({made.status})")


@campaigns_app.command("update")
def update_command(
    campaign_id: CampaignId, definition: DefinitionArgument, db: DbOption = None
) -> None:
    """Replace a draft's definition."""
    parsed = read_definition(definition)
    with open_store(db) as store:
        _get(store, campaign_id)
        try:
            changed = update_campaign(store, get_settings(), campaign_id, parsed)
        except (CampaignError, CampaignStateError) as exc:
            raise _fail(str(exc)) from exc
    console.print(f"Updated campaign [bold]{changed.campaign_id}[/bold] ({changed.status})")


@campaigns_app.command("list")
def list_command(
    status: Annotated[
        str | None, typer.Option("--status", help=f"Only {', '.join(STATUSES)}.")
    ] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Every campaign, newest first."""
    if status is not None and status not in STATUSES:
        raise _fail(f"--status: one of {', '.join(STATUSES)}")
    with open_store(db) as store:
        found = list_campaigns(store, status)
        if as_json:
            _print_json(
                [c.to_dict() | {"stats": campaign_stats(store, c.campaign_id)} for c in found]
            )
            return
        table = Table("id", "name", "status", "channel", "template", "scheduled", "messages")
        for c in found:
            stats = campaign_stats(store, c.campaign_id)
            table.add_row(
                c.campaign_id,
                escape(c.name),
                c.status,
                c.definition.channel,
                c.definition.template,
                when(c.scheduled_at),
                str(stats["messages"]),
            )
    console.print(table)


@campaigns_app.command("show")
def show_command(campaign_id: CampaignId, db: DbOption = None, as_json: JsonOption = False) -> None:
    """A campaign, with its messages by status and skip reason."""
    with open_store(db) as store:
        _show(store, _get(store, campaign_id), as_json)


@campaigns_app.command("preview")
def preview_command(
    campaign_id: CampaignId,
    user_id: Annotated[str, typer.Argument(help="The person whose message to show.")],
    part: Annotated[
        str, typer.Option("--part", help="text, html or all (subject, text and payload).")
    ] = "all",
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """The message USER_ID would get (nothing is written)."""
    with open_store(db) as store:
        campaign = _get(store, campaign_id)
        composer, recommender = _composer(store)
        try:
            found = preview(composer, campaign, user_id, now=time.time())
        finally:
            recommender.close()
    if as_json:
        _print_json(found.to_dict())
        return
    if found.skip_reason:
        errors.print(f"[yellow]this message would be skipped:[/yellow] {found.skip_reason}")
    message = found.message
    if message is None:
        raise typer.Exit(1)
    if part == "html":
        typer.echo(message.body_html)
        return
    if part == "all":
        console.print(f"[bold]To:[/bold] {escape(found.recipient or '-')}")
        console.print(f"[bold]Subject:[/bold] {escape(message.subject)}")
        console.print(f"[bold]Items:[/bold] {', '.join(found.items) or '-'}")
    typer.echo(message.body_text)


@campaigns_app.command("test")
def test_command(
    campaign_id: CampaignId,
    to: Annotated[str, typer.Option("--to", help="The address the test goes to.")],
    user_id: Annotated[
        str, typer.Option("--user", help="Whose message (their items, their name).")
    ],
    deliver: Annotated[
        bool,
        typer.Option(
            "--deliver",
            help="Deliver due messages now instead of leaving it to "
            "`recmind worker` (every due message, this one included).",
        ),
    ] = False,
    db: DbOption = None,
) -> None:
    """Send USER's message to --to through the outbox and the real channel."""
    with open_store(db) as store:
        campaign = _get(store, campaign_id)
        composer, recommender = _composer(store)
        try:
            message_id, reason = test_send(composer, campaign, user_id, to, now=time.time())
        except ValueError as exc:
            raise _fail(str(exc)) from exc
        finally:
            recommender.close()
        if reason:
            raise _fail(f"the test message {message_id} was skipped: {reason}", 1)
        console.print(f"Queued test message [bold]{message_id}[/bold] for {escape(to)}")
        if deliver:
            from recmind.marketing.outbox.delivery import deliver_due

            settings = get_settings()
            sent = deliver_due(
                store,
                settings,
                worker_id=_worker_id(),
                now=time.time(),
                limit=settings.marketing.batch_size,
            )
            console.print(f"Delivered {sent} due message(s)")


@campaigns_app.command("schedule")
def schedule_command(
    campaign_id: CampaignId,
    at: Annotated[str, typer.Option("--at", help="ISO 8601 with a time zone, or epoch seconds.")],
    db: DbOption = None,
) -> None:
    """Send the campaign at --at (by `recmind worker`)."""
    with open_store(db) as store:
        _get(store, campaign_id)
        try:
            done = schedule_campaign(store, campaign_id, moment(at))
        except CampaignStateError as exc:
            raise _fail(str(exc)) from exc
    console.print(f"Campaign [bold]{campaign_id}[/bold] scheduled at {when(done.scheduled_at)}")


def _worker_id() -> str:
    return f"cli-{socket.gethostname()}-{os.getpid()}"[:64]


@campaigns_app.command("send")
def send_command(
    campaign_id: CampaignId,
    background: Annotated[
        bool, typer.Option("--background", help="Only schedule it now: the worker sends it.")
    ] = False,
    db: DbOption = None,
) -> None:
    """Send the campaign now, in this process, with a progress bar."""
    settings = get_settings()
    with open_store(db) as store:
        campaign = _get(store, campaign_id)
        if campaign.status != "sending":
            try:
                schedule_campaign(store, campaign_id, time.time())
            except CampaignStateError as exc:
                raise _fail(str(exc)) from exc
        if background:
            console.print(f"Campaign [bold]{campaign_id}[/bold] is due now: the worker sends it")
            return
        worker_id = _worker_id()
        claimed = claim_due_campaign(
            store,
            worker_id=worker_id,
            now=time.time(),
            claim_seconds=settings.marketing.claim_seconds,
            campaign_id=campaign_id,
        )
        if claimed is None:
            raise _fail(f"campaign {campaign_id!r} is being sent by another worker", 1)
        composer, recommender = _composer(store)
        try:
            with Progress(
                TextColumn("[bold]{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=console,
            ) as bar:
                task = bar.add_task(f"sending {campaign_id}", total=None)

                def update(state: CampaignProgress) -> None:
                    bar.update(task, completed=state.done, total=state.total)

                written = run_campaign(
                    store,
                    settings,
                    composer,
                    claimed,
                    worker_id=worker_id,
                    now=time.time(),
                    progress=update,
                )
        finally:
            recommender.close()
        console.print(f"{written} message(s) written to the outbox")
        _show(store, _get(store, campaign_id), False)


@campaigns_app.command("cancel")
def cancel_command(campaign_id: CampaignId, db: DbOption = None) -> None:
    """Cancel the campaign (a sending one stops after its current batch)."""
    with open_store(db) as store:
        _get(store, campaign_id)
        try:
            cancel_campaign(store, campaign_id)
        except CampaignStateError as exc:
            raise _fail(str(exc)) from exc
    console.print(f"Campaign [bold]{campaign_id}[/bold] cancelled")


def register(app: typer.Typer) -> None:
    app.add_typer(campaigns_app, name="campaigns")
