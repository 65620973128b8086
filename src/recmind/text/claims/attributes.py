"""Attributes: materials, colours, features, origins, genres and flavours from the lexicon;
shares (``100% cotton``), measures (``500 ml``, ``140×80厘米``), sizes (``S to XL``,
``尺码39到44``), capacity (``sleeps two``), origins (``made in Italy``, ``产自安吉``) and
"new". Each must be what the facts of the items its sentence names say (any item when it
names none)."""

from __future__ import annotations

import re
from functools import cached_property

from recmind.text.claims import lexicon
from recmind.text.claims.document import CJK, Document
from recmind.text.claims.known import ItemView, Known, flatten, stems
from recmind.text.claims.numbers import CN_NUMBER, WORD_NUMBER, any_number, parse_number
from recmind.text.grounding.matching import normalise

_NEGATED = re.compile(
    r"(?:\b(?:not|no|non|without|never|isn't|aren't|free of|free from)\s+(?:\w+\s+)?"
    r"|不|非|无|没有)$",
    re.IGNORECASE,
)
_SHARE = re.compile(
    r"(?P<num>\d+(?:\.\d+)?)\s?%\s*(?P<what>[A-Za-z][\w-]*(?:\s[A-Za-z][\w-]*)?|[\u4e00-\u9fff]{1,4})"
)
_UNITS = (
    r"mm|cm|km|metres?|meters?|m|inch(?:es)?|in|\"|ft|feet|foot|kg|g|lbs?|oz|ml|l|litres?"
    r"|liters?|W|watts?"
    r"|V|volts?|mAh|Wh|GB|TB|MB|MP|Hz|kHz|hours?|hrs?|h|minutes?|mins?|fill|TC|thread count"
)
_MEASURE = re.compile(
    r"(?P<dims>\d+(?:\.\d+)?(?:\s?[×xX*]\s?\d+(?:\.\d+)?){1,2})\s?(?P<dunit>mm|cm|m|in|厘米|毫米|米)?"
    rf"|(?<![\w.])(?P<num>\d+(?:\.\d+)?)\s?-?\s?(?P<unit>{_UNITS})(?![A-Za-z])"
    r"|(?P<num2>\d+(?:\.\d+)?)\s?(?P<unit2>毫升|升|克|千克|公斤|斤|厘米|毫米|米|寸|英寸|小时|分钟|瓦|伏|毫安时?)"
)
_SIZE = r"(?:XXXS|XXS|XS|S|M|L|XL|XXL|XXXL|[2-5]XL)"
_SIZES = re.compile(
    rf"(?:\bsizes?\b|尺码|码数|从)\s*[:：]?\s*(?P<list>(?:{_SIZE}|\d{{1,2}})(?:\s*(?:,|、|/|and|to"
    rf"|-|–|到|至|or|和)\s*(?:{_SIZE}|\d{{1,2}}))*)(?![A-Za-z])"
    rf"|(?<![A-Za-z])(?P<list2>{_SIZE}(?:\s*(?:,|、|/|and|to|-|–|到|至|or|和)\s*{_SIZE})+)(?![A-Za-z])"
    r"|(?<![A-Za-z])(?P<one>XXXS|XXS|XS|XL|XXL|XXXL|[2-5]XL)(?![A-Za-z])"
)
_CAPACITY = re.compile(
    rf"\bsleeps\s+(?P<a>\d+|{WORD_NUMBER})\b|\b(?P<b>\d+|{WORD_NUMBER})[- ]person\b"
    rf"|\bseats\s+(?P<c>\d+|{WORD_NUMBER})\b|\bfor\s+(?P<d>\d+|{WORD_NUMBER})\s+people\b"
    rf"|(?P<e>\d+|{CN_NUMBER})\s*人(?:座|份|用|帐篷)",
    re.IGNORECASE,
)
_ORIGIN = re.compile(
    r"\b(?i:made|crafted|produced|grown|sourced|roasted|designed|harvested|woven|knit|built"
    r"|printed|assembled) in (?P<x>[A-Z][\w'-]+(?: [A-Z][\w'-]+)?)"
    r"|(?:产自|产于|原产于?|产地为?)[:：]?\s*(?P<zh>[\u4e00-\u9fff]{2,6})"
)
_MADE_OF = re.compile(
    r"\b(?i:made|baked|crafted|knit|knitted|woven|poured|brewed|blended|cut|sewn|formulated"
    r"|built|spun) (?i:with|from|of|using) (?P<x>[A-Za-z0-9%' -]{3,60}?)"
    r"(?=[.,;:!?()]|$| (?:for|to|that|which|so|in|by|and then|on)\b)",
    re.MULTILINE,
)
_PLAIN_WORDS = (
    "a an the our your only real pure natural simple finest best quality premium high fresh "
    "great good love care passion and with of soft warm lovingly carefully hand hands just "
    "nothing but lots plenty ingredients materials things you mind every detail little bit "
    "heart skill same this that these those all its their lovely beautiful gorgeous rich "
    "classic timeless thoughtfully responsibly sourced ethically blend blends mix"
)
_PLAIN = frozenset(_PLAIN_WORDS.split())
"""Words in "made with ..." that say nothing checkable."""
_NEW = re.compile(
    r"\bnew arrivals?\b|\bjust (?:launched|landed|dropped|arrived|in)\b|\bbrand[- ]new\b"
    r"|\bnewly (?:launched|released)\b|\bnew in\b|\blatest (?:release|model|drop|collection)\b"
    r"|新品|新款|上新|首发|新上市|刚上市|新到|新茶",
    re.IGNORECASE,
)


