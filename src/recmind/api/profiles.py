"""User profiles for the API: :func:`recmind.profiles.build_profile` over one user's rows.

Reading the whole store per request would not scale, so a profile is built from the user's
own events and reviews and the items they touched (read fresh: a new event shows at once),
plus how common each tag is across all interactions, recomputed at most every
``settings.api.profile_cache_seconds``.

Generated portraits (``?generate=true``) are written by the configured language model on
the background generation worker (:mod:`recmind.serving.generation`), never on a request
thread: a request whose portrait is not ready gets the job to poll. A portrait is checked
against the facts and cached per user under ``<home>/cache/portraits`` until the user's tags
or recent titles change (:class:`recmind.profiles.cache.PortraitCache`); erasing the user
cancels their jobs and deletes that cache entry, and a portrait whose generation began
before the user's erasure (by this process or another) is never written after it: the
tombstone is checked under the cache's file lock.
"""

from __future__ import annotations

import hashlib
import threading
import time
from dataclasses import dataclass, replace
from typing import Any

import orjson
import pandas as pd
from sqlalchemy import select

from recmind.config import Settings
from recmind.data.bundle import ITEM_COLUMNS, USER_COLUMNS, DataBundle
from recmind.data.privacy import user_rows
from recmind.data.schema import items as items_table
from recmind.data.store import Store
from recmind.data.tombstones import erased_at
from recmind.profiles import ProfileIndex, UserProfile, build_profile
from recmind.profiles.cache import PORTRAIT_KIND, PortraitCache
from recmind.profiles.tags import TagKind, item_tags
from recmind.serving.generation import GenerationJob, GenerationJobs, TextOutcome
from recmind.text.llm.protocol import Generator

NOT_GROUNDED = "the generated portrait failed the grounding check; template used"


@dataclass(frozen=True)
class ProfileAnswer:
    """A profile, why a generated portrait was asked for but not given (``note``), or
    the job writing it (``job``: the portrait is not ready yet)."""

    profile: UserProfile
    note: str | None = None
    job: GenerationJob | None = None


@dataclass(frozen=True)
class _Prevalence:
    shares: dict[str, float]
    built_at: float


def _prevalence(store: Store, tags: dict[str, list[tuple[str, TagKind]]]) -> dict[str, float]:
    """Each tag's share of all interactions (events on items and reviews), as
    :func:`recmind.profiles.tags.tag_prevalence` computes it, counted in SQL."""
    sql = (
        "SELECT item_id, COUNT(*) FROM events WHERE item_id IS NOT NULL GROUP BY item_id "
        "UNION ALL SELECT item_id, COUNT(*) FROM reviews GROUP BY item_id"
    )
    counts: dict[str, float] = {}
    total = 0
    with store.raw_connection() as connection:
        cursor = connection.cursor()
        cursor.execute(sql)
        for item_id, n in cursor.fetchall():
            total += int(n)
            for tag, _ in tags.get(str(item_id), ()):
                counts[tag] = counts.get(tag, 0.0) + int(n)
        cursor.close()
    total = max(total, 1)
    return {tag: n / total for tag, n in counts.items()}


