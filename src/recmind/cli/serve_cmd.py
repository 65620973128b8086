"""``recmind serve``: the REST service on uvicorn."""

from __future__ import annotations

import logging
from typing import Annotated

import typer
from rich.console import Console

from recmind.cli.keys_cmd import secret_problem
from recmind.config import get_settings

errors = Console(stderr=True)


def serve_command(
    host: Annotated[
        str | None, typer.Option(help="Interface (default: RECMIND_API__HOST, 127.0.0.1).")
    ] = None,
    port: Annotated[
        int | None,
        typer.Option(min=1, max=65535, help="TCP port (default: RECMIND_API__PORT, 8000)."),
    ] = None,
    log_level: Annotated[str, typer.Option(help="debug, info, warning or error.")] = "info",
    worker: Annotated[
        bool,
        typer.Option(
            "--worker",
            help="Also run the marketing worker (journeys, campaigns, delivery) in this "
            "process (RECMIND_MARKETING__SERVE_WORKER).",
        ),
    ] = False,
) -> None:
    """Serve the REST API (OpenAPI docs at /docs) with the latest published model.

    Logs are JSON lines on stderr, one per request. The server refuses to start with the
    built-in secret unless RECMIND_API__DEV_MODE=true.
    """
    problem = secret_problem()
    if problem:
        errors.print(f"[red]error:[/red] refusing to start: {problem}")
        raise typer.Exit(2)
    import uvicorn

    from recmind.api.app import create_app
    from recmind.api.logs import configure_json_logging

    level = getattr(logging, log_level.upper(), None)
    if not isinstance(level, int):
        errors.print(f"[red]error:[/red] unknown log level {log_level!r}")
        raise typer.Exit(2)
    settings = get_settings()
    if worker:
        marketing = settings.marketing.model_copy(update={"serve_worker": True})
        settings = settings.model_copy(update={"marketing": marketing})
    configure_json_logging(level)
    uvicorn.run(
        create_app(settings),
        host=host or settings.api.host,
        port=port or settings.api.port,
        log_config=None,
        access_log=False,
        server_header=False,
        timeout_graceful_shutdown=10,
    )


def register(app: typer.Typer) -> None:
    app.command("serve")(serve_command)
