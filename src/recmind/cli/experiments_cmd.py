"""``recmind experiments create|list|show|start|stop|readout``.

An experiment is a JSON or YAML file (or JSON text) as ``docs/experiments.md`` describes,
or just ``--name`` and ``--variants a,b,c`` (the first is the control). ``readout`` prints
each arm, the sample-ratio check, the frequentist and Bayesian tests (a bandit: its
posteriors, allocation and off-policy estimates), ``--json`` the same as JSON and
``--plot FILE.png`` its picture. A readout blocked by a sample-ratio mismatch exits with
status 3, so a script cannot mistake it for a result.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import orjson
import typer
import yaml
from pydantic import ValidationError
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from recmind.cli.campaigns_cmd import moment
from recmind.cli.segments_cmd import open_store, when
from recmind.data.store import Store
from recmind.marketing.experiments.definition import ExperimentDefinition
from recmind.marketing.experiments.plot import readout_plot
from recmind.marketing.experiments.readout import Readout, compute_readout
from recmind.marketing.experiments.repository import (
    STATUSES,
    Experiment,
    ExperimentExistsError,
    ExperimentNotFoundError,
    ExperimentStateError,
    create_experiment,
    exposure_counts,
    get_experiment,
    list_experiments,
    start_experiment,
    stop_experiment,
)

BLOCKED_EXIT = 3
console = Console()
errors = Console(stderr=True)
experiments_app = typer.Typer(
    help="Experiments: A/B/n tests and bandits, and their readouts.", no_args_is_help=True
)
DbOption = Annotated[str | None, typer.Option("--db", help="Store URL (default: settings).")]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON.")]
ExperimentId = Annotated[str, typer.Argument(help="The experiment's id.")]


def _fail(message: str, code: int = 2) -> typer.Exit:
    errors.print(f"[red]error:[/red] {escape(message)}", highlight=False)
    return typer.Exit(code)


def _print_json(value: Any) -> None:
    typer.echo(json.dumps(value, indent=2, ensure_ascii=False, default=str))


def _load(text: str) -> Any:
    path = Path(text)
    try:
        if not text.lstrip().startswith("{") and path.is_file():
            raw = path.read_text(encoding="utf-8")
            return orjson.loads(raw) if path.suffix.lower() == ".json" else yaml.safe_load(raw)
        return orjson.loads(text)
    except (orjson.JSONDecodeError, yaml.YAMLError, OSError) as exc:
        raise _fail(f"the experiment is neither a readable JSON/YAML file nor JSON: {exc}") from exc


def read_definition(
    text: str | None, *, name: str | None, variants: str | None, kind: str | None
) -> ExperimentDefinition:
    """The experiment from a file or JSON text, else from the options; every problem
    printed with its field, then exit 2."""
    if text is not None:
        data = _load(text)
    elif name and variants:
        names = [v.strip() for v in variants.split(",") if v.strip()]
        data = {"name": name, "variants": [{"name": n} for n in names]}
    else:
        raise _fail("give a definition (file or JSON), or --name and --variants")
    if isinstance(data, dict) and kind is not None:
        data = data | {"kind": kind}
    try:
        return ExperimentDefinition.model_validate(data)
    except ValidationError as exc:
        for problem in exc.errors():
            where = ".".join(str(p) for p in problem["loc"]) or "experiment"
            errors.print(f"[red]error:[/red] {escape(where)}: {escape(problem['msg'])}")
        raise typer.Exit(2) from exc


def _get(store: Store, experiment_id: str) -> Experiment:
    try:
        return get_experiment(store, experiment_id)
    except ExperimentNotFoundError as exc:
        raise _fail(str(exc), 1) from exc


def _show(store: Store, experiment: Experiment, as_json: bool) -> None:
    counts = exposure_counts(store, experiment.experiment_id)
    if as_json:
        _print_json(experiment.to_dict() | {"exposures": counts})
        return
    console.print(f"[bold]{escape(experiment.experiment_id)}[/bold]  {escape(experiment.name)}")
    console.print(
        f"{experiment.kind}, {experiment.status}: started {when(experiment.started_at)}, "
        f"stopped {when(experiment.stopped_at)}"
        + (f", winner {escape(experiment.winner)}" if experiment.winner else "")
    )
    metrics = experiment.metrics
    console.print(
        f"conversion: {metrics.conversion_event} within {metrics.window_days:g} days; CUPED "
        f"pre-period {metrics.pre_period_days:g} days; confidence {metrics.confidence:g}"
    )
    table = Table("variant", "weight", "control", "exposures")
    for variant in experiment.variants:
        table.add_row(
            escape(variant.name),
            f"{variant.weight:g}",
            "yes" if variant.control else "",
            f"{counts.get(variant.name, 0):,}",
        )
    if counts.get("holdout"):
        table.add_row("holdout", "", "", f"{counts['holdout']:,}")
    console.print(table)


def _percent(value: float | None, digits: int = 2) -> str:
    return "-" if value is None else f"{100 * value:.{digits}f}%"


def _number(value: float | None, digits: int = 2) -> str:
    return "-" if value is None else f"{value:,.{digits}f}"


def _arms(data: dict[str, Any]) -> Table:
    bandit = data["kind"] == "bandit"
    columns = ["variant", "people", "conversions", "rate", "revenue/person", "P(best)"]
    table = Table(*columns, *(["allocation", "pending"] if bandit else ["expected share"]))
    arms = data["arms"] + ([data["holdout"]] if data["holdout"] else [])
    for arm in arms:
        name = arm["variant"] + (" (control)" if arm["control"] else "")
        row = [
            escape(name),
            f"{arm['people']:,}",
            f"{arm['conversions']:,}",
            _percent(arm["rate"]),
            _number(arm["revenue_per_person"]),
            _percent(arm["probability_best"], 1),
        ]
        if bandit:
            row += [_percent(arm["allocation"], 1), f"{arm['pending']:,}"]
        else:
            row += [_percent(arm["expected_share"], 1)]
        table.add_row(*row)
    return table


def _tests(data: dict[str, Any]) -> Table:
    table = Table(
        "variant", "metric", "control", "variant", "difference", "interval", "p", "p (Holm)", ""
    )
    for metric, tests in data["tests"].items():
        rate = metric == "conversion"
        show = _percent if rate else _number
        for test in tests:
            table.add_row(
                escape(test["variant"]),
                metric.replace("_", " "),
                show(test["control_value"]),
                show(test["variant_value"]),
                show(test["difference"]),
                f"{show(test['ci_low'])} to {show(test['ci_high'])}",
                f"{test['p_value']:.3g}",
                f"{test['p_adjusted']:.3g}",
                "[green]significant[/green]" if test["significant"] else "",
            )
    return table


def _print_readout(data: dict[str, Any]) -> None:
    experiment = data["experiment"]
    console.print(
        f"[bold]{escape(experiment['experiment_id'])}[/bold]  {escape(experiment['name'])} "
        f"({data['kind']}, {experiment['status']})"
    )
    console.print(_arms(data))
    if data["srm"] is not None:
        srm = data["srm"]
        console.print(f"sample ratio: chi-square {srm['chi2']:.2f}, p = {srm['p_value']:.3g}")
    if data["blocked"]:
        console.print(f"[bold red]BLOCKED[/bold red]: {escape(data['blocked_reason'])}")
        return
    if any(data["tests"].values()):
        console.print(_tests(data))
    if data["bayesian"]:
        table = Table("variant", "P(beats control)", "expected loss", "loss of keeping control")
        for row in data["bayesian"]:
            table.add_row(
                escape(row["variant"]),
                _percent(row["probability_beats_control"], 1),
                _percent(row["expected_loss"], 3),
                _percent(row["control_loss"], 3),
            )
        console.print(table)
    if data["off_policy"]:
        table = Table("policy", "IPS", "SNIPS", "SNIPS interval", "effective decisions")
        for row in data["off_policy"]:
            ips, snips = row["ips"], row["snips"]
            table.add_row(
                escape(row["policy"]),
                _percent(ips["value"]),
                _percent(snips["value"]),
                f"{_percent(snips['ci_low'])} to {_percent(snips['ci_high'])}",
                f"{snips['effective_sample_size']:,.0f}",
            )
        console.print(table)
    for note in data["notes"]:
        console.print(f"[dim]{escape(note)}[/dim]")


@experiments_app.command("create")
def create_command(
    definition: Annotated[
        str | None, typer.Argument(help="The experiment: a .json/.yaml file, or JSON text.")
    ] = None,
    *,
    name: Annotated[str | None, typer.Option("--name", help="Its name (without a file).")] = None,
    variants: Annotated[
        str | None,
        typer.Option("--variants", help="Variant names, comma-separated; first: control."),
    ] = None,
    kind: Annotated[str | None, typer.Option("--kind", help="ab or bandit.")] = None,
    start: Annotated[bool, typer.Option("--start", help="Start it at once.")] = False,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Store a new experiment (a draft unless --start)."""
    found = read_definition(definition, name=name, variants=variants, kind=kind)
    with open_store(db, builtins=False) as store:
        try:
            created = create_experiment(store, found, start=start)
        except ExperimentExistsError as exc:
            raise _fail(str(exc), 1) from exc
        _show(store, created, as_json)


