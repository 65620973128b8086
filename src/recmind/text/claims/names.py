"""Names the facts do not give: quoted titles ("《阳光灿烂的日子》", "“Aurora Lamp”") and
capitalised names inside a sentence ("our Merino Beanie", "No Country for Old Men") that no
item, history entry, brand, person or attribute contains: invented products, brands and
places."""

from __future__ import annotations

import re

from recmind.text.claims.document import CJK, Document
from recmind.text.claims.known import Known, stems
from recmind.text.claims.products import noun as _noun
from recmind.text.grounding.matching import normalise

_ALLOWED_WORDS = """
i ok hi hello hey dear thanks thank you team ps psst note heads faq email sms monday
tuesday wednesday thursday friday saturday sunday january february march april may june
july august september october november december spring summer autumn fall winter
christmas xmas halloween easter thanksgiving valentine valentines mother mothers father
fathers day new year eve holiday holidays weekend english chinese french german spanish
italian japanese american british european uk us usa eu shop now buy order free shipping
sale get save learn more discover explore add cart checkout view details today click
here yours love collection online store home mr mrs ms dr st
reply stop unsubscribe help start yes txt opt
"""
ALLOWED = frozenset(_ALLOWED_WORDS.split())
_MARKETING = frozenset(
    [
        "deal",
        "deals",
        "offer",
        "offers",
        "sale",
        "picks",
        "pick",
        "edit",
        "guide",
        "ideas",
        "gift",
        "gifts",
        "bundle",
        "bundles",
        "set",
        "sets",
        "drop",
        "restock",
        "alert",
        "update",
        "news",
        "review",
        "reviews",
        "week",
        "weekend",
        "day",
        "days",
    ]
)
"""Words a headline puts after a title that name no model ("Pulse Mini Deals")."""
_LEADING = frozenset(
    [
        "our",
        "your",
        "my",
        "the",
        "a",
        "an",
        "this",
        "these",
        "meet",
        "try",
        "introducing",
        "discover",
        "shop",
        "get",
        "new",
        "all",
        "every",
        "hi",
        "dear",
        "subject",
        "re",
        "fwd",
    ]
)
"""Words that open a run of capitals without being part of a name ("Our Dutch Oven")."""
"""Capitalised words that never need a fact (greetings, days, seasons, calls to action)."""
_QUOTED = re.compile(
    r"\"(?!\s)(?P<a>[^\"]{1,80})(?<!\s)\"|“(?P<b>[^”]{1,80})”|《(?P<c>[^》]{1,60})》"
    r"|「(?P<d>[^」]{1,60})」|«(?P<e>[^»]{1,80})»|(?<![\w'])'(?!\s)(?P<f>[^']{2,60})(?<!\s)'(?![\w'])"
)
_TOKEN = re.compile(r"[A-Z][A-Za-z0-9'&-]*")
_CONNECTORS = {"of", "the", "and", "&", "for", "a", "in", "de", "la"}


