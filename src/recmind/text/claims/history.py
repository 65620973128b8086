"""Claims about the person and about likeness. "You recently enjoyed X" needs X in their
history, rated highly (4 of 5 or more; "liked" 3 or more) and among their latest items;
"you watched it three times" a count that large. "Shares themes with X", "like X",
"和《X》有相似的主题" need X to share a tag (not a decade) with the item recommended."""

from __future__ import annotations

import re
from dataclasses import dataclass

from recmind.text.claims.document import Document
from recmind.text.claims.facts import HistoryFacts
from recmind.text.claims.known import Known
from recmind.text.claims.numbers import any_number
from recmind.text.grounding.matching import normalise

STRONG = 0.8
"""Share of the rating scale "enjoyed", "loved" and "很喜欢" need (4 of 5)."""
LIKE = 0.6
"""Share of the rating scale "liked" and "喜欢" need (3 of 5)."""
_SUBJECT = re.compile(
    r"\b(?:you|you've|you'd|they|they've|the customer|this customer|a customer|customer"
    r"|someone|he|she|the user|this user)\b|你|您|他|她|顾客|用户|客户",
    re.IGNORECASE,
)
_VERB = re.compile(
    r"\b(?P<strong>enjoyed|loved|adored|really liked|raved about|couldn't get enough of"
    r"|(?:were|are) (?:a )?(?:big |huge )?fans? of|rated (?:it |them )?highly|favou?rited"
    r"|gave (?:it |them )?(?:\w+ )?(?:high|top|five|5|four|4)[- ]stars?)\b"
    r"|\b(?P<like>liked|rated|appreciated|were into|were drawn to)\b"
    r"|\b(?P<seen>watched|viewed|saw|seen|bought|purchased|ordered|browsed|looked at"
    r"|checked out|picked|chose|engaged with|tried|read|listened to|played)\b"
    r"|(?P<zhstrong>很喜欢|非常喜欢|超喜欢|最爱|钟爱|热爱|爱看|喜爱|打了高分|给了高分)"
    r"|(?P<zhlike>喜欢|欣赏)"
    r"|(?P<zhseen>看过|看了|买过|购买过|买了|浏览过|收藏了|加购了|选择了)",
    re.IGNORECASE,
)
_HYPOTHETICAL = re.compile(
    r"\b(?:if|when|will|'ll|would|'d|might|may|could|should|to)\s+(?:\w+\s+)?$"
    r"|(?:如果|要是|也许会|会|可能)\S{0,2}$",
    re.IGNORECASE,
)
_RECENT = re.compile(
    r"\b(?:recently|lately|just|last week|this week|the other day|latest)\b|最近|近期|刚刚|刚",
    re.IGNORECASE,
)
_TIMES = re.compile(
    r"\b(?P<n>\d+|two|three|four|five|six|several|many|multiple)\s+times\b|\btwice\b"
    r"|\bagain and again\b|\brepeatedly\b|(?P<zh>\d+|[两三四五六七八九十几多]+)\s*(?:次|遍)",
    re.IGNORECASE,
)
_LIKENESS = re.compile(
    r"\bshares?\b[^.;!?]{0,60}?\bwith\b|\bsimilar\b(?:\s+\w+){0,4}?\s+(?:to|as|with)\b"
    r"|\b(?:just |much )?like(?=\s+(?:the\s+)?[A-Z\"“])|\bin the (?:vein|spirit|style|tradition)"
    r" of\b|\breminiscent of\b|\bthe same\b(?:\s+[\w-]+){0,4}?\s+as\b|\bechoes\b|\bevokes\b"
    r"|(?:和|与|跟)(?=\s*《[^》]+》\s*(?:有|有着|拥有|具有)?\s*(?:相似|类似|相同|一样))"
    r"|类似于?|像(?=\s*《)",
    re.IGNORECASE,
)
_DECADE = re.compile(r"^\d{4}s?$|^\d{2,4}0s$|\d{4}年代|年代$")


@dataclass(frozen=True)
class _Title:
    start: int
    end: int
    where: str
    index: int


def _titles(doc: Document, known: Known, start: int, end: int) -> list[_Title]:
    found: list[_Title] = []
    if known.title_pattern is None:
        return found
    for match in known.title_pattern.finditer(doc.text, start, end):
        where = known.item_at(normalise(match.group()))
        if where is not None:
            found.append(_Title(match.start(), match.end(), where[0], where[1]))
    return found


def _topical(tags: list[str]) -> set[str]:
    return {normalise(t) for t in tags if not _DECADE.search(normalise(t))}


