"""The registry of figure renderers and what every rendered block shares: where the
numbers came from (command, commit, CPU, load average) and small formatting helpers.

A renderer turns one results file (``benchmarks/results/NAME.json``, already parsed) into
the markdown block that the README shows between ``<!-- figures:NAME -->`` and
``<!-- /figures:NAME -->`` and that ``benchmarks/results/NAME.md`` holds under a title.
Every number in a block comes from the file: a renderer never types one in.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

Results = Mapping[str, Any]
Renderer = Callable[[Results], str]
NOT_RECORDED = "not recorded"


@dataclass(frozen=True)
class Figure:
    """One results file and how it is shown."""

    name: str
    """The results file's stem and the README marker's name."""
    title: str
    """The heading of ``benchmarks/results/NAME.md``."""
    command: str
    """How the file is produced (shown when an old file did not record its own command)."""
    render: Renderer
    pending: bool = False
    """Registered before its first results file: until one exists the README block says
    how to produce it instead of showing numbers (:func:`figures.awaited`)."""

    def placeholder(self) -> str:
        """The block of a pending figure that has no results file yet."""
        return (
            f"Not measured yet: `{self.command}` writes `benchmarks/results/{self.name}.json`, "
            "then `make figures` fills this block.\n"
        )


FIGURES: dict[str, Figure] = {}
"""Every registered figure by name; the README drift test covers all of them."""


def figure(
    name: str, *, title: str, command: str, pending: bool = False
) -> Callable[[Renderer], Renderer]:
    """Register the decorated function as the renderer of ``results/NAME.json``
    (``pending``: it may have none yet, see :attr:`Figure.pending`)."""

    def register(render: Renderer) -> Renderer:
        if name in FIGURES:
            raise ValueError(f"figure {name!r} is registered twice")
        FIGURES[name] = Figure(
            name=name, title=title, command=command, render=render, pending=pending
        )
        return render

    return register


def provenance(
    data: Results, name: str, *, legacy_load: str | None = None, command: str | None = None
) -> str:
    """ "Produced by `command` at commit X on CPU; load average A at the start, B at the
    end." from the ``provenance`` a benchmark recorded (``harness.provenance``). What an
    older file lacks is said to be not recorded; ``legacy_load`` is what it did record of
    the load, ``command`` the command when the figure's own is not the one that ran."""
    record = data.get("provenance", {})
    shown = record.get("command") or command or FIGURES[name].command
    commit, cpu = record.get("commit"), record.get("cpu")
    start, end = record.get("loadavg_start"), record.get("loadavg_end")
    line, missing = f"Produced by `{shown}`", []
    if commit:
        line += f" at commit `{commit}`"
    else:
        missing.append("commit")
    if cpu:
        line += f" on {cpu}, {record.get('cpus', '?')} CPUs"
    else:
        missing.append("CPU model")
    if missing:
        line += f" ({' and '.join(missing)} {NOT_RECORDED})"
    if start and end:
        load = f"load average (1, 5, 15 min) {start} at the start, {end} at the end"
    else:
        load = legacy_load or f"load average {NOT_RECORDED}"
    return f"{line}; {load}."


def table(header: Sequence[str], rows: Iterable[Sequence[object]]) -> list[str]:
    """A markdown table's lines."""
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return lines


def loads(values: Sequence[float]) -> str:
    """Load averages as ``/proc/loadavg`` writes them: ``1.20 0.98 0.75``."""
    return " ".join(f"{value:.2f}" for value in values)


def verdict(met: bool) -> str:
    """``met`` or a bold ``NOT met``: a missed bar is never hidden in plain text."""
    return "met" if met else "**NOT met**"
