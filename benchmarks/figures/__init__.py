"""README figures rendered from ``benchmarks/results/*.json``, so they cannot drift.

Each results file has one renderer (JSON -> markdown), registered by name. A benchmark
writes its results with :func:`write_results` (the JSON and ``NAME.md``, a title over the
rendered block); ``make figures`` renders every registered file into the README between
``<!-- figures:NAME -->`` and ``<!-- /figures:NAME -->`` and rewrites ``NAME.md``;
``tests/scripts/test_readme_figures.py`` fails when either differs from what the results
files render.

Adding a figure: a function ``(results) -> markdown`` in a module of this package,
decorated with ``@figure("NAME", title=..., command=...)`` (see :mod:`figures.base`), the
module listed in ``RENDERER_MODULES``, an empty block for NAME in the README, then
``make figures``. A figure registered with ``pending=True`` may have no results file yet:
its block then says which command produces it (:func:`awaited`), and no ``NAME.md``
exists. Renderers take every number from the file (type none in by hand) and end with
:func:`figures.base.provenance`: command, commit, CPU and load average.

Benchmarks import this package as ``figures`` (their folder is on ``sys.path`` when run as
``.venv/bin/python benchmarks/NAME.py``); ``make figures`` runs
``PYTHONPATH=benchmarks .venv/bin/python -m figures``.
"""

from __future__ import annotations

import importlib
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from figures.base import FIGURES, Figure, figure, provenance
from figures.readme import MarkerError, blocks, rewrite

__all__ = [
    "FIGURES",
    "README",
    "RESULTS",
    "Figure",
    "MarkerError",
    "awaited",
    "blocks",
    "document",
    "figure",
    "provenance",
    "read_results",
    "render",
    "rendered_readme",
    "rewrite",
    "write_results",
]

RESULTS = Path(__file__).resolve().parent.parent / "results"
README = Path(__file__).resolve().parents[2] / "README.md"
RENDERER_MODULES = (
    "figures.service",
    "figures.served",
    "figures.speed",
    "figures.understanding",
    "figures.quality",
    "figures.customers",
    "figures.clv",
    "figures.audiences",
    "figures.drafting",
    "figures.segments",
    "figures.campaigns",
    "figures.outbox",
    "figures.experiments",
    "figures.claims",
    "figures.copywriting",
    "figures.simulation",
)
"""The modules whose import registers renderers (the quality benchmarks' go here too)."""

for _module in RENDERER_MODULES:
    importlib.import_module(_module)


def read_results(name: str, folder: Path = RESULTS) -> dict[str, Any]:
    """``folder/NAME.json``, parsed (NaN allowed, as the benchmarks write it)."""
    path = folder / f"{name}.json"
    if not path.is_file():
        raise FileNotFoundError(f"{path} is missing: run the benchmark that writes it")
    data: dict[str, Any] = json.loads(path.read_text())
    return data


def awaited(name: str, folder: Path = RESULTS) -> bool:
    """Figure NAME is pending (:attr:`Figure.pending`) and ``folder`` has no results
    file for it yet."""
    return FIGURES[name].pending and not (folder / f"{name}.json").is_file()


def render(name: str, data: Mapping[str, Any] | None = None) -> str:
    """The markdown block of figure NAME from ``data`` (default: its results file; the
    placeholder of a pending figure that has none yet)."""
    if name not in FIGURES:
        raise KeyError(f"no renderer for {name!r}; registered: {', '.join(sorted(FIGURES))}")
    if data is None and awaited(name):
        return FIGURES[name].placeholder()
    return FIGURES[name].render(read_results(name) if data is None else data)


def document(name: str, data: Mapping[str, Any] | None = None) -> str:
    """``NAME.md``: the figure's title over its rendered block."""
    return f"# {FIGURES[name].title}\n\n{render(name, data)}"


def write_results(name: str, data: Mapping[str, Any], folder: Path = RESULTS) -> str:
    """Write ``NAME.json`` and ``NAME.md`` (rendered from that same JSON, read back) and
    return the markdown. The renderer runs before anything is written, so a results dict it
    cannot render leaves the old files in place."""
    text = json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n"
    markdown = document(name, json.loads(text))
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.json").write_text(text, encoding="utf-8")
    (folder / f"{name}.md").write_text(markdown, encoding="utf-8")
    return markdown


def rendered_readme(text: str, folder: Path = RESULTS) -> str:
    """``text`` (a README) with every figure block rendered from ``folder``."""
    names = [name for name in blocks(text) if name in FIGURES]  # rewrite refuses the others
    return rewrite(
        text,
        {
            name: FIGURES[name].placeholder()
            if awaited(name, folder)
            else render(name, read_results(name, folder))
            for name in names
        },
    )
