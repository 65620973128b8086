"""The ``recmind`` command: one typer group, one module per command."""

from __future__ import annotations

import logging

import typer

from recmind.cli import (
    audiences_cmd,
    campaigns_cmd,
    clv_cmd,
    copy_cmd,
    copy_facts_cmd,
    copy_generate_cmd,
    customers_cmd,
    datasets_cmd,
    demo_cmd,
    draft_cmd,
    eval_cmd,
    experiments_cmd,
    explain_cmd,
    generate_cmd,
    handoffs_cmd,
    import_cmd,
    journeys_cmd,
    kb_cmd,
    keys_cmd,
    marketing_report_cmd,
    models_cmd,
    orders_cmd,
    outbox_cmd,
    profile_cmd,
    segments_cmd,
    serve_cmd,
    simulate_cmd,
    suppressions_cmd,
    users_cmd,
    worker_cmd,
)

app = typer.Typer(
    name="recmind",
    help="LLM-powered personalized recommendation and automated marketing.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)


@app.callback()
def main(
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Log debug messages."),
) -> None:
    """recmind: import data, evaluate and train recommenders, recommend."""
    logging.basicConfig(level=logging.DEBUG if verbose else logging.WARNING)


import_cmd.register(app)
datasets_cmd.register(app)
eval_cmd.register(app)
models_cmd.register(app)
demo_cmd.register(app)
profile_cmd.register(app)
explain_cmd.register(app)
generate_cmd.register(app)
serve_cmd.register(app)
keys_cmd.register(app)
users_cmd.register(app)
customers_cmd.register(app)
segments_cmd.register(app)
draft_cmd.register()
audiences_cmd.register(app)
clv_cmd.register(app)
outbox_cmd.register(app)
journeys_cmd.register(app)
campaigns_cmd.register(app)
worker_cmd.register(app)
suppressions_cmd.register(app)
marketing_report_cmd.register(app)
copy_cmd.register(app)
copy_facts_cmd.register()
copy_generate_cmd.register()
simulate_cmd.register(app)
kb_cmd.register(app)
orders_cmd.register(app)
experiments_cmd.register(app)
handoffs_cmd.register(app)