class _Names:
    def __init__(self, doc: Document, known: Known) -> None:
        self.doc = doc
        self.known = known

    def known_words(self, words: list[str]) -> bool:
        return all(
            w in ALLOWED or bool(stems(w) & self.known.words) or w in _CONNECTORS for w in words
        )

    def quotes(self) -> None:
        for match in _QUOTED.finditer(self.doc.text):
            group = next(k for k, v in match.groupdict().items() if v is not None)
            quoted = match[group]
            key = normalise(quoted)
            inner = match.span(group)
            if not key or not self.doc.is_free(*inner, over_names=False):
                continue  # a title the facts give, or a claim already judged
            if key in self.known.titles or key in self.known.text or self.known_words(key.split()):
                continue
            name_like = (
                group in {"c", "d"}
                or bool(CJK.search(quoted) and len(key) <= 12)
                or (len(key.split()) <= 8 and quoted.strip()[:1].isupper())
            )
            if name_like:
                self.doc.record(*inner, "product", False, "a name none of the items has")
            elif 3 <= len(key.split()) <= 20:
                self.doc.record(*inner, "quote", False, "a quotation the facts do not give")

    def headline(self, start: int) -> bool:
        words = re.findall(r"[A-Za-z][\w'-]*", self.doc.sentence_text(start))
        capital = [w for w in words if w[0].isupper()]
        return len(words) >= 3 and len(capital) >= 0.6 * len(words)

    def sentence_start(self, start: int) -> bool:
        before = self.doc.text[self.doc.sentence(start)[0] : start]
        return not before.strip() or bool(re.search(r"[:\"“(\[—-]\s*$|^\W*$", before))

    def capitalised(self) -> None:
        run: list[re.Match[str]] = []
        for match in _TOKEN.finditer(self.doc.text):
            start = match.start()
            previous = self.doc.text[start - 1] if start else " "
            if previous.isascii() and (previous.isalnum() or previous == "_"):
                continue
            if not self._unknown(match):
                self._flush(run)
                run = []
                continue
            gap = self.doc.text[run[-1].end() : start] if run else ""
            if run and (not gap.strip() or gap.strip().lower() in _CONNECTORS):
                run.append(match)
            else:
                self._flush(run)
                run = [match]
        self._flush(run)

    def _unknown(self, match: re.Match[str]) -> bool:
        start, end = match.span()
        if not self.doc.is_free(start, end) or self.sentence_start(start) or self.headline(start):
            return False
        token = re.sub(r"'s$", "", match.group())
        if len(token) == 1:
            return False  # an initial ("P.S.", "T-shirt"), not a name
        if CJK.search(self.doc.text[max(0, start - 1) : end + 1]):
            return token.lower() not in self.known.text.replace(" ", "")
        return not self.known_words(normalise(token).split())

    def composed(self) -> None:
        """Capitalised runs made of known words that name a product no item is ("our
        Selvedge Denim Jacket" when the facts have selvedge jeans and a chore jacket)."""
        judged = [(c.start, c.end) for c in self.doc.claims if c.kind != "attribute"]
        spans = [*self.doc.names, *judged]
        run: list[re.Match[str]] = []
        for match in [*_TOKEN.finditer(self.doc.text), None]:
            if match is not None:
                start, end = match.span()
                free = not any(start < e and s < end for s, e in spans)
                gap = self.doc.text[run[-1].end() : start] if run else ""
                mid = not self.sentence_start(start) and not self.headline(start)
                if free and mid and (not run or not gap.strip() or gap.strip() in _CONNECTORS):
                    run.append(match)
                    continue
            if len(run) >= 2:
                phrase = normalise(self.doc.text[run[0].start() : run[-1].end()])
                last = phrase.split()[-1]
                if (
                    _noun(last)
                    and phrase not in self.known.text
                    and phrase not in self.known.titles
                ):
                    self._flush(run)
            run = []

    def variants(self) -> None:
        """An unknown capitalised word in a run of capitalised words with an item's own title
        word names a model or product no item is ("the Pulse Max" when the facts have the
        Pulse Mini, "our Grain-Free Lamb Dog Food" when they have salmon), even at the start
        of a sentence or in a headline, where lone capitals are not read as names."""
        title_words = {w for v in self.known.items for w in v.keywords}
        runs: list[list[re.Match[str]]] = []
        for match in _TOKEN.finditer(self.doc.text):
            gap = self.doc.text[runs[-1][-1].end() : match.start()] if runs else "."
            if gap in {" ", "-"}:
                runs[-1].append(match)
            else:
                runs.append([match])
        for run in runs:
            words = [normalise(re.sub(r"'s$", "", m.group())) for m in run]
            if len(run) < 2 or not any(
                stems(w) & title_words for word in words for w in word.split()
            ):
                continue
            for match, word in zip(run, words, strict=True):
                if not word or not self.doc.is_free(*match.span()):
                    continue
                if word in ALLOWED or word in _MARKETING or self.known_words(word.split()):
                    continue
                if word in _LEADING or self.sentence_start(match.start()):
                    continue
                self._flush([match])

    def _flush(self, run: list[re.Match[str]]) -> None:
        if run:
            self.doc.record(
                run[0].start(),
                run[-1].end(),
                "product",
                False,
                "a name none of the facts gives (an invented product, brand or place)",
            )


def find_quotes(doc: Document, known: Known) -> None:
    """Record quoted names (and quotations) the facts do not give."""
    _Names(doc, known).quotes()


def find(doc: Document, known: Known) -> None:
    """Record capitalised names the facts do not give (after every other finder, so words
    already judged, "Black Friday" or "Italy", are not names)."""
    names = _Names(doc, known)
    names.capitalised()
    names.composed()
    names.variants()
