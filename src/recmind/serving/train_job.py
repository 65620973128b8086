"""A training job in its own process: ``python -m recmind.serving.train_job [--model NAME]``
reads the server's settings (JSON) on stdin, trains on everything in the store, publishes a
new version and prints one JSON line describing it.

A separate process keeps the server's cores and memory for requests (it also lowers its own
priority), and a crash in training cannot take the server down.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys

from recmind.config import Settings
from recmind.data.store import Store
from recmind.rec.artifacts import ModelStore
from recmind.training import after_publish, train_model, training_bundle

NICENESS = 10


def run(settings: Settings, model: str | None) -> dict[str, object]:
    """Train on everything but erased people's history and publish, then prune and
    rewrite the kept versions (retention); the published version's description."""
    name = model or settings.default_model
    models = ModelStore(settings.models_dir)
    with Store.from_settings(settings) as store:
        store.migrate()
        bundle = training_bundle(store, settings.api.secret)
        if bundle.events.empty:
            raise ValueError("the store has no events to train on: ingest or import some first")
        result = train_model(bundle, model_name=name, model_store=models, seed=settings.seed)
        retention = after_publish(models, store, settings.api.secret, settings.models.keep_versions)
    return {
        "model": result.artifact.name,
        "version": result.artifact.version,
        "params": result.params,
        "metrics": result.metrics,
        "retention": {
            "pruned": list(retention.pruned),
            "rewritten": list(retention.rewritten),
            "deleted": list(retention.deleted),
            "unchecked": list(retention.unchecked),
        },
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", default=None)
    args = parser.parse_args(argv)
    with contextlib.suppress(OSError):
        os.nice(NICENESS)
    settings = Settings.model_validate(json.loads(sys.stdin.read()))
    try:
        outcome = run(settings, args.model)
    except Exception as exc:
        print(json.dumps({"error": f"{type(exc).__name__}: {exc}"}), flush=True)
        raise
    print(json.dumps(outcome, default=str), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
