"""``recmind worker``: run the marketing engine (journeys, campaigns, delivery)."""

from __future__ import annotations

import logging
import signal
from types import FrameType
from typing import Annotated

import typer
from rich.console import Console

from recmind.cli.customers_cmd import open_store
from recmind.cli.keys_cmd import secret_problem
from recmind.config import get_settings

errors = Console(stderr=True)
console = Console()


def worker_command(
    once: Annotated[
        bool, typer.Option("--once", help="Run one round and exit (for cron and tests).")
    ] = False,
    worker_id: Annotated[
        str | None,
        typer.Option("--id", help="This worker's name in claims (default: host-pid)."),
    ] = None,
    db: Annotated[
        str | None, typer.Option(help="Database URL (default: the configured store).")
    ] = None,
    log_level: Annotated[str, typer.Option(help="debug, info, warning or error.")] = "info",
) -> None:
    """Scan journey triggers, take due journey steps, run due campaigns and deliver due
    messages, round after round (every marketing.worker_poll_seconds when idle).

    Any number of workers may run at once; a restart resumes where the last one stopped.
    SIGTERM or Ctrl-C finishes the current step, gives the claims back and exits.
    """
    problem = secret_problem()
    if problem:
        errors.print(f"[red]error:[/red] refusing to start: {problem}")
        raise typer.Exit(2)
    level = getattr(logging, log_level.upper(), None)
    if not isinstance(level, int):
        errors.print(f"[red]error:[/red] unknown log level {log_level!r}")
        raise typer.Exit(2)
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("recmind").setLevel(level)
    from recmind.marketing.content.compose import OutboxComposer
    from recmind.marketing.journeys.files import ApplyError
    from recmind.serving.marketing_worker import MarketingWorker
    from recmind.serving.message_recommender import open_recommender

    settings = get_settings()
    store = open_store(db)
    recommender = open_recommender(settings, store)
    try:
        worker = MarketingWorker(
            store, settings, OutboxComposer(store, settings, recommender), worker_id=worker_id
        )
        try:
            worker.apply_journey_files()
        except ApplyError as exc:
            for error in exc.errors:
                errors.print(f"[red]error:[/red] {error}")
            raise typer.Exit(2) from exc

        def stop(signum: int, _frame: FrameType | None) -> None:
            logging.getLogger(__name__).info("signal %d: stopping", signum)
            worker.stop()

        previous = {s: signal.signal(s, stop) for s in (signal.SIGTERM, signal.SIGINT)}
        try:
            totals = worker.run(once=once)
        finally:
            for signum, handler in previous.items():
                signal.signal(signum, handler)
    finally:
        recommender.close()
        store.close()
    if once:
        console.print(
            f"entered {totals.entered}, steps {totals.advanced}, campaign messages "
            f"{totals.campaign_messages}, delivered {totals.delivered}, failures "
            f"{totals.failures}"
        )
    if totals.failures:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.command("worker")(worker_command)
