"""Import items, users, events, reviews and orders from files or a bundle, validating
every row.

Order: items, users, events, reviews, orders (events, reviews and order lines are checked
against the catalogue as it stands after the items of the same import). Rejected rows go
to quarantine files; valid rows are written chunk by chunk, one committed transaction per
chunk, so importing the same input twice changes nothing the second time.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from recmind.config import Settings, get_settings
from recmind.data.bundle import DataBundle
from recmind.data.import_write import WRITERS
from recmind.data.quarantine import QuarantineWriter, new_run_id
from recmind.data.readers import (
    DEFAULT_CHUNK_SIZE,
    FrameReader,
    RawChunk,
    SourceError,
    SourceReader,
    open_source,
)
from recmind.data.store import Store
from recmind.data.validate import (
    CANONICAL_FIELDS,
    ENTITY_FIELDS,
    REASONS,
    Validated,
    ValidationContext,
    validate,
)

__all__ = [
    "ImportSummary",
    "SourceError",
    "SourceSummary",
    "import_bundle",
    "import_files",
    "import_frame",
]

logger = logging.getLogger(__name__)

Progress = Callable[[str, int, int | None], None]
"""``progress(source label, rows done, total rows or None)``."""
ENTITIES = ("items", "users", "events", "reviews", "orders")
NEEDS_CATALOGUE = frozenset({"events", "reviews", "orders"})
KEEPS_EXTRA_COLUMNS = frozenset({"items", "users"})


@dataclass
class SourceSummary:
    """What the import did with one source."""

    source: str
    entity: str
    read: int = 0
    imported: int = 0
    duplicates: int = 0
    users_created: int = 0
    quarantined: dict[str, int] = field(default_factory=dict)
    quarantine_file: Path | None = None

    @property
    def total_quarantined(self) -> int:
        return sum(self.quarantined.values())

    @property
    def valid(self) -> int:
        """Rows that passed validation (imported now or already in the store)."""
        return self.imported + self.duplicates


@dataclass
class ImportSummary:
    """Per-source summaries of one import run."""

    sources: list[SourceSummary] = field(default_factory=list)

    @property
    def total_imported(self) -> int:
        return sum(s.imported for s in self.sources)

    @property
    def total_valid(self) -> int:
        return sum(s.valid for s in self.sources)

    @property
    def total_quarantined(self) -> int:
        return sum(s.total_quarantined for s in self.sources)

    @property
    def users_created(self) -> int:
        return sum(s.users_created for s in self.sources)


def check_mapping(mapping: Mapping[str, str]) -> dict[str, str]:
    """Validate ``--map column=field`` pairs: the targets must be canonical fields."""
    unknown = sorted({target for target in mapping.values() if target not in CANONICAL_FIELDS})
    if unknown:
        known = ", ".join(sorted(CANONICAL_FIELDS))
        raise ValueError(f"unknown target field(s) {unknown} in the mapping; known: {known}")
    return dict(mapping)


def _renaming(columns: list[str], mapping: Mapping[str, str], label: str) -> dict[str, str]:
    rename = {c: mapping[c] for c in columns if c in mapping}
    targets = [rename.get(c, c) for c in columns]
    clashes = sorted({t for t in targets if targets.count(t) > 1})
    if clashes:
        raise SourceError(f"{label}: after the mapping, several columns are named {clashes}")
    return rename


@dataclass
class _Run:
    store: Store
    quarantine_dir: Path
    settings: Settings
    progress: Progress | None
    chunk_size: int
    run_id: str = field(default_factory=new_run_id)

    def context(self, entity: str) -> ValidationContext:
        known = pd.Index(self.store.item_ids()) if entity in NEEDS_CATALOGUE else None
        return ValidationContext.from_settings(self.settings, known_items=known)

    def source(
        self, entity: str, reader: SourceReader, mapping: Mapping[str, str]
    ) -> SourceSummary:
        summary = SourceSummary(source=reader.label, entity=entity)
        ctx = self.context(entity)
        total = reader.total_rows() if self.progress else None
        is_frame = isinstance(reader, FrameReader)
        name = reader.label.replace("/", "-") if is_frame else Path(reader.label).name
        quarantine = QuarantineWriter(self.quarantine_dir, self.run_id, reader.label, name)
        warned = False
        if self.progress is not None:
            self.progress(reader.label, 0, total)
        with quarantine:
            for chunk in reader.chunks(self.chunk_size):
                rename = _renaming([str(c) for c in chunk.frame.columns], mapping, reader.label)
                frame = chunk.frame.rename(columns=rename)
                if not warned and entity not in KEEPS_EXTRA_COLUMNS:
                    _warn_ignored(frame, entity, reader.label)
                    warned = True
                validated = validate(entity, frame, ctx)
                _quarantine(quarantine, chunk, frame, validated, summary)
                outcome = WRITERS[entity](self.store, validated)
                summary.read += chunk.n_read
                summary.imported += outcome.imported
                summary.duplicates += outcome.duplicates
                summary.users_created += outcome.users_created
                quarantine.flush()
                if self.progress is not None:
                    total = max(total, summary.read) if total is not None else None
                    self.progress(reader.label, summary.read, total)
        summary.quarantine_file = quarantine.path
        logger.info("imported %s: %s", reader.label, summary)
        return summary

    def all(
        self, sources: list[tuple[str, SourceReader]], mapping: Mapping[str, str]
    ) -> ImportSummary:
        return ImportSummary([self.source(entity, reader, mapping) for entity, reader in sources])


def _warn_ignored(frame: pd.DataFrame, entity: str, label: str) -> None:
    ignored = [c for c in frame.columns if c not in ENTITY_FIELDS[entity]]
    if ignored:
        logger.warning("%s: ignoring columns %s (not %s fields)", label, ignored, entity)


def _is_null(value: object) -> bool:
    """A cell the source did not fill (JSON key absent or null, Parquet null)."""
    return value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA


def _quarantine(
    writer: QuarantineWriter,
    chunk: RawChunk,
    frame: pd.DataFrame,
    validated: Validated,
    summary: SourceSummary,
) -> None:
    for bad in chunk.bad_lines:
        writer.write(
            row=bad.row,
            field=None,
            value=None,
            reason=bad.reason,
            message=bad.message,
            record=bad.text,
        )
        summary.quarantined[bad.reason] = summary.quarantined.get(bad.reason, 0) + 1
    rejected = validated.rejected
    if rejected.empty:
        return
    positions = rejected["position"].to_numpy()
    records = [
        {str(k): v for k, v in record.items() if not _is_null(v)}
        for record in chunk.frame.iloc[positions].to_dict("records")
    ]
    for (position, field_name, reason), record in zip(
        rejected.itertuples(index=False, name=None), records, strict=True
    ):
        value = frame[field_name].iat[position] if field_name in frame.columns else None
        writer.write(
            row=int(chunk.rows[position]),
            field=field_name,
            value=value,
            reason=reason,
            message=REASONS[reason].format(field=field_name),
            record=record,
        )
        summary.quarantined[reason] = summary.quarantined.get(reason, 0) + 1


def import_files(
    store: Store,
    *,
    items: Path | None = None,
    users: Path | None = None,
    events: Path | None = None,
    reviews: Path | None = None,
    orders: Path | None = None,
    mapping: dict[str, str] | None = None,
    quarantine_dir: Path,
    progress: Progress | None = None,
    settings: Settings | None = None,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
) -> ImportSummary:
    """Import files (CSV, JSON Lines, Parquet; ``.gz`` too) in the order items, users,
    events, reviews, orders.

    Every file is opened and its header read before anything is written.

    Raises:
        SourceError: a file is missing, unreadable or of an unknown format (nothing has
            been written if this is found before the import starts).
        ValueError: the mapping names a field that does not exist.
    """
    mapping = check_mapping(mapping or {})
    paths = {
        "items": items,
        "users": users,
        "events": events,
        "reviews": reviews,
        "orders": orders,
    }
    sources = [(e, open_source(p)) for e, p in paths.items() if p is not None]
    for _, reader in sources:
        _renaming(reader.columns(), mapping, reader.label)
    run = _Run(store, quarantine_dir, settings or get_settings(), progress, chunk_size)
    return run.all(sources, mapping)


def import_bundle(
    store: Store,
    bundle: DataBundle,
    *,
    quarantine_dir: Path,
    progress: Progress | None = None,
    settings: Settings | None = None,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
) -> ImportSummary:
    """Import an in-memory bundle through the same validation as files (empty tables skipped)."""
    frames = {"items": bundle.items, "users": bundle.users, "events": bundle.events}
    frames["reviews"] = bundle.reviews
    sources: list[tuple[str, SourceReader]] = [
        (entity, FrameReader(frame, f"{bundle.name}/{entity}"))
        for entity, frame in frames.items()
        if len(frame)
    ]
    run = _Run(store, quarantine_dir, settings or get_settings(), progress, chunk_size)
    return run.all(sources, {})


def import_frame(
    store: Store,
    entity: str,
    frame: pd.DataFrame,
    *,
    label: str,
    quarantine_dir: Path,
    settings: Settings | None = None,
) -> SourceSummary:
    """Import one in-memory table of ``entity`` (e.g. generated orders) through the same
    validation and quarantine as a file."""
    if entity not in ENTITIES:
        raise ValueError(f"unknown entity {entity!r}; known: {', '.join(ENTITIES)}")
    run = _Run(store, quarantine_dir, settings or get_settings(), None, DEFAULT_CHUNK_SIZE)
    return run.source(entity, FrameReader(frame, label), {})
