"""A person's profile: activity summary, interest tags and a grounded portrait."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Literal

import numpy as np
import pandas as pd

from recmind.data.bundle import DataBundle
from recmind.data.store import Store
from recmind.profiles.portrait import portrait_facts, template_portrait, write_portrait
from recmind.profiles.tags import InterestTag, TagKind, interest_tags, item_tags, tag_prevalence
from recmind.text.claims import HistoryFacts
from recmind.text.claims.grounded import FactChecker, SupportedFacts
from recmind.text.grounding import GroundingReport, Vocabulary
from recmind.text.llm.protocol import Generator

MIN_RATING = 3.0
"""Rating events below this (on a 1-5 scale) say what a person did *not* like: they show in
the activity but not in the interests."""


@dataclass(frozen=True)
class RecentItem:
    """One event of the recent activity."""

    item_id: str
    title: str
    timestamp: float | None
    event_type: str
    value: float | None


@dataclass(frozen=True)
class UserProfile:
    """What recmind knows about a person, all of it traceable to the data.

    Attributes:
        user_id: The person.
        n_events: Their events (searches included).
        n_items: Distinct items they engaged with.
        first_seen: Epoch seconds of their first event (``None`` without events).
        last_seen: Epoch seconds of their last event.
        event_counts: Events per type.
        tags: Interest tags, strongest first.
        recent: Latest events on items, newest first.
        portrait: Two or three sentences about their tastes.
        portrait_source: ``"llm"`` (generated and checked) or ``"template"``.
        portrait_facts: What the portrait may name (its tags and recent titles) and the
            facts its claims are checked against (the titles' ratings and tags).
        portrait_reports: The grounding verdict on each generated attempt.
    """

    user_id: str
    n_events: int
    n_items: int
    first_seen: float | None
    last_seen: float | None
    event_counts: dict[str, int]
    tags: list[InterestTag]
    recent: list[RecentItem]
    portrait: str
    portrait_source: Literal["llm", "template"]
    portrait_facts: SupportedFacts = field(default_factory=SupportedFacts)
    portrait_reports: tuple[GroundingReport, ...] = field(default=())

    def to_dict(self) -> dict[str, Any]:
        return {
            "user_id": self.user_id,
            "n_events": self.n_events,
            "n_items": self.n_items,
            "first_seen": self.first_seen,
            "last_seen": self.last_seen,
            "event_counts": self.event_counts,
            "tags": [
                {
                    "tag": t.tag,
                    "kind": t.kind,
                    "count": t.count,
                    "weight": t.weight,
                    "share": round(t.share, 4),
                    "lift": round(t.lift, 3),
                }
                for t in self.tags
            ],
            "recent": [r.__dict__ for r in self.recent],
            "portrait": self.portrait,
            "portrait_source": self.portrait_source,
        }


class ProfileIndex:
    """What every profile of one data set needs, computed once: tags per item, tag
    prevalence, titles and the grounding vocabulary.

    Args:
        bundle: The data.
        keyphrases: Optional keyphrases per item id (strings or
            :class:`~recmind.text.extract.Keyphrase`), used as tags too.
    """

    def __init__(
        self, bundle: DataBundle, keyphrases: Mapping[str, Sequence[object]] | None = None
    ) -> None:
        self.bundle = bundle
        self.events = _activity(bundle)
        self.tags: dict[str, list[tuple[str, TagKind]]] = item_tags(bundle.items, keyphrases)
        on_items = self.events["item_id"].dropna().astype(str)
        self.prevalence = tag_prevalence(self.tags, list(on_items))
        items = bundle.items.astype({"item_id": str}).drop_duplicates("item_id")
        self.titles: dict[str, str] = dict(
            zip(items["item_id"], items["title"].fillna(items["item_id"]).astype(str), strict=True)
        )
        self.known_users = set(bundle.users["user_id"].astype(str)) | set(self.events["user_id"])

    @cached_property
    def checker(self) -> FactChecker:
        """A checker that knows every title and tag and verifies every claim (built on
        first use)."""
        terms = {tag for tags in self.tags.values() for tag, _ in tags}
        return FactChecker(Vocabulary(self.titles.values(), terms))

    def history_facts(self, liked: pd.DataFrame) -> list[HistoryFacts]:
        """Each liked item's title, the person's latest rating of it and its tags."""
        rated = liked["event_type"].isin(["rating", "review"]).to_numpy()
        ratings: dict[str, float] = {}
        for item_id, value, is_rating in zip(
            liked["item_id"].astype(str), liked["value"], rated, strict=True
        ):
            number = _value(value)
            if is_rating and number is not None:
                ratings[item_id] = number
        return [
            HistoryFacts(
                title=self.titles.get(i, i),
                item_id=i,
                rating=ratings.get(i),
                tags=[t for t, _ in self.tags.get(i, [])],
            )
            for i in dict.fromkeys(liked["item_id"].astype(str))
        ]

    @cached_property
    def _rows_by_user(self) -> dict[str, np.ndarray]:
        grouped = self.events.groupby("user_id", sort=False).indices
        return {str(k): np.asarray(v, dtype=np.int64) for k, v in grouped.items()}

    def history(self, user_id: str) -> pd.DataFrame:
        """The person's events, oldest first."""
        rows = self._rows_by_user.get(str(user_id), np.zeros(0, dtype=np.int64))
        return self.events.iloc[np.sort(rows)]


def _activity(bundle: DataBundle) -> pd.DataFrame:
    """Events and reviews (as ``review`` events valued by their rating), oldest first;
    undated ones first of all."""
    columns = ["user_id", "item_id", "event_type", "timestamp", "value"]
    events = bundle.events.reindex(columns=columns)
    reviews = bundle.reviews
    parts = [events]
    if not reviews.empty:
        parts.append(
            pd.DataFrame(
                {
                    "user_id": reviews["user_id"],
                    "item_id": reviews["item_id"],
                    "event_type": "review",
                    "timestamp": pd.to_numeric(reviews["timestamp"], errors="coerce"),
                    "value": pd.to_numeric(reviews["rating"], errors="coerce"),
                }
            )
        )
    frame = (
        pd.concat([p for p in parts if not p.empty], ignore_index=True)
        if any(not p.empty for p in parts)
        else events
    )
    frame = frame.astype({"user_id": str})
    frame["timestamp"] = pd.to_numeric(frame["timestamp"], errors="coerce")
    return frame.sort_values("timestamp", kind="stable", na_position="first")


def _liked(history: pd.DataFrame) -> pd.DataFrame:
    on_items = history[history["item_id"].notna()]
    low = on_items["event_type"].isin(["rating", "review"]) & (
        pd.to_numeric(on_items["value"], errors="coerce") < MIN_RATING
    )
    return on_items[~low.to_numpy()]


def _value(v: object) -> float | None:
    try:
        number = float(v)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) else number


