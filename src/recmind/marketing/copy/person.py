"""The person a text is for, read from the store: first name, language, interest tags and
the template portrait (:func:`recmind.profiles.build_profile` over their own rows only).

The language is the person's ``language`` (or ``lang``, ``locale``) attribute when it says
English or Chinese, else the brand's default.
"""

from __future__ import annotations

from typing import Any

import orjson
import pandas as pd
from sqlalchemy import select

from recmind.data.bundle import ITEM_COLUMNS, USER_COLUMNS, DataBundle
from recmind.data.privacy import user_rows
from recmind.data.schema import items as items_table
from recmind.data.store import Store
from recmind.marketing.content.facts import person_facts
from recmind.marketing.copy.brand import Language
from recmind.marketing.copy.context import PersonContext
from recmind.profiles import ProfileIndex, build_profile

LANGUAGE_KEYS = ("language", "lang", "locale")
MAX_TAGS = 5
_EVENT_COLUMNS = ("event_id", "user_id", "item_id", "event_type", "timestamp", "value", "query")
_REVIEW_COLUMNS = ("review_id", "user_id", "item_id", "rating", "text", "timestamp")


def language_of(attributes: Any, default: Language) -> Language:
    """``zh`` or ``en`` from a person's attributes, else ``default``."""
    if isinstance(attributes, str | bytes) and attributes:
        try:
            attributes = orjson.loads(attributes)
        except orjson.JSONDecodeError:
            attributes = {}
    if not isinstance(attributes, dict):
        return default
    for key in LANGUAGE_KEYS:
        value = attributes.get(key)
        if isinstance(value, str):
            code = value.strip().lower().replace("_", "-")
            if code.startswith("zh") or code in ("chinese", "中文"):
                return "zh"
            if code.startswith("en") or code == "english":
                return "en"
    return default


def _json_object(value: object) -> dict[str, Any]:
    if isinstance(value, str) and value:
        parsed = orjson.loads(value)
        return parsed if isinstance(parsed, dict) else {}
    return {}


def _items(store: Store, item_ids: set[str]) -> pd.DataFrame:
    wanted = sorted(item_ids)
    found: list[dict[str, Any]] = []
    with store.engine.connect() as connection:
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            rows = connection.execute(
                select(items_table).where(items_table.c.item_id.in_(chunk))
            ).all()
            found += [dict(r._mapping) for r in rows]
    frame = pd.DataFrame(found, columns=list(ITEM_COLUMNS))
    frame["attributes"] = pd.Series(
        [_json_object(v) for v in frame["attributes"]], index=frame.index, dtype=object
    )
    return frame


def read_person(store: Store, user_id: str, default_language: Language) -> PersonContext:
    """The person ``user_id`` (KeyError when the store knows nothing about them)."""
    rows = user_rows(store, user_id)
    if rows["user"] is None and not rows["events"] and not rows["reviews"]:
        raise KeyError(user_id)
    user = rows["user"] or {}
    first = person_facts(store, [user_id])[user_id].first_name
    language = language_of(user.get("attributes"), default_language)
    events = pd.DataFrame(rows["events"], columns=list(_EVENT_COLUMNS))
    reviews = pd.DataFrame(rows["reviews"], columns=list(_REVIEW_COLUMNS))
    touched = {str(i) for i in set(events["item_id"].dropna()) | set(reviews["item_id"].dropna())}
    bundle = DataBundle(
        name="person",
        items=_items(store, touched),
        users=pd.DataFrame([user] if rows["user"] else [], columns=list(USER_COLUMNS)),
        events=events,
        reviews=reviews,
    )
    profile = build_profile(ProfileIndex(bundle), user_id, max_tags=MAX_TAGS)
    return PersonContext(
        user_id=user_id,
        first_name=first,
        language=language,
        tags=tuple(t.tag for t in profile.tags),
        portrait=profile.portrait,
    )
