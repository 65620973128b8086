"""Journey files on disk: the files of a folder (or one file), the examples shipped with
recmind, and applying a set of them to a store in one go.

Applying checks every file before it stores any: a folder with one broken journey changes
nothing, so a deploy never leaves half of its journeys at the new version.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from recmind.config import Settings
from recmind.data.store import Store
from recmind.marketing.journeys.definition import JourneyDefinition
from recmind.marketing.journeys.problems import JourneyError, JourneyProblem
from recmind.marketing.journeys.repository import Journey, Outcome, apply_with_outcome
from recmind.marketing.journeys.validate import FILE_SUFFIXES, load_and_check, load_journey

EXAMPLES_DIR = Path(str(resources.files("recmind.marketing.journeys") / "examples"))
"""The shipped examples: the classic set (welcome series, abandonment, back in stock, ...)."""


@dataclass(frozen=True)
class Applied:
    """One file applied: the journey as stored and what happened (created, updated,
    unchanged)."""

    path: Path
    journey: Journey
    outcome: Outcome


def journey_files(path: Path) -> list[Path]:
    """``path`` itself when it is a file; a folder's ``*.yaml``, ``*.yml`` and ``*.json``
    files (not below it), by name. FileNotFoundError when there is no such path."""
    if path.is_file():
        return [path]
    if not path.is_dir():
        raise FileNotFoundError(f"no such file or folder: {path}")
    return sorted(p for p in path.iterdir() if p.is_file() and p.suffix.lower() in FILE_SUFFIXES)


def shipped_examples() -> list[Path]:
    """The example journeys that come with recmind, by file name."""
    return journey_files(EXAMPLES_DIR)


Loaded = list[tuple[Path, JourneyDefinition]]


def load_files(paths: list[Path]) -> tuple[Loaded, list[JourneyError]]:
    """Each file's journey, and the errors of those that failed (shape and structure)."""
    loaded: Loaded = []
    failed: list[JourneyError] = []
    for path in paths:
        try:
            loaded.append((path, load_journey(path)))
        except JourneyError as exc:
            failed.append(exc)
    return loaded, failed


def check_files(
    paths: list[Path], store: Store, settings: Settings
) -> tuple[Loaded, list[JourneyError]]:
    """Like :func:`load_files`, with the store's checks (segments, rules, templates) and
    no two files with the same journey id."""
    loaded: Loaded = []
    failed: list[JourneyError] = []
    seen: dict[str, Path] = {}
    for path in paths:
        try:
            definition = load_and_check(path, store, settings)
        except JourneyError as exc:
            failed.append(exc)
            continue
        if definition.id in seen:
            message = f"journey id {definition.id!r} is also the id in {seen[definition.id]}"
            failed.append(JourneyError([JourneyProblem(("id",), message)], str(path)))
            continue
        seen[definition.id] = path
        loaded.append((path, definition))
    return loaded, failed


def apply_files(
    paths: list[Path],
    store: Store,
    settings: Settings,
    *,
    now: float | None = None,
    progress: Callable[[Path], None] | None = None,
) -> list[Applied]:
    """Check every file, then (only when all pass) apply each, in order. Raises
    :class:`ApplyError` with one :class:`JourneyError` per failed file, having applied
    nothing."""
    loaded, failed = check_files(paths, store, settings)
    if failed:
        raise ApplyError(failed)
    out: list[Applied] = []
    for path, definition in loaded:
        journey, outcome = apply_with_outcome(store, definition, now=now)
        out.append(Applied(path, journey, outcome))
        if progress is not None:
            progress(path)
    return out


class ApplyError(ValueError):
    """Some files failed their checks; nothing was applied. ``errors``: one per file."""

    def __init__(self, errors: list[JourneyError]) -> None:
        super().__init__("; ".join(str(e) for e in errors))
        self.errors = errors
