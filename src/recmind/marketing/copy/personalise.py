"""Generated copy in the outbox: :class:`CopyProvider` gives each message request that asks
for it (``request.copy``) its variant, personalised by slots, or None (the request's own
template is used).

Per request: the person's language (their ``language`` attribute, else the brand's), the
variant name (the experiment's assignment when ``copy.experiment`` names one, else a stable
hash of the person over ``copy.variants`` names), then the variant for (scope, kind,
language, name): read from ``copy_variants`` or written now (:mod:`.variants`; one model
call per variant, however many people share it; the first person's item is its probe: an
item without a price makes a variant without a price slot). The variant's slots are filled from the
store (the person's first name, their first recommended item's title and price, the offer);
a part the filled values make too long is cut at a word boundary and the text checked
again, as is every text when ``copy.check_each`` asks. A person whose values cannot fill
the variant (an item without a price) gets the request's own template.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from recmind.config.settings import Settings
from recmind.data.schema import users
from recmind.data.store import Store
from recmind.marketing.content.facts import ItemFacts, PersonFacts
from recmind.marketing.copy.brand import BrandProfile, Language, get_brand
from recmind.marketing.copy.context import CopyContext, CopyItem, PersonContext
from recmind.marketing.copy.generate import write_copy
from recmind.marketing.copy.kinds import CopyKind, kind_spec
from recmind.marketing.copy.limits import cut_to
from recmind.marketing.copy.options import ANGLES, CopyOptions
from recmind.marketing.copy.person import language_of
from recmind.marketing.copy.review import check_filled
from recmind.marketing.copy.slots import SlotError, fill
from recmind.marketing.copy.variants import (
    Variant,
    from_result,
    get_variant,
    put_variant,
    variant_key,
)
from recmind.marketing.experiments.assignment import assign, hash_point
from recmind.marketing.experiments.repository import (
    Experiment,
    ExperimentNotFoundError,
    get_experiment,
)
from recmind.marketing.messages import MessageRequest
from recmind.text.llm.factory import shared_generator
from recmind.text.llm.gguf_assets import ModelAssetError
from recmind.text.llm.protocol import GenerationError, Generator

logger = logging.getLogger(__name__)

BRAND_SECONDS = 60.0
"""The brand profile is read again after this long (a long-running worker sees edits)."""


@dataclass(frozen=True)
class PersonalCopy:
    """One person's copy: the variant's parts with their slots filled."""

    parts: dict[str, str]
    variant: str
    source: str
    language: str
    key: str

    def payload(self) -> dict[str, Any]:
        """What the outbox row records about it."""
        return {
            "variant": self.variant,
            "source": self.source,
            "language": self.language,
            "key": self.key,
        }


@dataclass
class CopyStats:
    """What a provider did: variants written (and the model calls and seconds they took),
    people personalised, people left to their template, texts checked one by one."""

    variants: int = 0
    llm_calls: int = 0
    generation_seconds: float = 0.0
    personalised: int = 0
    template: int = 0
    checked: int = 0
    by_source: dict[str, int] = field(default_factory=dict)


def kind_for(channel: str) -> CopyKind:
    """The copy kind a channel sends: an email, else a short push text."""
    return "email" if channel == "email" else "push"


def scope_of(request: MessageRequest) -> str:
    """Whose variants these are: the journey's step, else the campaign (a preview or test
    send of a campaign shares its variants)."""
    if request.source_kind == "journey":
        return f"journey:{request.source_id}:{request.step_id}"
    return f"campaign:{request.source_id}"


def languages_of(store: Store, user_ids: Sequence[str], default: Language) -> dict[str, Language]:
    """Each person's language (see :func:`~recmind.marketing.copy.person.language_of`)."""
    found: dict[str, Language] = {}
    unique = list(dict.fromkeys(user_ids))
    with store.engine.connect() as connection:
        for start in range(0, len(unique), 500):
            chunk = unique[start : start + 500]
            for row in connection.execute(
                select(users.c.user_id, users.c.attributes).where(users.c.user_id.in_(chunk))
            ):
                found[str(row.user_id)] = language_of(row.attributes, default)
    return {u: found.get(u, default) for u in unique}


