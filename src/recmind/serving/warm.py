"""Warming a version's list cache: rank every recently active person before the version
serves, so their first request is a cache hit.

When a server swaps versions under traffic, this runs in a child process at low priority
(``python -m recmind.serving.warm``): ranking ~1,000 people with the hybrid model is seconds
of CPU, and in the server's own process it would take the GIL from the requests (measured:
p99 ~0.8 s around a swap at 200 requests/s on one core, against ~10 ms with the child). The
child reads the same store and the same artefact and computes the same keys, and hands the
lists back in a file.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import pickle
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

from recmind.config import Settings
from recmind.data.store import Store
from recmind.serving.cache import RankedList
from recmind.serving.history import all_latest_events, merge_history
from recmind.serving.ranker import rank_row, score_rows
from recmind.serving.snapshot import ServedModel, load_snapshot

BATCH = 64
NICENESS = 10
Ranked = list[tuple[str, RankedList]]


def rank_people(
    served: ServedModel, store: Store, settings: Settings, skip: set[str]
) -> Iterator[tuple[str, RankedList]]:
    """``(user_id, ranked list)`` of the most recently active people (seen items
    excluded), ``skip`` left out."""
    serving = settings.serving
    limit = min(serving.precompute_users, serving.cache_users)
    if limit <= 0:
        return
    live = all_latest_events(store, serving.history_events, limit)
    users = [u for u in live if u not in skip]
    for start in range(0, len(users), BATCH):
        batch = users[start : start + BATCH]
        index = [served.user_index.get(u, -1) for u in batch]
        histories = [
            merge_history(*served.histories.user(i), live[u], served.item_index, i)
            for u, i in zip(batch, index, strict=True)
        ]
        rows = score_rows(served, histories, index)
        for user_id, history, row in zip(batch, histories, rows, strict=True):
            yield user_id, rank_row(served, row, history.key, history.items, serving.cache_depth)


def rank_in_child(settings: Settings, version: str, skip: set[str]) -> Ranked:
    """:func:`rank_people` in a low-priority child process (same artefact, same store)."""
    with tempfile.TemporaryDirectory(prefix="recmind-warm-") as folder:
        out = Path(folder) / "lists.pkl"
        request = pickle.dumps((settings.model_dump_json(), version, sorted(skip), str(out)))
        done = subprocess.run(
            [sys.executable, "-m", "recmind.serving.warm"],
            input=request,
            capture_output=True,
            check=False,
            env=dict(os.environ, OPENBLAS_NUM_THREADS=os.environ.get("OPENBLAS_NUM_THREADS", "1")),
        )
        if done.returncode != 0:
            tail = done.stderr.decode(errors="replace")[-2000:]
            raise RuntimeError(f"warming the cache in a child process failed:\n{tail}")
        with open(out, "rb") as handle:
            ranked: Ranked = pickle.load(handle)
        return ranked


def main(argv: list[str] | None = None) -> int:
    argparse.ArgumentParser(description=__doc__).parse_args(argv)
    with contextlib.suppress(OSError):
        os.nice(NICENESS)
    settings_json, version, skip, out = pickle.loads(sys.stdin.buffer.read())
    settings = Settings.model_validate_json(settings_json)
    served = load_snapshot(settings.models_dir, version)
    if served is None:
        raise SystemExit(f"no model version {version!r}")
    with Store.from_settings(settings) as store:
        ranked = list(rank_people(served, store, settings, set(skip)))
    with open(out, "wb") as handle:
        pickle.dump(ranked, handle, protocol=5)
    return 0


if __name__ == "__main__":
    sys.exit(main())
