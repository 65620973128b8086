"""A shop's drafting vocabulary, read from its store without reading any one customer.

Field names, types and meanings come from the segment field catalogue; categories and
stored segments likewise. For a profile attribute with a small shared vocabulary (at most
:data:`MAX_VALUES` distinct text values, each held by at least :data:`MIN_HOLDERS`
customers: ``age`` buckets, ``marital_status``) those values are listed, as a schema lists
an enumeration: they are what the attribute means, not anyone's record. Free-text or rare
values (an e-mail, a zip code) never are.
"""

from __future__ import annotations

from collections import Counter

import orjson
from sqlalchemy import select

from recmind.data.schema import users
from recmind.data.store import Store
from recmind.marketing.drafting.vocabulary import FieldDoc, FieldKind, Vocabulary
from recmind.marketing.segments.catalogue import ATTRIBUTE_PREFIX, Catalogue, FieldSpec

MAX_VALUES = 15
MIN_HOLDERS = 5
SAMPLE_USERS = 20_000
KINDS: dict[str, FieldKind] = {
    "number": "number",
    "integer": "number",
    "text": "text",
    "boolean": "bool",
    "time": "time",
}
LEFT_OUT = {"consent_email"}
"""Fields the drafter does not offer: consent has its own rule ({"consent": "email"})."""


def attribute_vocabularies(
    store: Store, keys: set[str], *, sample: int = SAMPLE_USERS
) -> dict[str, tuple[str, ...]]:
    """Shared text values of the attributes ``keys`` (see the module docstring), each
    attribute's values in descending frequency."""
    counts: dict[str, Counter[str]] = {key: Counter() for key in keys}
    with store.engine.connect() as connection:
        rows = connection.execute(
            select(users.c.attributes).where(users.c.attributes.is_not(None)).limit(sample)
        ).scalars()
        for text in rows:
            try:
                parsed = orjson.loads(text)
            except orjson.JSONDecodeError:
                continue
            if not isinstance(parsed, dict):
                continue
            for key, value in parsed.items():
                if key in counts and isinstance(value, str):
                    counts[key][value] += 1
    shared: dict[str, tuple[str, ...]] = {}
    for key, counter in counts.items():
        if 0 < len(counter) <= MAX_VALUES and min(counter.values()) >= MIN_HOLDERS:
            shared[key] = tuple(value for value, _ in counter.most_common())
    return shared


def _doc(spec: FieldSpec, values: tuple[str, ...]) -> FieldDoc:
    return FieldDoc(
        name=spec.name, kind=KINDS[spec.type], description=spec.description, values=values
    )


def vocabulary_for(store: Store, catalogue: Catalogue, *, currency: str = "") -> Vocabulary:
    """What drafted rules may name in ``store``'s shop (``catalogue``: its segment field
    catalogue)."""
    attribute_keys = {
        spec.name[len(ATTRIBUTE_PREFIX) :]
        for spec in catalogue.fields
        if spec.source == "attribute" and spec.type == "text"
    }
    shared = attribute_vocabularies(store, attribute_keys)
    docs = []
    for spec in catalogue.fields:
        if spec.name in LEFT_OUT:
            continue
        values: tuple[str, ...] = ()
        if spec.source == "attribute":
            values = shared.get(spec.name[len(ATTRIBUTE_PREFIX) :], ())
        elif spec.type == "text" and spec.allowed and spec.name != "top_category":
            values = tuple(str(v) for v in spec.allowed)
        docs.append(_doc(spec, values))
    return Vocabulary(
        fields=tuple(docs),
        categories=tuple(catalogue.categories),
        event_types=tuple(catalogue.event_types),
        segments=tuple(catalogue.segments),
        currency=currency,
    )