def copy_item(item: ItemFacts) -> CopyItem:
    return CopyItem(item.item_id, item.title, item.price, item.old_price, item.stock)


class CopyProvider:
    """Personalised variants for message requests (see the module's docstring).

    Args:
        store: The shop's store.
        settings: Its settings (currency, push limit, seed).
        generator: Builds the model on first need (None from it: fallback copy only).
        timeout_s: Bound on one generation.
        clock: Wall time (tests).
    """

    def __init__(
        self,
        store: Store,
        settings: Settings,
        generator: Callable[[], Generator | None],
        *,
        timeout_s: float | None = 180.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.store = store
        self.settings = settings
        self.make_generator = generator
        self.timeout_s = timeout_s
        self.clock = clock
        self.stats = CopyStats()
        self._generator: Generator | None = None
        self._generator_made = False
        self._brand: tuple[float, BrandProfile] | None = None
        self._variants: dict[str, Variant] = {}
        self._experiments: dict[str, Experiment | None] = {}

    @property
    def brand(self) -> BrandProfile:
        now = self.clock()
        if self._brand is None or now - self._brand[0] >= BRAND_SECONDS:
            self._brand = (now, get_brand(self.store, self.settings))
        return self._brand[1]

    def generator(self) -> Generator | None:
        if not self._generator_made:
            self._generator = self.make_generator()
            self._generator_made = True
        return self._generator

    def _experiment(self, experiment_id: str) -> Experiment | None:
        if experiment_id not in self._experiments:
            try:
                self._experiments[experiment_id] = get_experiment(self.store, experiment_id)
            except ExperimentNotFoundError:
                logger.warning("copy names experiment %r, which does not exist", experiment_id)
                self._experiments[experiment_id] = None
        return self._experiments[experiment_id]

    def names(self, options: CopyOptions) -> list[str]:
        """The variant names of ``options`` (the experiment's, else v1..vN)."""
        experiment = self._experiment(options.experiment) if options.experiment else None
        if experiment is not None:
            return experiment.names
        return [f"v{n}" for n in range(1, options.variants + 1)]

    def choose(self, request: MessageRequest, options: CopyOptions, now: float) -> str:
        """The person's variant: assigned by the experiment, else by a stable hash."""
        experiment = self._experiment(options.experiment) if options.experiment else None
        if experiment is not None:
            found = assign(
                self.store,
                self.settings,
                experiment,
                request.user_id,
                now=now,
                key=request.idempotency_key,
                context={"copy": scope_of(request)},
            )
            return found.variant or experiment.resting_variant
        names = self.names(options)
        return names[int(hash_point(scope_of(request), request.user_id) * len(names))]

    def variant(
        self,
        request: MessageRequest,
        options: CopyOptions,
        *,
        language: Language,
        name: str,
        probe: ItemFacts | None,
        now: float,
    ) -> Variant:
        """The variant for this request's scope, language and name (stored, or written)."""
        brand = self.brand
        kind = kind_for(request.channel)
        names = self.names(options)
        angle = ANGLES[names.index(name) % len(ANGLES)] if name in names else None
        generator = self.generator()
        key = variant_key(
            scope=scope_of(request),
            kind=kind,
            language=language,
            name=name,
            angle=angle,
            brand=brand.version(),
            offer=options.offer.model_dump(mode="json") if options.offer else None,
            audience=options.audience,
            model=generator.model_id if generator is not None else None,
        )
        found = self._variants.get(key) or get_variant(self.store, key)
        if found is None:
            context = CopyContext(
                kind=kind,
                language=language,
                brand=brand,
                currency=self.settings.marketing.currency,
                now=datetime.fromtimestamp(now, UTC).replace(tzinfo=None),
                items=(copy_item(probe),) if probe is not None else (),
                offer=options.offer,
                audience=options.audience,
                angle=angle,
                item_slots=1,
                shared=True,
            )
            result = write_copy(
                context,
                generator,
                push_max_chars=self.settings.marketing.push_max_chars,
                seed=self.settings.seed + names.index(name) if name in names else None,
                timeout_s=self.timeout_s,
            )
            made = from_result(key, scope_of(request), name, options.audience, result)
            found = put_variant(self.store, made, now=now)
            self.stats.variants += 1
            self.stats.llm_calls += made.llm_calls
            self.stats.generation_seconds += made.seconds
            logger.info("copy variant %s/%s/%s: %s", scope_of(request), language, name, made.source)
        self._variants[key] = found
        return found

    def personalise(
        self,
        requests: Sequence[MessageRequest],
        people: Mapping[str, PersonFacts],
        items: Mapping[str, Sequence[ItemFacts]],
        *,
        now: float,
    ) -> dict[str, PersonalCopy | None]:
        """Each request's copy by idempotency key (None: use its own template); only
        requests whose ``copy`` asks for generated copy are answered."""
        wanted = [r for r in requests if r.copy is not None and r.copy.generated]
        if not wanted:
            return {}
        languages = languages_of(self.store, [r.user_id for r in wanted], self.brand.language)
        out: dict[str, PersonalCopy | None] = {}
        for request in wanted:
            options = request.copy
            assert options is not None
            mine = list(items.get(request.idempotency_key, ()))
            language = languages[request.user_id]
            name = self.choose(request, options, now)
            variant = self.variant(
                request,
                options,
                language=language,
                name=name,
                probe=mine[0] if mine else None,
                now=now,
            )
            person = people.get(request.user_id) or PersonFacts(user_id=request.user_id)
            out[request.idempotency_key] = self._fill(
                variant, request, person, mine, language=language, now=now
            )
        return out

    def _fill(
        self,
        variant: Variant,
        request: MessageRequest,
        person: PersonFacts,
        mine: list[ItemFacts],
        *,
        language: Language,
        now: float,
    ) -> PersonalCopy | None:
        options = request.copy
        assert options is not None
        if not variant.usable:
            self.stats.template += 1
            return None
        context = CopyContext(
            kind=kind_for(request.channel),
            language=language,
            brand=self.brand,
            currency=self.settings.marketing.currency,
            now=datetime.fromtimestamp(now, UTC).replace(tzinfo=None),
            items=tuple(copy_item(i) for i in mine[:1]),
            person=PersonContext(request.user_id, person.first_name, language),
            offer=options.offer,
            item_slots=1,
            shared=True,
        )
        values = context.slot_values()
        spec = kind_spec(context.kind, push_max_chars=self.settings.marketing.push_max_chars)
        recheck = options.check_each
        parts: dict[str, str] = {}
        try:
            for part, text in variant.parts.items():
                filled = fill(text, values)
                if part in spec.limits and not spec.limits[part].fits(filled):
                    filled = fill(cut_to(text, spec.limits[part], values), values)
                    recheck = True
                parts[part] = filled
        except SlotError as exc:
            logger.debug("%s: %s; the template is used", request.idempotency_key, exc)
            self.stats.template += 1
            return None
        if recheck:
            self.stats.checked += 1
            reasons, _ = check_filled(parts, context.facts())
            if reasons or any(not p for p in parts.values()):
                self.stats.template += 1
                return None
        self.stats.personalised += 1
        self.stats.by_source[variant.source] = self.stats.by_source.get(variant.source, 0) + 1
        return PersonalCopy(parts, variant.name, variant.source, language, variant.key)


def default_copy_provider(store: Store, settings: Settings) -> CopyProvider:
    """A provider with the process's configured model (loaded on first need, shared); when
    no model can be built, variants are the fallback copy, with a warning."""

    def make() -> Generator | None:
        try:
            return shared_generator(settings)
        except (GenerationError, ModelAssetError, KeyError, FileNotFoundError) as exc:
            logger.warning("no language model for generated copy (fallback copy used): %s", exc)
            return None

    return CopyProvider(store, settings, make)