@experiments_app.command("list")
def list_command(
    status: Annotated[
        str | None, typer.Option("--status", help=f"Only these: {', '.join(STATUSES)}.")
    ] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Every experiment, newest first."""
    if status is not None and status not in STATUSES:
        raise _fail(f"--status: one of {', '.join(STATUSES)}")
    with open_store(db, builtins=False) as store:
        found = list_experiments(store, status)
        if as_json:
            _print_json(
                [
                    e.to_dict() | {"exposures": exposure_counts(store, e.experiment_id)}
                    for e in found
                ]
            )
            return
        table = Table("id", "name", "kind", "status", "variants", "exposures", "started")
        for one in found:
            counts = exposure_counts(store, one.experiment_id)
            table.add_row(
                escape(one.experiment_id),
                escape(one.name),
                one.kind,
                one.status,
                escape(", ".join(one.names)),
                f"{sum(counts.values()):,}",
                when(one.started_at),
            )
        console.print(table)


@experiments_app.command("show")
def show_command(
    experiment_id: ExperimentId, db: DbOption = None, as_json: JsonOption = False
) -> None:
    """One experiment: its variants, metrics and exposures per variant."""
    with open_store(db, builtins=False) as store:
        _show(store, _get(store, experiment_id), as_json)


@experiments_app.command("start")
def start_command(
    experiment_id: ExperimentId, db: DbOption = None, as_json: JsonOption = False
) -> None:
    """Start assigning people (a draft only)."""
    with open_store(db, builtins=False) as store:
        _get(store, experiment_id)
        try:
            started = start_experiment(store, experiment_id)
        except ExperimentStateError as exc:
            raise _fail(str(exc), 1) from exc
        _show(store, started, as_json)


@experiments_app.command("stop")
def stop_command(
    experiment_id: ExperimentId,
    winner: Annotated[
        str | None,
        typer.Option("--winner", help="The variant everyone gets from now on (default: control)."),
    ] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Stop assigning; every exposure is kept for the readout."""
    with open_store(db, builtins=False) as store:
        _get(store, experiment_id)
        try:
            stopped = stop_experiment(store, experiment_id, winner=winner)
        except (ExperimentStateError, ValueError) as exc:
            raise _fail(str(exc), 1) from exc
        _show(store, stopped, as_json)


@experiments_app.command("readout")
def readout_command(
    experiment_id: ExperimentId,
    plot: Annotated[
        Path | None, typer.Option("--plot", help="Also write its picture (PNG).")
    ] = None,
    at: Annotated[
        str | None, typer.Option("--at", help="As of this moment (ISO 8601 or epoch; default now).")
    ] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Read the experiment out (exit status 3 when a sample-ratio mismatch blocks it)."""
    with open_store(db, builtins=False) as store:
        experiment = _get(store, experiment_id)
        readout: Readout = compute_readout(
            store, experiment, now=None if at is None else moment(at)
        )
        data = readout.to_dict()
        if as_json:
            _print_json(data)
        else:
            _print_readout(data)
        if plot is not None:
            readout_plot(readout, plot)
            if not as_json:
                console.print(f"plot written to {escape(str(plot))}")
        if readout.blocked:
            raise typer.Exit(BLOCKED_EXIT)


def register(app: typer.Typer) -> None:
    app.add_typer(experiments_app, name="experiments")
