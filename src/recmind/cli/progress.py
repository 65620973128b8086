"""Rich progress bars behind the plain callbacks the library functions take."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)

ImportProgress = Callable[[str, int, int | None], None]


@contextmanager
def import_progress(console: Console) -> Iterator[ImportProgress]:
    """A ``(label, done, total)`` callback drawing one bar per label."""
    bars: dict[str, TaskID] = {}
    with Progress(
        SpinnerColumn(),
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=False,
    ) as progress:

        def update(label: str, done: int, total: int | None) -> None:
            if label not in bars:
                bars[label] = progress.add_task(label, total=total)
            progress.update(bars[label], completed=done, total=total)

        yield update


@contextmanager
def step_progress(
    console: Console, description: str, total: int | None = None
) -> Iterator[Callable[[str], None]]:
    """A ``(message)`` callback that advances a bar by one step and shows the message;
    without ``total`` the bar is open-ended."""
    with Progress(
        SpinnerColumn(),
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn() if total else TextColumn("{task.completed} steps"),
        TimeElapsedColumn(),
        console=console,
    ) as progress:
        task = progress.add_task(description, total=total)

        def advance(message: str) -> None:
            progress.update(task, advance=1, description=f"{description}: {message}")

        yield advance
