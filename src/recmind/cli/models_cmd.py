"""``recmind train``, ``recmind recommend`` and ``recmind models list|use``."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from recmind.cli.progress import step_progress
from recmind.config import get_settings
from recmind.data.store import Store
from recmind.erasure import holds_erased_history
from recmind.rec.artifacts import ArtifactInfo, ArtifactIntegrityError, ModelStore
from recmind.rec.base import DataTooLargeError, Filters, Recommender
from recmind.rec.registry import available_models
from recmind.rec.retention import RetentionReport, history
from recmind.training import after_publish, train_model, training_bundle

console = Console()
errors = Console(stderr=True)
models_app = typer.Typer(help="Trained model versions.", no_args_is_help=True)


def _store(db: str | None) -> Store:
    return Store.from_url(db) if db else Store.from_settings(get_settings())


def train_command(
    model: Annotated[
        str | None,
        typer.Option("--model", "-m", help="Model to train (default: RECMIND_DEFAULT_MODEL)."),
    ] = None,
    db: Annotated[str | None, typer.Option("--db", help="Store URL (default: settings).")] = None,
    seed: Annotated[int | None, typer.Option(help="Seed (default: RECMIND_SEED).")] = None,
) -> None:
    """Tune on a validation target, fit on all stored events, publish a new model version."""
    settings = get_settings()
    name = model or settings.default_model
    if name not in available_models() and name != "pop":
        errors.print(f"[red]error:[/red] unknown model {name!r}; available: {available_models()}")
        raise typer.Exit(2)
    models = ModelStore(settings.models_dir)
    with _store(db) as store:
        store.migrate()
        bundle = training_bundle(store, settings.api.secret)
        if bundle.events.empty:
            errors.print("[red]error:[/red] the store has no events: run `recmind import` first")
            raise typer.Exit(1)
        try:
            with step_progress(console, f"training {name}") as advance:
                result = train_model(
                    bundle,
                    model_name=name,
                    model_store=models,
                    seed=settings.seed if seed is None else seed,
                    progress=advance,
                )
                retention = after_publish(
                    models, store, settings.api.secret, settings.models.keep_versions, advance
                )
        except DataTooLargeError as exc:
            errors.print(f"[red]error:[/red] {exc}")
            raise typer.Exit(1) from exc
    info = result.artifact
    console.print(
        f"Published [bold]{info.name}[/bold] {info.version} "
        f"({info.n_users:,} users x {info.n_items:,} items) params {result.params}\n"
        f"held-out ndcg@10 {result.metrics['test_ndcg@10']:.4f}, "
        f"hr@10 {result.metrics['test_hr@10']:.4f}\n{info.path}"
    )
    _print_retention(retention)


def _print_retention(report: RetentionReport) -> None:
    for label, versions in (
        ("pruned (retention)", report.pruned),
        ("rewritten without erased people", report.rewritten),
        ("deleted (held erased people, could not be rewritten)", report.deleted),
        (
            "[yellow]not checked for erased people (could not be loaded here)[/yellow]",
            report.unchecked,
        ),
    ):
        if versions:
            console.print(f"{label}: {', '.join(versions)}", soft_wrap=True)


def erased_in(model: Recommender, user: str, db: str | None = None) -> bool:
    """Whether the model's row for ``user`` is an erased person's history (it is then not
    used: the user is scored as unknown)."""
    with _store(db) as store:
        store.migrate()
        return holds_erased_history(model, store, get_settings().api.secret, user)


def recommend_command(
    user: Annotated[str, typer.Option("--user", "-u", help="User id.")],
    k: Annotated[int, typer.Option("--k", min=1, max=1000, help="How many items.")] = 10,
    category: Annotated[
        list[str] | None, typer.Option("--category", help="Only these categories.")
    ] = None,
    in_stock: Annotated[bool, typer.Option("--in-stock", help="Only items in stock.")] = False,
    version: Annotated[
        str | None, typer.Option("--version", help="Model version (default: latest).")
    ] = None,
) -> None:
    """Top-k recommendations for a user from the latest trained model."""
    models = ModelStore(get_settings().models_dir)
    if models.latest() is None:
        errors.print("[red]error:[/red] no trained model: run `recmind train` first")
        raise typer.Exit(1)
    try:
        model, info = models.load(version)
    except (KeyError, FileNotFoundError, ValueError) as exc:
        errors.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from exc
    filters = Filters(categories=tuple(category or ()), in_stock=in_stock)
    # An erased person is scored as unknown: "" is never a user id.
    recs = model.recommend(["" if erased_in(model, user) else user], k, filters)
    known = bool(recs.known_users[0])
    console.print(
        f"model {info.name} {info.version}"
        + ("" if known else f"; unknown user {user!r}: most popular items"),
        soft_wrap=True,
    )
    table = Table(title=f"Top {k} for user {user}")
    table.add_column("#", justify="right")
    table.add_column("item")
    table.add_column("title")
    table.add_column("score", justify="right")
    titles = dict(zip(model.catalog_.item_ids, model.catalog_.titles, strict=True))
    for rank, (item_id, score) in enumerate(recs.for_user(0), start=1):
        table.add_row(str(rank), item_id, str(titles.get(item_id, item_id)), f"{score:.4f}")
    console.print(table)


def _checksum_state(models: ModelStore, info: ArtifactInfo) -> str:
    try:
        return "ok" if models.verify(info) else "none (older version)"
    except ArtifactIntegrityError:
        return "[red]DAMAGED[/red]"


def _rewrites(info: ArtifactInfo) -> str:
    return "; ".join(
        f"{r.get('at', '?')}: without {r.get('people', '?')} erased" for r in info.rewrites
    )


@models_app.command("list")
def list_versions() -> None:
    """Every saved version, oldest first; the served one is marked. Then what retention
    and erasures did (pruned, rewritten, deleted versions)."""
    models = ModelStore(get_settings().models_dir)
    latest = models.latest()
    table = Table(title=f"Model versions in {models.root}")
    columns = ("", "version", "model", "created", "held-out ndcg@10", "checksum")
    for column in (*columns, "rewritten", "params"):
        table.add_column(column)
    for info in models.versions():
        ndcg = info.metrics.get("test_ndcg@10")
        table.add_row(
            "*" if latest and info.version == latest.version else "",
            info.version,
            info.name,
            info.created_at,
            "-" if ndcg is None else f"{ndcg:.4f}",
            _checksum_state(models, info),
            _rewrites(info) or "-",
            str(info.params),
        )
    console.print(table)
    events = history(models)
    if events:
        console.print("[bold]History[/bold] (retention and erasures, newest last):")
        for event in events[-20:]:
            console.print(
                f"  {event.get('at', '?')}  {event.get('action', '?'):<9} "
                f"{event.get('version', '?')}  {_detail(event)}",
                soft_wrap=True,
            )


def _detail(event: dict[str, object]) -> str:
    if event.get("action") == "pruned":
        return f"(keeping the newest {event.get('keep', '?')})"
    if event.get("action") == "rewritten":
        return f"refitted without {event.get('people', '?')} erased people"
    return str(event.get("reason", ""))


@models_app.command("use")
def use_version(version: Annotated[str, typer.Argument(help="Version to serve.")]) -> None:
    """Serve an earlier (or later) version: a one-command rollback. A version whose file
    fails its checksum is refused."""
    models = ModelStore(get_settings().models_dir)
    try:
        models.verify(models.info(version))
        models.set_latest(version)
    except (KeyError, FileNotFoundError, ValueError) as exc:
        errors.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from exc
    console.print(f"Now serving {version}")


def register(app: typer.Typer) -> None:
    app.command("train")(train_command)
    app.command("recommend")(recommend_command)
    app.add_typer(models_app, name="models")