def build_profile(
    source: DataBundle | Store | ProfileIndex,
    user_id: str,
    generator: Generator | None = None,
    *,
    max_tags: int = 8,
    n_recent: int = 5,
    half_life_events: float | None = 10.0,
    language: str = "English",
    max_attempts: int = 3,
    max_tokens: int = 90,
    seed: int | None = None,
) -> UserProfile:
    """The profile of ``user_id``.

    Args:
        source: A data bundle, a store (read whole), or a :class:`ProfileIndex` (fastest
            when building many profiles).
        user_id: The person.
        generator: Writes the portrait (checked; a template sentence where it fails). ``None``
            uses the template.
        max_tags: Interest tags at most.
        n_recent: Recent events listed.
        half_life_events: Recency half-life of the tags, in events (``None``: none).
        language: Language of the generated portrait.
        max_attempts: Generations tried before falling back to the template.
        max_tokens: Tokens per generation at most.
        seed: Generation seed (default: the generator's).

    Raises:
        KeyError: The person is neither a user nor in any event.
    """
    if isinstance(source, Store):
        source = source.load_bundle()
    index = source if isinstance(source, ProfileIndex) else ProfileIndex(source)
    user_id = str(user_id)
    if user_id not in index.known_users:
        raise KeyError(f"unknown user {user_id!r}")
    history = index.history(user_id)
    liked = _liked(history)
    liked_items = liked["item_id"].astype(str).tolist()
    tags = interest_tags(
        liked_items,
        liked["timestamp"].to_numpy(dtype=np.float64),
        index.tags,
        index.prevalence,
        half_life_events=half_life_events,
        top=max_tags,
    )
    on_items = history[history["item_id"].notna()]
    recent = [
        RecentItem(
            str(row.item_id),
            index.titles.get(str(row.item_id), str(row.item_id)),
            _value(row.timestamp),
            str(row.event_type),
            _value(row.value),
        )
        for row in on_items.iloc[::-1].head(n_recent).itertuples()
    ]
    tag_names = [t.tag for t in tags]
    titles = list(dict.fromkeys(index.titles.get(i, i) for i in reversed(liked_items)))
    reports: tuple[GroundingReport, ...] = ()
    entries = index.history_facts(liked)
    if generator is None:
        portrait, source_kind = template_portrait(tag_names, titles), "template"
    else:
        written = write_portrait(
            tag_names,
            titles,
            generator,
            checker=index.checker,
            language=language,
            max_attempts=max_attempts,
            max_tokens=max_tokens,
            seed=seed,
            history=entries,
        )
        portrait, reports = written.text, written.reports
        source_kind = "llm" if written.source == "llm" else "template"
    timestamps = history["timestamp"].dropna().to_numpy(dtype=np.float64)
    return UserProfile(
        user_id=user_id,
        n_events=len(history),
        n_items=int(on_items["item_id"].nunique()),
        first_seen=float(timestamps.min()) if len(timestamps) else None,
        last_seen=float(timestamps.max()) if len(timestamps) else None,
        event_counts={str(k): int(v) for k, v in history["event_type"].value_counts().items()},
        tags=tags,
        recent=recent,
        portrait=portrait,
        portrait_source=source_kind,  # type: ignore[arg-type]
        portrait_facts=portrait_facts(tag_names, titles, entries),
        portrait_reports=reports,
    )