class _Attributes:
    """One text's attribute claims."""

    def __init__(self, doc: Document, known: Known) -> None:
        self.doc = doc
        self.known = known

    @cached_property
    def active(self) -> set[str]:
        """Groups whose terms the facts use (gated groups count only then)."""
        text = f" {self.known.text} "
        found = set()
        for group, terms in lexicon.GROUPS.items():
            for spec in terms.values():
                for surface in lexicon.surfaces(spec):
                    key = normalise(surface)
                    if key and ((CJK.search(key) and key in text) or f" {key} " in text):
                        found.add(group)
                        break
        return found

    def record(self, span: tuple[int, int], ok: bool, why: str) -> None:
        self.doc.record(*span, "attribute", ok, why)

    def subjects(self, position: int) -> list[ItemView]:
        return self.known.subjects(self.doc, position)

    def lexicon_terms(self) -> None:
        for match in self.doc.free_matches(lexicon.pattern()):
            found = lexicon.canonical_of(match.group())
            if found is None:
                continue
            group, canonical = found
            if group in lexicon.GATED and group not in self.active:
                continue
            after = self.doc.text[match.end() : match.end() + 12].lower()
            if canonical == "stretch" and re.match(
                r"\s+(?:your|out|to|the|it|a|yourself)\b", after
            ):
                continue  # the verb
            before = self.doc.text[max(0, match.start() - 16) : match.start()]
            if _NEGATED.search(before):
                self.doc.cover(*match.span())
                continue
            surfaces = lexicon.supporting_surfaces(canonical)
            subjects = self.subjects(match.start())
            elsewhere = not self._predicated(match.start()) and self._said_elsewhere(
                surfaces, group
            )
            if any(v.says(surfaces) for v in subjects) or elsewhere:
                self.record(match.span(), True, f"the facts say {canonical}")
                continue
            denied = next((d for v in subjects if (d := v.denies(surfaces))), None)
            why = f"the facts say not {denied}" if denied else f"no item here is {canonical}"
            self.record(match.span(), False, why)

    def _predicated(self, position: int) -> bool:
        """The term is said of a named item ("Heat is a sweeping drama", "《三体》是一部科幻
        小说"): only that item's facts count, not the person's history."""
        before = self.doc.text[self.doc.sentence(position)[0] : position]
        said_of = re.search(
            r"\b(?:is|was|'s)\s+(?:a|an)\b[^,;:.!?]*$|是一[部本款个][^，。；]*$", before
        )
        return bool(said_of) and bool(self.known.mentioned(self.doc, position))

    def _said_elsewhere(self, surfaces: list[str], group: str) -> bool:
        """Genres and interest tags may be said of the person or a title of their history."""
        if group not in {"genre", "flavour"}:
            return False
        tags = " ".join(normalise(t) for t in [*self.known.tags, *self.known.facts.terms])
        return any(normalise(s) and f" {normalise(s)} " in f" {tags} " for s in surfaces)

    def shares(self) -> None:
        for match in self.doc.free_matches(_SHARE):
            said = normalise(f"{match['num']} {match['what']}")
            number = match["num"]
            ok = any(
                said in v.text
                or (CJK.search(said) and normalise(f"{number} {match['what'][:2]}") in v.text)
                for v in self.subjects(match.start())
            )
            self.record(
                (match.start(), match.end("num") + 1),
                ok,
                "the facts" if ok else f"no item here is {match.group()}",
            )

    def measures(self) -> None:
        for match in self.doc.free_matches(_MEASURE):
            raw = match["dims"] or match["num"] or match["num2"]
            numbers = [parse_number(n) for n in re.findall(r"\d+(?:\.\d+)?", raw)]
            if match["dims"] and len(numbers) < 2:
                continue
            subjects = self.subjects(match.start())
            ok = any(all(n in v.numbers for n in numbers) for v in subjects)
            self.record(match.span(), ok, "the facts" if ok else "no item here measures that")

    def sizes(self) -> None:
        for match in self.doc.free_matches(_SIZES):
            raw = match["list"] or match["list2"] or match["one"]
            said = re.findall(rf"{_SIZE}(?![A-Za-z])|\d{{1,2}}", raw)
            if not said:
                continue
            known_sizes = {s for v in self.subjects(match.start()) for s in _item_sizes(v)}
            if not known_sizes:
                self.record(match.span(), False, "the facts give no sizes")
                continue
            missing = [s for s in said if s.upper() not in known_sizes]
            why = "the sizes" if not missing else f"no size {', '.join(missing)}"
            self.record(match.span(), not missing, why)

    def capacity(self) -> None:
        for match in self.doc.free_matches(_CAPACITY):
            count = any_number(next(g for g in match.groups() if g)) or 0
            said = rf"(?<![\d.]){count:g}\s*(?:person|people|人|seat)|(?:sleeps|seats) {count:g}\b"
            ok = any(re.search(said, v.text) for v in self.subjects(match.start()))
            self.record(match.span(), bool(ok), "the facts" if ok else "no such capacity")

    def origins(self) -> None:
        for match in self.doc.free_matches(_ORIGIN):
            place = normalise(match["x"] or match["zh"])
            subjects = self.subjects(match.start())
            if match["zh"]:
                ok = any(_place_ok(place, v.text) for v in subjects)
            else:
                ok = any(f" {place} " in f" {v.text} " for v in subjects)
            self.record(match.span(), ok, "the facts" if ok else f"no item here is from {place}")

    def made_of(self) -> None:
        """ "Made with / knit from X": every word of X the facts could say must be theirs."""
        for match in self.doc.free_matches(_MADE_OF):
            words = [w for w in normalise(match["x"]).split() if not w.isdigit()]
            words = [w for w in words if w not in _PLAIN and not re.fullmatch(_UNITS, w)]
            if not words:
                continue
            subjects = self.subjects(match.start())
            text = " ".join(v.text for v in subjects)
            missing = [w for w in words if not (stems(w) & set(text.split()))]
            if missing:
                self.record(match.span("x"), False, f"no item here is made of {' '.join(missing)}")

    def new(self) -> None:
        for match in self.doc.free_matches(_NEW):
            ok = any(
                v.item.new or re.search(r"\bnew\b|launch|新品|上新", v.text)
                for v in self.subjects(match.start())
            )
            self.record(match.span(), bool(ok), "new" if ok else "the facts do not say it is new")


def _place_ok(place: str, text: str) -> bool:
    """A Chinese place the facts give, whole or as its first part followed by words that are
    not another place ("云南临沧古树" when the facts say 云南临沧 and 古树; not "云南西双版纳"
    when they say 云南临沧)."""
    given = max((k for k in range(2, len(place) + 1) if place[:k] in text), default=0)
    if not given:
        return False
    rest = place[given:]
    return not rest or rest[0] in "的之地区县市省镇村产" or rest in text


def _item_sizes(view: ItemView) -> set[str]:
    out: set[str] = set()
    for key, leaf in flatten(view.item.attributes):
        if re.search(r"size|尺码|码", key, re.IGNORECASE) and leaf not in (None, False, True):
            out |= {p.strip().upper() for p in re.split(r"[,/、\s]+", str(leaf)) if p.strip()}
    return out


def find(doc: Document, known: Known) -> None:
    """Record every attribute claim."""
    found = _Attributes(doc, known)
    found.origins()
    found.capacity()
    found.shares()
    found.sizes()
    found.measures()
    found.new()
    found.lexicon_terms()
    found.made_of()
