"""``recmind demo``: the main job end to end on MovieLens 100K in the embedded store.

Import (validated, idempotent) -> evaluate the baselines and recmind's own models honestly
-> train and publish the serving model -> show three users' recent history and their
recommendations, each with the reason a person can read.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import numpy as np
import pandas as pd
import typer
from rich.console import Console
from rich.table import Table

from recmind.cli.eval_cmd import render_table
from recmind.cli.import_cmd import print_import_summary
from recmind.cli.progress import import_progress, step_progress
from recmind.config import get_settings
from recmind.data.bundle import DataBundle
from recmind.data.datasets import load_dataset
from recmind.data.importer import import_bundle
from recmind.data.store import Store
from recmind.eval.report import write_json, write_reports
from recmind.eval.runner import evaluate, total_steps
from recmind.eval.specs import resolve_models
from recmind.rec.artifacts import ModelStore
from recmind.rec.base import Recommender
from recmind.rec.explain import Explainer
from recmind.rec.registry import BASELINES
from recmind.training import after_publish, train_model, training_bundle

console = Console()
DATASET = "movielens-100k"
DEMO_MODELS = (*BASELINES, "semantic", "hybrid")
"""What the demo evaluates: the classic baselines and recmind's text and hybrid models (the
sequential model takes minutes per fit on 2 cores: `recmind eval --models sequential`)."""


DEMO_PROTOCOLS = ("temporal", "loo")
"""The headline protocol first, then the secondary one."""
PROTOCOL_NOTES = {
    "temporal": "trained on everything before a global cut time, scored at the cut on the "
    "new items each person took up after it: what a server is asked (the headline figure).",
    "loo": "each person's last item held out and scored at its moment; models still train "
    "on other people's later events, which this protocol lets into training (secondary).",
}


def demo_command(
    users: Annotated[int, typer.Option(help="How many sample users to show.")] = 3,
    k: Annotated[int, typer.Option(help="Recommendations per sample user.")] = 10,
) -> None:
    """Import MovieLens 100K, evaluate the baselines, train, and recommend for sample users."""
    settings = get_settings()
    console.rule("[bold]1. Import MovieLens 100K into the embedded store")
    with Store.from_settings(settings) as store:
        store.migrate()
        with import_progress(console) as progress:
            summary = import_bundle(
                store,
                load_dataset(DATASET),
                quarantine_dir=settings.quarantine_dir,
                progress=progress,
            )
        print_import_summary(console, summary, title=f"{DATASET} -> {store.url}")
        bundle = training_bundle(store, settings.api.secret, name=DATASET)

    console.rule("[bold]2. Evaluate baselines and recmind models (full ranking)")
    for protocol in DEMO_PROTOCOLS:
        evaluate_and_report(bundle, protocol, settings.seed, settings.reports_dir)

    console.rule(f"[bold]3. Train and publish the serving model ({settings.default_model})")
    with step_progress(console, f"training {settings.default_model}") as advance:
        result = train_model(
            bundle,
            model_name=settings.default_model,
            model_store=ModelStore(settings.models_dir),
            seed=settings.seed,
            progress=advance,
        )
        with Store.from_settings(settings) as store:
            after_publish(
                ModelStore(settings.models_dir),
                store,
                settings.api.secret,
                settings.models.keep_versions,
                advance,
            )
    console.print(f"Published {result.artifact.name} {result.artifact.version}")

    console.rule(f"[bold]4. {users} sample users: recent history and top-{k}")
    model, _ = ModelStore(settings.models_dir).load()
    rng = np.random.default_rng(settings.seed)
    sample = rng.choice(np.asarray(model.interactions_.user_ids), size=users, replace=False)
    explainer = Explainer(model, bundle)
    for user_id in sample:
        console.print(history_table(bundle, str(user_id)))
        console.print(recommendation_table(model, explainer, str(user_id), k))


def evaluate_and_report(bundle: DataBundle, protocol: str, seed: int, reports_dir: Path) -> None:
    """One protocol's table, its note, and where its report files went."""
    specs = resolve_models(DEMO_MODELS)
    console.print(f"[bold]{protocol}[/bold]: {PROTOCOL_NOTES[protocol]}")
    with step_progress(console, f"evaluating ({protocol})", total_steps(specs)) as advance:
        report = evaluate(
            bundle, models=DEMO_MODELS, protocol=protocol, ks=(10, 20), seed=seed, progress=advance
        )
    console.print(render_table(report))
    files = write_reports(report, reports_dir)
    json_path = write_json(report, reports_dir / f"{files.markdown.stem}.json")
    console.print(f"markdown: {files.markdown}\nplot:     {files.plot}\njson:     {json_path}")


def history_table(bundle: DataBundle, user_id: str, last: int = 5) -> Table:
    """The user's latest events, newest first, with titles."""
    events = bundle.events[bundle.events["user_id"] == user_id]
    recent = events.sort_values("timestamp", ascending=False).head(last)
    titles = bundle.items.set_index("item_id")["title"]
    table = Table(title=f"User {user_id}: last {len(recent)} of {len(events)} events")
    for column in ("when (UTC)", "event", "title", "value"):
        table.add_column(column)
    for when, event_type, item_id, value in zip(
        recent["timestamp"].to_numpy(dtype=float),
        recent["event_type"],
        recent["item_id"],
        recent["value"].to_numpy(dtype=float),
        strict=True,
    ):
        day = pd.Timestamp(when, unit="s", tz="UTC").strftime("%Y-%m-%d")
        shown = "" if np.isnan(value) else f"{value:g}"
        table.add_row(day, str(event_type), str(titles.get(item_id, item_id)), shown)
    return table


def recommendation_table(model: Recommender, explainer: Explainer, user_id: str, k: int) -> Table:
    """The model's top-k for the user (seen items excluded), each with its reason."""
    recs = model.recommend([user_id], k)
    table = Table(title=f"Top {k} for user {user_id} ({model.name})")
    for column in ("#", "title", "why", "score"):
        table.add_column(column)
    for rank, (item_id, score) in enumerate(recs.for_user(0), start=1):
        why = explainer.explain_one(user_id, item_id)
        table.add_row(str(rank), why.title, why.reason, f"{score:.3f}")
    return table


def register(app: typer.Typer) -> None:
    app.command("demo")(demo_command)
