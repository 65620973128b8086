"""Copy variants: written once per (scope, kind, language, name) for many people, checked,
and kept in ``copy_variants`` so every batch, worker and rerun of a campaign reuses them.

A variant is written in *shared* mode: the prompt shows no person and no item, only slots
(``{{name}}``, ``{{title:item1}}``, ``{{price:item1}}``, the offer's), and the draft is
checked against facts that hold for anyone (the probe item's title and price only, a probe
first name, then no name), so its words state nothing that a particular person's item
might not have. Personalising then only fills slots from the store.
"""

from __future__ import annotations

import hashlib
import logging
import time
from dataclasses import dataclass
from typing import Any

import orjson
from sqlalchemy import select

from recmind.data.bulk import BulkWriter
from recmind.data.schema import copy_variants
from recmind.data.store import Store
from recmind.data.write_lock import write_lock
from recmind.marketing.copy.generate import CopyResult

logger = logging.getLogger(__name__)

_COLUMNS = (
    "variant_key",
    "scope",
    "kind",
    "language",
    "segment",
    "name",
    "source",
    "parts",
    "attempts",
    "reasons",
    "model",
    "seconds",
    "created_at",
)


@dataclass(frozen=True)
class Variant:
    """One stored variant: its parts with slots, and how it was written."""

    key: str
    scope: str
    kind: str
    language: str
    name: str
    source: str
    parts: dict[str, str]
    attempts: int
    segment: str | None = None
    reasons: tuple[str, ...] = ()
    model: str = ""
    seconds: float = 0.0
    llm_calls: int = 0

    @property
    def usable(self) -> bool:
        return self.source in ("llm", "fallback") and bool(self.parts)

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "scope": self.scope,
            "kind": self.kind,
            "language": self.language,
            "segment": self.segment,
            "name": self.name,
            "source": self.source,
            "parts": self.parts,
            "attempts": self.attempts,
            "reasons": list(self.reasons),
            "model": self.model,
            "seconds": round(self.seconds, 3),
        }


def variant_key(**fields: Any) -> str:
    """The sha256 of everything a variant depends on (keys sorted)."""
    payload = orjson.dumps(fields, option=orjson.OPT_SORT_KEYS, default=str)
    return hashlib.sha256(payload).hexdigest()


def from_result(
    key: str, scope: str, name: str, segment: str | None, result: CopyResult
) -> Variant:
    """A variant from a finished generation (``rejected`` ones keep their reasons)."""
    rejected = [r for attempt in result.rejected for r in attempt]
    return Variant(
        key=key,
        scope=scope,
        kind=result.kind,
        language=result.language,
        name=name,
        source=result.source,
        parts=dict(result.template) if result.source != "rejected" else {},
        attempts=result.attempts,
        segment=segment,
        reasons=tuple(rejected) + tuple(result.reasons),
        model=result.model,
        seconds=result.seconds,
        llm_calls=result.llm_calls,
    )


def get_variant(store: Store, key: str) -> Variant | None:
    """The stored variant ``key``, or None."""
    with store.engine.connect() as connection:
        row = connection.execute(
            select(copy_variants).where(copy_variants.c.variant_key == key)
        ).first()
    if row is None:
        return None
    return Variant(
        key=str(row.variant_key),
        scope=str(row.scope),
        kind=str(row.kind),
        language=str(row.language),
        name=str(row.name),
        source=str(row.source),
        parts=orjson.loads(row.parts),
        attempts=int(row.attempts),
        segment=row.segment,
        reasons=tuple(orjson.loads(row.reasons)) if row.reasons else (),
        model=str(row.model or ""),
        seconds=float(row.seconds or 0.0),
    )


def put_variant(store: Store, variant: Variant, *, now: float | None = None) -> Variant:
    """Store ``variant`` unless another worker stored the same key first; the stored one."""
    row = (
        variant.key,
        variant.scope,
        variant.kind,
        variant.language,
        variant.segment,
        variant.name,
        variant.source,
        orjson.dumps(variant.parts).decode(),
        variant.attempts,
        orjson.dumps(list(variant.reasons)).decode(),
        variant.model,
        variant.seconds,
        time.time() if now is None else now,
    )
    with write_lock(store), store.raw_connection() as connection:
        BulkWriter(connection, store.dialect).insert_ignore("copy_variants", _COLUMNS, [row])
    stored = get_variant(store, variant.key)
    return stored if stored is not None else variant


def variants_of(store: Store, scope: str) -> list[Variant]:
    """Every stored variant of ``scope`` (a campaign: ``campaign:ID``)."""
    with store.engine.connect() as connection:
        keys = [
            str(k)
            for k in connection.execute(
                select(copy_variants.c.variant_key)
                .where(copy_variants.c.scope == scope)
                .order_by(copy_variants.c.language, copy_variants.c.name)
            ).scalars()
        ]
    return [v for v in (get_variant(store, k) for k in keys) if v is not None]