def _tags(known: Known, title: _Title) -> set[str]:
    if title.where == "history":
        return _topical(known.facts.history[title.index].tags)
    view = known.items[title.index]
    genres = [
        str(v)
        for k, v in view.item.attributes.items()
        if re.search("genre|类型", k)
        for v in (v if isinstance(v, list) else [v])
    ]
    return _topical([*view.item.tags, *genres])


def _enough(entry: HistoryFacts, level: str) -> bool:
    if level == "seen":
        return True
    if entry.rating is None:
        return False
    share = STRONG if level == "strong" else LIKE
    return entry.rating >= share * entry.rating_scale - 1e-9


def _history_claim(doc: Document, known: Known, match: re.Match[str]) -> None:
    start, end = doc.sentence(match.start())
    before = doc.text[start : match.start()]
    if not _SUBJECT.search(before) and not re.match(
        r"\s*《[^》]+》的(?:你|您)", doc.text[match.end() :]
    ):
        return
    if _HYPOTHETICAL.search(before):
        return
    level = next(k for k, v in match.groupdict().items() if v).removeprefix("zh")
    window = doc.text[max(start, match.start() - 25) : min(end, match.end() + 12)]
    recent = bool(_RECENT.search(window))
    titles = [t for t in _titles(doc, known, match.end(), end) if t.where == "history"]
    first = _titles(doc, known, match.end(), min(end, match.end() + 4))
    if first and first[0].where == "item":
        doc.record(match.start(), first[0].end, "history", False, "not in their history")
        return
    if not titles:
        pool = [e for e in known.facts.history if (e.recent or not recent) and _enough(e, level)]
        why = "their history" if pool else "no such item in their history"
        doc.record(*match.span(), "history", bool(pool), why)
        return
    for title in titles:
        entry = known.facts.history[title.index]
        ok, why = True, "their history"
        if not _enough(entry, level):
            ok = False
            rated = (
                f"rated {entry.rating:g} of {entry.rating_scale:g}" if entry.rating else "unrated"
            )
            why = f"{entry.title} was {rated}"
        elif recent and not entry.recent:
            ok, why = False, f"{entry.title} is not among their latest"
        doc.record(match.start(), title.end, "history", ok, why, cover=False)
    doc.cover(*match.span())


def _times_claim(doc: Document, known: Known, match: re.Match[str]) -> None:
    start, _ = doc.sentence(match.start())
    if not _SUBJECT.search(doc.text[start : match.start()]):
        return
    raw = match.group("n") or match.group("zh") or ""
    count = any_number(raw) or (2.0 if "twice" in match.group().lower() else 3.0)
    titles = _titles(doc, known, start, match.start())
    entries = [known.facts.history[t.index] for t in titles if t.where == "history"]
    ok = bool(entries) and all((e.times or 0) >= count for e in entries)
    doc.record(*match.span(), "history", ok, "their history" if ok else "no such count")


def _likeness(doc: Document, known: Known, match: re.Match[str]) -> None:
    start, end = doc.sentence(match.start())
    named = _titles(doc, known, start, end)
    targets = [t for t in named if t.where == "item"] or [
        _Title(0, 0, "item", v.index) for v in known.items
    ]
    objects = [t for t in _titles(doc, known, match.end(), end) if t.start - match.end() < 60]
    objects = [
        o
        for o in objects
        if not (
            o.where == "item"
            and any(o.index == t.index and t.where == "item" for t in targets)
            and len(targets) == 1
        )
    ]
    target_tags = set().union(*(_tags(known, t) for t in targets)) if targets else set()
    if not objects:
        if match.group().lower().strip().endswith("like") or not (
            known.facts.history or any(v.item.tags for v in known.items)
        ):
            return
        pool = [_topical(e.tags) for e in known.facts.history] or [
            _tags(known, _Title(0, 0, "item", v.index)) for v in known.items
        ]
        ok = any(target_tags & tags for tags in pool)
        doc.record(*match.span(), "similarity", ok, "shared tags" if ok else "no shared tags")
        return
    for obj in objects:
        shared = target_tags & _tags(known, obj)
        name = doc.text[obj.start : obj.end]
        why = f"shares {', '.join(sorted(shared))}" if shared else f"shares no tag with {name}"
        doc.record(match.start(), obj.end, "similarity", bool(shared), why, cover=False)
    doc.cover(*match.span())


def find(doc: Document, known: Known) -> None:
    """Record claims about the person's history and about likeness between titles."""
    for match in doc.free_matches(_LIKENESS, over_names=True):
        _likeness(doc, known, match)
    for match in doc.free_matches(_VERB, over_names=True):
        _history_claim(doc, known, match)
    for match in doc.free_matches(_TIMES, over_names=True):
        _times_claim(doc, known, match)
