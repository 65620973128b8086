"""Copy for the shop's own items and people, read from its store: :class:`CopyWriter`.

``writer.generate("email", user_id="u1")`` reads the person (name, language, interest
tags), their recommended items (the recommender given, else the shop's best-sellers), the
items' facts and the brand profile, and writes the copy through
:func:`~recmind.marketing.copy.generate.write_copy`. Generations about a person are cached
under their keyed hash, so erasing them deletes those cache entries too.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy import select

from recmind.config.settings import Settings
from recmind.data.schema import reviews
from recmind.data.store import Store
from recmind.erasure import subject
from recmind.marketing.copy.brand import BrandProfile, Language, get_brand
from recmind.marketing.copy.context import CopyContext, PersonContext, ReviewContext
from recmind.marketing.copy.generate import CopyResult, write_copy
from recmind.marketing.copy.items import ItemReader
from recmind.marketing.copy.kinds import CopyKind
from recmind.marketing.copy.options import Offer
from recmind.marketing.copy.person import read_person
from recmind.marketing.messages import Recommender
from recmind.text.grounding.matching import CJK
from recmind.text.llm.cache import about
from recmind.text.llm.protocol import Generator

RECOMMENDED = 3


class CopyError(ValueError):
    """The request cannot be written (unknown item, user or review; no item to write about)."""


class CopyWriter:
    """Writes copy from one store (see the module's docstring).

    Args:
        store: The shop's store.
        settings: Its settings (currency, push limit, seed).
        generator: The model (None: the fallback templates only).
        recommender: Items for a person when none are named.
        timeout_s: Bound on one generation.
        max_attempts: Generations before the fallback (the second is told why).
    """

    def __init__(
        self,
        store: Store,
        settings: Settings,
        generator: Generator | None,
        *,
        recommender: Recommender | None = None,
        timeout_s: float | None = 120.0,
        max_attempts: int = 2,
    ) -> None:
        self.store = store
        self.settings = settings
        self.generator = generator
        self.recommender = recommender
        self.timeout_s = timeout_s
        self.max_attempts = max_attempts
        self.items = ItemReader(store, settings)
        self._brand: BrandProfile | None = None

    @property
    def brand(self) -> BrandProfile:
        if self._brand is None:
            self._brand = get_brand(self.store, self.settings)
        return self._brand

    def _review(self, review_id: str) -> tuple[ReviewContext, str, str]:
        with self.store.engine.connect() as connection:
            row = connection.execute(
                select(
                    reviews.c.text, reviews.c.rating, reviews.c.item_id, reviews.c.user_id
                ).where(reviews.c.review_id == review_id)
            ).first()
        if row is None or not str(row.text or "").strip():
            raise CopyError(f"no review {review_id!r} with a text")
        rating = None if row.rating is None else float(row.rating)
        return ReviewContext(str(row.text), rating), str(row.item_id), str(row.user_id)

    def _recommended(self, user_id: str, now: float) -> list[str]:
        if self.recommender is not None:
            found = self.recommender(
                user_id,
                source="personal",
                count=RECOMMENDED,
                trigger_item=None,
                in_stock_only=True,
                now=now,
            )
            if found:
                return list(found)
        ranks = self.items.bestseller_ranks()
        return sorted(ranks, key=ranks.__getitem__)[:RECOMMENDED]

    def context(
        self,
        kind: CopyKind,
        *,
        item_ids: Sequence[str] = (),
        user_id: str | None = None,
        language: Language | None = None,
        offer: Offer | None = None,
        review_id: str | None = None,
        now: float | None = None,
    ) -> CopyContext:
        """What :meth:`generate` writes from (raises :class:`CopyError`)."""
        moment = time.time() if now is None else now
        review = None
        ids = [str(i) for i in item_ids]
        if kind == "review-reply":
            if review_id is None:
                raise CopyError("a review reply needs --review ID")
            review, item_id, _ = self._review(review_id)
            ids = [item_id]
            if language is None:
                language = "zh" if CJK.search(review.text) else "en"
        person: PersonContext | None = None
        if user_id is not None and kind != "review-reply":
            try:
                person = read_person(self.store, user_id, self.brand.language)
            except KeyError as exc:
                raise CopyError(f"no user {user_id!r}") from exc
            if not ids and kind not in ("slogan",):
                ids = self._recommended(user_id, moment)
        found = self.items.read(ids, now=moment, snippets=kind in ("description", "review-reply"))
        missing = sorted(set(ids) - {i.item_id for i in found})
        if item_ids and missing:
            raise CopyError(f"no item {missing[0]!r}")
        if kind in ("ad", "description", "review-reply") and not found:
            raise CopyError(f"{kind} copy needs an item (--item ID)")
        chosen: Language = language or (person.language if person else self.brand.language)
        if person is not None and person.language != chosen:
            person = PersonContext(
                person.user_id, person.first_name, chosen, person.tags, person.portrait
            )
        return CopyContext(
            kind=kind,
            language=chosen,
            brand=self.brand,
            currency=self.settings.marketing.currency,
            now=datetime.fromtimestamp(moment, UTC).replace(tzinfo=None),
            items=tuple(found),
            person=person,
            offer=offer,
            review=review,
        )

    def write(self, context: CopyContext) -> CopyResult:
        """Write ``context``'s copy (cached about its person, when it has one)."""
        subjects = (
            (subject(self.settings, context.person.user_id, self.store),)
            if context.person is not None
            else ()
        )
        with about(*subjects):
            return write_copy(
                context,
                self.generator,
                push_max_chars=self.settings.marketing.push_max_chars,
                seed=self.settings.seed,
                timeout_s=self.timeout_s,
                max_attempts=self.max_attempts,
            )

    def generate(self, kind: CopyKind, **request: object) -> CopyResult:
        """:meth:`context` then :meth:`write` (same keyword arguments as :meth:`context`)."""
        return self.write(self.context(kind, **request))  # type: ignore[arg-type]