class ProfileService:
    """Builds profiles and keeps the generated-portrait cache."""

    def __init__(self, store: Store, settings: Settings, generation: GenerationJobs) -> None:
        self.store = store
        self.settings = settings
        self.generation = generation
        self.cache_dir = settings.home / "cache" / "portraits"
        self.portraits = PortraitCache(self.cache_dir)
        self._prevalence: _Prevalence | None = None
        self._lock = threading.Lock()

    # -- catalogue-wide part -------------------------------------------------------------

    def _prevalence_now(self) -> dict[str, float]:
        with self._lock:
            current = self._prevalence
            max_age = self.settings.api.profile_cache_seconds
            if current is not None and time.monotonic() - current.built_at < max_age:
                return current.shares
            shares = _prevalence(self.store, item_tags(self.store.load_items()))
            self._prevalence = _Prevalence(shares, time.monotonic())
            return shares

    # -- one user ------------------------------------------------------------------------

    def _items(self, item_ids: set[str]) -> pd.DataFrame:
        wanted = sorted(item_ids)
        found: list[dict[str, Any]] = []
        with self.store.engine.connect() as connection:
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

    def _index(self, user_id: str) -> ProfileIndex | None:
        rows = user_rows(self.store, user_id)
        if rows["user"] is None and not rows["events"] and not rows["reviews"]:
            return None
        events = pd.DataFrame(rows["events"], columns=list(_EVENT_COLUMNS))
        reviews = pd.DataFrame(rows["reviews"], columns=list(_REVIEW_COLUMNS))
        touched = set(events["item_id"].dropna()) | set(reviews["item_id"].dropna())
        user = pd.DataFrame([rows["user"]] if rows["user"] else [], columns=list(USER_COLUMNS))
        bundle = DataBundle(
            name="user",
            items=self._items({str(i) for i in touched}),
            users=user,
            events=events,
            reviews=reviews,
        )
        index = ProfileIndex(bundle)
        index.prevalence = self._prevalence_now()
        return index

    def profile(
        self, user_id: str, *, generate: bool = False, n_recent: int = 5
    ) -> tuple[UserProfile, str | None]:
        """``(profile, note)`` without waiting; KeyError for an unknown user. With
        ``generate``, the generated portrait when it is ready, else the template portrait
        and a note naming the job writing it (see :meth:`answer`)."""
        answer = self.answer(user_id, generate=generate, n_recent=n_recent)
        if answer.job is not None:
            return answer.profile, f"the portrait is being written (job {answer.job.job_id})"
        return answer.profile, answer.note

    def answer(self, user_id: str, *, generate: bool = False, n_recent: int = 5) -> ProfileAnswer:
        """The profile. With ``generate``, the generated portrait when it is cached, else
        the job writing it.

        Raises:
            KeyError: Nothing is stored about the user.
            QueueFullError: The portrait must be written but the generation queue is full.
        """
        started = time.time()
        index = self._index(user_id)
        if index is None:
            raise KeyError(user_id)
        profile = build_profile(index, user_id, n_recent=n_recent)
        if not generate or (not profile.tags and not profile.recent):
            return ProfileAnswer(profile)
        facts = self._facts_key(profile)
        cached = self.portraits.read(user_id)
        if cached is not None and cached.get("facts") == facts:
            return ProfileAnswer(_with_portrait(profile, str(cached["text"]), "llm"))
        key = f"{PORTRAIT_KIND}:{_digest(user_id)}:{facts}"
        kept = self.generation.text(key)
        if kept is not None:
            return ProfileAnswer(_with_portrait(profile, kept.text, kept.source), kept.note)
        problem = self.generation.generator_error
        if problem is not None:
            return ProfileAnswer(profile, f"no language model available: {problem}")
        seed = self.settings.seed

        def write(generator: Generator) -> TextOutcome:
            written = build_profile(index, user_id, generator, n_recent=n_recent, seed=seed)
            grounded = written.portrait_source == "llm"
            return TextOutcome(
                written.portrait, written.portrait_source, None if grounded else NOT_GROUNDED
            )

        def commit(outcome: TextOutcome) -> bool:
            """Store the portrait; False (nothing kept) when the person was erased since
            their data was read."""
            if outcome.source == "llm":
                return self.portraits.write(
                    user_id,
                    facts,
                    outcome.text,
                    allowed=lambda: not self._erased_since(user_id, started),
                )
            return not self._erased_since(user_id, started)

        job = self.generation.submit(PORTRAIT_KIND, key, user_id, write, commit)
        return ProfileAnswer(profile, job=job)

    @staticmethod
    def _facts_key(profile: UserProfile) -> str:
        facts = profile.portrait_facts
        payload = orjson.dumps([list(facts.titles), list(facts.terms)])
        return hashlib.sha256(payload).hexdigest()

    def _erased_since(self, user_id: str, started: float) -> bool:
        """Whether ``user_id`` was erased after ``started`` (their data was read then)."""
        when = erased_at(self.store, user_id, self.settings.api.secret)
        return when is not None and when >= started

    # -- portrait cache ------------------------------------------------------------------

    def generated_texts(self, user_id: str) -> list[dict[str, Any]]:
        """Every generated text cached about the user (for export): the portrait on disk
        and the explanation sentences the generation worker keeps."""
        out = self.portraits.texts(user_id)
        for kind, text in self.generation.texts_of(user_id):
            if kind != PORTRAIT_KIND and text.source == "llm":
                out.append({"kind": kind, "text": text.text, "created_at": text.created_at})
        return out

    def forget(self, user_id: str) -> int:
        """Delete every generated text about the user (their generation jobs first, so
        none lands after this); how many were deleted."""
        dropped = self.generation.forget(user_id)
        sentences = sum(1 for kind, t in dropped if kind != PORTRAIT_KIND and t.source == "llm")
        return sentences + self.portraits.forget(user_id)


def _digest(user_id: str) -> str:
    return hashlib.sha256(user_id.encode()).hexdigest()


def _json_object(value: object) -> dict[str, Any]:
    if isinstance(value, str) and value:
        parsed = orjson.loads(value)
        return parsed if isinstance(parsed, dict) else {}
    return {}


_EVENT_COLUMNS = ("event_id", "user_id", "item_id", "event_type", "timestamp", "value", "query")
_REVIEW_COLUMNS = ("review_id", "user_id", "item_id", "rating", "text", "timestamp")


def _with_portrait(profile: UserProfile, text: str, source: str) -> UserProfile:
    return replace(profile, portrait=text, portrait_source=source)  # type: ignore[arg-type]
