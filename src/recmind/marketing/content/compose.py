"""From a message request to an outbox row: recommendations, facts, rendering, recipient.

:class:`OutboxComposer` is the :class:`~recmind.marketing.messages.MessageComposer` that
journeys and campaigns hand their requests to. For each request it

1. leaves it alone when its idempotency key is already in the outbox (a rerun after a crash
   costs one query per batch, no rendering);
2. asks the recommender for the items (a whole batch at once when the recommender has a
   ``recommend_many``, as the served one has);
3. reads the person and the items from the store and renders the template with those facts
   only (:mod:`recmind.marketing.content.render`);
   A request asking for generated copy (``request.copy``) gets its variant, personalised by
   slots and checked (:mod:`recmind.marketing.copy.personalise`), rendered around the same
   items (:mod:`recmind.marketing.copy.message`); one whose copy cannot be written uses its
   template;
4. writes the message to the outbox (``enqueue``), or, when it cannot be sent, a row with
   status ``skipped`` and the reason: an email to a person without an address
   (``no_address``), a template that needs items when none are left (``no_items``), a
   template that fails for this person (``render_failed: ...``). Nothing is dropped
   silently, and the skipped row holds the key, so a rerun does not try again.

Consent, suppression, caps, quiet hours and the holdout are not checked here: they are
checked at send time (:mod:`recmind.marketing.policy.decide`), so a message written an hour
before its person unsubscribes is still not sent.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

import orjson
from sqlalchemy import select

from recmind.config.settings import Settings
from recmind.data.bulk import BulkWriter
from recmind.data.schema import outbox
from recmind.data.store import Store
from recmind.data.write_lock import write_lock
from recmind.marketing.content.facts import ItemFacts, PersonFacts, item_facts, person_facts
from recmind.marketing.content.render import render_message
from recmind.marketing.content.templates import MessageTemplateError, get_template
from recmind.marketing.copy.message import render_copy
from recmind.marketing.copy.personalise import CopyProvider, PersonalCopy, default_copy_provider
from recmind.marketing.messages import (
    MessageRequest,
    OutboxMessage,
    RecommendationSource,
    Recommender,
)
from recmind.marketing.outbox.store import SKIPPED, enqueue
from recmind.text.llm.protocol import GenerationError

logger = logging.getLogger(__name__)

NO_ADDRESS = "no_address"
NO_ITEMS = "no_items"
RENDER_FAILED = "render_failed"
_KEYS_PER_QUERY = 500
_SKIPPED_COLUMNS = (
    "message_id",
    "idempotency_key",
    "user_id",
    "channel",
    "source_kind",
    "source_id",
    "enrolment_id",
    "step_id",
    "recipient",
    "payload",
    "items",
    "status",
    "skip_reason",
    "attempts",
    "created_at",
)


@runtime_checkable
class BatchRecommender(Protocol):
    """A recommender that answers many people at once (the served one)."""

    def recommend_many(
        self,
        user_ids: Sequence[str],
        *,
        source: RecommendationSource,
        count: int,
        in_stock_only: bool,
        now: float,
        trigger_items: Mapping[str, str | None] | None = None,
    ) -> dict[str, list[str]]: ...


@dataclass
class ComposeResult:
    """What one call wrote: ``queued`` pending rows, ``skipped`` rows with their reasons
    (counted by reason), ``existing`` requests whose key was already there."""

    queued: int = 0
    skipped: dict[str, int] = field(default_factory=dict)
    existing: int = 0

    @property
    def written(self) -> int:
        return self.queued + sum(self.skipped.values())

    def add(self, other: ComposeResult) -> None:
        self.queued += other.queued
        self.existing += other.existing
        for reason, count in other.skipped.items():
            self.skipped[reason] = self.skipped.get(reason, 0) + count


@dataclass(frozen=True)
class Skipped:
    """A request that cannot go out, and why (written as a ``skipped`` outbox row)."""

    request: MessageRequest
    reason: str
    recipient: str | None
    items: tuple[str, ...] = ()


def existing_keys(store: Store, keys: Sequence[str]) -> set[str]:
    """The idempotency keys among ``keys`` that are already in the outbox."""
    found: set[str] = set()
    unique = list(dict.fromkeys(keys))
    with store.engine.connect() as connection:
        for start in range(0, len(unique), _KEYS_PER_QUERY):
            chunk = unique[start : start + _KEYS_PER_QUERY]
            query = select(outbox.c.idempotency_key).where(outbox.c.idempotency_key.in_(chunk))
            found.update(str(r[0]) for r in connection.execute(query))
    return found


def record_skipped(store: Store, skips: Sequence[Skipped], *, now: float) -> int:
    """Write ``skips`` as outbox rows with status ``skipped`` and their reason (an existing
    key is left alone); returns the rows written."""
    rows = [
        (
            s.request.message_id,
            s.request.idempotency_key,
            s.request.user_id,
            s.request.channel,
            s.request.source_kind,
            s.request.source_id,
            s.request.enrolment_id,
            s.request.step_id,
            s.recipient,
            orjson.dumps({"template": s.request.template}).decode(),
            orjson.dumps(list(s.items)).decode(),
            SKIPPED,
            s.reason,
            0,
            now,
        )
        for s in skips
    ]
    if not rows:
        return 0
    with write_lock(store), store.raw_connection() as connection:
        return BulkWriter(connection, store.dialect).insert_ignore("outbox", _SKIPPED_COLUMNS, rows)


def recipient_of(request: MessageRequest, person: PersonFacts) -> str | None:
    """Where the message goes: the email address, the person's id for the webhook, nobody
    for on-site messages (they are fetched through the API by the person's id)."""
    if request.channel == "email":
        return person.email
    if request.channel == "webhook":
        return request.user_id
    return None


class OutboxComposer:
    """Composes requests into outbox rows (see the module's docstring)."""

    def __init__(
        self,
        store: Store,
        settings: Settings,
        recommender: Recommender,
        *,
        copy: CopyProvider | None = None,
    ) -> None:
        self.store = store
        self.settings = settings
        self.recommender = recommender
        self.copy = copy

    def __call__(self, request: MessageRequest, *, now: float) -> bool:
        return self.compose_many([request], now=now) == 1

    def compose_many(self, requests: Sequence[MessageRequest], *, now: float) -> int:
        """Compose a batch; returns the rows newly written (pending or skipped)."""
        return self.compose(requests, now=now).written

    def compose(
        self,
        requests: Sequence[MessageRequest],
        *,
        now: float,
        recipients: Mapping[str, str] | None = None,
    ) -> ComposeResult:
        """Compose a batch and say what became of it. ``recipients`` (idempotency key ->
        address) overrides the stored recipient (a test send to a given address)."""
        result = ComposeResult()
        unique = list({r.idempotency_key: r for r in requests}.values())
        known = existing_keys(self.store, [r.idempotency_key for r in unique])
        todo = [r for r in unique if r.idempotency_key not in known]
        result.existing = len(unique) - len(todo)
        if not todo:
            return result
        prepared = self.prepare(todo, now=now, recipients=recipients)
        messages = [m for m in prepared if isinstance(m, OutboxMessage)]
        skips = [m for m in prepared if isinstance(m, Skipped)]
        result.queued = enqueue(self.store, messages, now=now)
        record_skipped(self.store, skips, now=now)
        for skip in skips:
            reason = skip.reason.split(":")[0]
            result.skipped[reason] = result.skipped.get(reason, 0) + 1
        return result

    def prepare(
        self,
        requests: Sequence[MessageRequest],
        *,
        now: float,
        recipients: Mapping[str, str] | None = None,
        preview: bool = False,
    ) -> list[OutboxMessage | Skipped]:
        """Recommend, read the facts and render, writing nothing: per request, the message
        or why it cannot go out. ``preview``: render every part, even of an email without
        an address (the caller says it would be skipped)."""
        people = person_facts(self.store, [r.user_id for r in requests])
        chosen = self._recommend(requests, now)
        facts = item_facts(
            self.store, self.settings, [i for ids in chosen.values() for i in ids], now=now
        )
        found = {
            r.idempotency_key: [facts[i] for i in chosen.get(r.idempotency_key, []) if i in facts]
            for r in requests
        }
        personal = self._personal(requests, people, found, now)
        out: list[OutboxMessage | Skipped] = []
        for request in requests:
            person = people[request.user_id]
            recipient = (recipients or {}).get(request.idempotency_key) or recipient_of(
                request, person
            )
            mine = found[request.idempotency_key]
            copy = personal.get(request.idempotency_key)
            out.append(self._one(request, person, recipient, mine, preview=preview, copy=copy))
        return out

    def _personal(
        self,
        requests: Sequence[MessageRequest],
        people: Mapping[str, PersonFacts],
        items: Mapping[str, list[ItemFacts]],
        now: float,
    ) -> dict[str, PersonalCopy | None]:
        """Generated copy of the requests that ask for it (:mod:`recmind.marketing.copy`);
        a request without (or whose copy cannot be written) uses its own template."""
        if not any(r.copy is not None and r.copy.generated for r in requests):
            return {}
        if self.copy is None:
            self.copy = default_copy_provider(self.store, self.settings)
        try:
            return self.copy.personalise(requests, people, items, now=now)
        except (GenerationError, MessageTemplateError, ValueError) as error:
            logger.warning("generated copy failed, the templates are used: %s", error)
            return {}

    def _one(
        self,
        request: MessageRequest,
        person: PersonFacts,
        recipient: str | None,
        items: list[ItemFacts],
        *,
        preview: bool = False,
        copy: PersonalCopy | None = None,
    ) -> OutboxMessage | Skipped:
        item_ids = tuple(i.item_id for i in items)
        if request.channel == "email" and not recipient and not preview:
            return Skipped(request, NO_ADDRESS, None, item_ids)
        try:
            template = get_template(self.settings, request.template)
            if template.needs_items and not items:
                return Skipped(request, NO_ITEMS, recipient)
            if copy is not None:
                rendered = render_copy(
                    self.settings,
                    copy,
                    message_id=request.message_id,
                    channel=request.channel,
                    person=person,
                    items=items,
                )
            else:
                rendered = render_message(
                    self.settings,
                    request.template,
                    message_id=request.message_id,
                    channel=request.channel,
                    person=person,
                    items=items,
                    context=request.context,
                    all_parts=preview,
                )
        except MessageTemplateError as error:
            logger.warning("%s: %s", request.idempotency_key, error)
            return Skipped(request, f"{RENDER_FAILED}: {error}", recipient, item_ids)
        return OutboxMessage(
            idempotency_key=request.idempotency_key,
            user_id=request.user_id,
            channel=request.channel,
            source_kind=request.source_kind,
            source_id=request.source_id,
            recipient=recipient,
            rendered=rendered,
            enrolment_id=request.enrolment_id,
            step_id=request.step_id,
        )

    def _recommend(self, requests: Sequence[MessageRequest], now: float) -> dict[str, list[str]]:
        """Items per idempotency key: one batch call per (source, count, stock rule) when
        the recommender takes batches, else one call per request."""
        out: dict[str, list[str]] = {}
        wanted = [r for r in requests if r.recommendation_count > 0]
        if isinstance(self.recommender, BatchRecommender):
            groups: dict[tuple[Any, ...], list[MessageRequest]] = defaultdict(list)
            for r in wanted:
                groups[(r.recommendation_source, r.recommendation_count, r.in_stock_only)].append(r)
            for (source, count, in_stock), group in groups.items():
                # one person may appear twice in a batch with different trigger items
                for part in _by_person(group):
                    found = self.recommender.recommend_many(
                        [r.user_id for r in part],
                        source=source,
                        count=count,
                        in_stock_only=in_stock,
                        now=now,
                        trigger_items={r.user_id: r.trigger_item for r in part},
                    )
                    out.update({r.idempotency_key: found.get(r.user_id, []) for r in part})
            return out
        for r in wanted:
            out[r.idempotency_key] = self.recommender(
                r.user_id,
                source=r.recommendation_source,
                count=r.recommendation_count,
                trigger_item=r.trigger_item,
                in_stock_only=r.in_stock_only,
                now=now,
            )
        return out


def _by_person(requests: list[MessageRequest]) -> list[list[MessageRequest]]:
    """``requests`` split so that no part holds one person twice (order kept)."""
    parts: list[list[MessageRequest]] = []
    seen: list[set[str]] = []
    for request in requests:
        for part, users in zip(parts, seen, strict=True):
            if request.user_id not in users:
                part.append(request)
                users.add(request.user_id)
                break
        else:
            parts.append([request])
            seen.append({request.user_id})
    return parts
