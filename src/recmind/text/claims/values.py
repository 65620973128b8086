"""Attribute values a text states as one choice among known alternatives, each checked
against the value the facts give: a number right after an attribute's name ("Bluetooth
5.0"), a rating or standard code in another grade ("IPX4" for IPX7), one of a closed set of
alternatives (a tea's grade 特级 / 一级, 生茶 / 熟茶, a fit, a roast, the skin types a
cosmetic suits), a list of colours with one the facts do not give ("teal, black and coral"),
a material said to be pure ("纯棉", "pure linen") when the facts give a blend, and a scent
("a light lavender scent") when the facts give another or none."""

from __future__ import annotations

import re
from collections.abc import Iterator

from recmind.text.claims import lexicon
from recmind.text.claims.document import Document
from recmind.text.claims.known import ItemView, Known, flatten
from recmind.text.claims.numbers import close, figures_in
from recmind.text.grounding.matching import normalise

_ALTERNATIVES: tuple[dict[str, str], ...] = (
    {"特级": "特级", "一级": "一级", "二级": "二级", "三级": "三级"},
    {
        "raw pu-erh": r"生茶|生普|\braw pu-?erh",
        "ripe pu-erh": r"熟茶|熟普|\bripe pu-?erh",
        "green tea": r"绿茶|\bgreen tea",
        "black tea": r"红茶|\bblack tea",
        "white tea": r"白茶|\bwhite tea",
        "oolong": r"乌龙|\boolong",
        "dark tea": r"黑茶",
    },
    {
        "light roast": r"浅烘|浅焙|\blight roast",
        "medium roast": r"中烘|中焙|\bmedium roast",
        "dark roast": r"深烘|深焙|\bdark roast",
    },
    {
        "slim": r"修身|\bslim(?:[- ]fit)?\b|\bskinny\b",
        "regular": r"常规版|\bregular[- ]fit\b",
        "relaxed": r"宽松|\brelaxed(?:[- ]fit)?\b|\bloose[- ]fit",
        "oversized": r"\boversized?\b|落肩",
    },
    {
        "dry skin": r"干皮|干性|\bdry\b(?=[\w ,/-]{0,30}\bskin)",
        "oily skin": r"油皮|油性|\boily\b(?=[\w ,/-]{0,30}\bskin)",
        "combination skin": r"混合性|混油|混干|\bcombination\b(?=[\w ,/-]{0,30}\bskin)",
        "sensitive skin": r"敏感肌|\bsensitive\b(?=[\w ,/-]{0,30}\bskin)",
        "normal skin": r"中性肌|\bnormal\b(?=[\w ,/-]{0,30}\bskin)",
        "acne-prone skin": r"痘肌|\bacne[- ]prone\b|\bblemish[- ]prone\b",
        "mature skin": r"熟龄肌|\bmature\b(?=[\w ,/-]{0,30}\bskin)",
    },
    {
        "puppy": r"\bpupp(?:y|ies)\b|幼犬",
        "kitten": r"\bkittens?\b|幼猫",
        "adult": r"\badult (?:dogs?|cats?)\b|成犬|成猫",
        "senior": r"\bsenior (?:dogs?|cats?)\b|\bseniors?\b(?= dogs?| cats?)|老年犬|老年猫",
        "all life stages": r"\ball life stages\b|全犬期|全猫期|全阶段",
    },
    {
        "paperback": r"\bpaperback\b|\bsoftcover\b|平装",
        "hardcover": r"\bhardcover\b|\bhardback\b|精装",
        "ebook": r"\be-?books?\b|\bkindle edition\b|电子书",
        "audiobook": r"\baudiobooks?\b|有声书",
    },
)
"""Closed sets of alternatives: a text's choice is read only where the facts of the items
it is about choose from the same set (so "绿茶" says nothing of a coffee)."""
_CODE = re.compile(r"(?<![\w-])(?P<prefix>[A-Za-z]{2,6})[ -]?(?P<digits>\d{1,3})(?![\w.]*\d)")
_COLOUR_WORD = r"[A-Za-z]+(?:[ -][A-Za-z]+)?"
_COLOUR_LIST = re.compile(
    r"\b(?:in|comes in|available in|choose from|colou?rs?:?|shades?:?)\s+"
    rf"(?P<list>{_COLOUR_WORD}(?:,\s*{_COLOUR_WORD})*,?\s+(?:and|or|&)\s+{_COLOUR_WORD})",
    re.IGNORECASE,
)
_PURE = re.compile(r"(?:\bpure\s+|\ball[- ]|(?<![\u4e00-\u9fff])纯|(?<![\u4e00-\u9fff])全)$", re.I)
_BLEND = re.compile(r"blend|mix|混纺|混|/|\+|\band\b|&|,|、", re.IGNORECASE)
_SCENT = re.compile(
    r"\b(?P<w>[A-Za-z-]+)\s+(?:scent|fragrance|aroma)s?\b(?![- ]?free)"
    r"|\bscented with (?:a )?(?:(?:hint|touch|note)s? of )?(?P<w2>[A-Za-z-]+)"
    r"|\bsmells? (?:of|like) (?P<w3>[A-Za-z-]+)",
    re.IGNORECASE,
)
_PLAIN_SCENT = frozenset(
    {
        "a",
        "an",
        "the",
        "its",
        "our",
        "their",
        "light",
        "subtle",
        "fresh",
        "natural",
        "delicate",
        "lovely",
        "soft",
        "gentle",
        "clean",
        "beautiful",
        "signature",
        "warm",
        "sweet",
        "faint",
        "mild",
        "pleasant",
        "rich",
        "deep",
        "bold",
        "full",
        "wonderful",
        "amazing",
        "great",
        "nice",
        "heavenly",
        "inviting",
        "comforting",
        "cosy",
        "cozy",
        "calming",
        "relaxing",
        "uplifting",
        "invigorating",
        "irresistible",
        "enticing",
    }
)
_NO_SCENT = re.compile(r"fragrance[- ]free|unscented|scent[- ]free|无香|no fragrance", re.I)
_NOT_A_NOTE = frozenset(
    {"no", "without", "zero", "any", "free", "of", "fragrance", "scent", "added"}
)


_FREE_OF = re.compile(
    r"^(?:无|不含|零|0)(?P<zh>[\u4e00-\u9fff]{1,4})$|^(?P<en>[a-z][a-z ]{1,20}?)[ _-]free$"
    r"|^(?:free of|no|without) (?P<en2>[a-z][a-z ]{1,20})$",
    re.IGNORECASE,
)
_NEGATION = re.compile(
    r"(?:\b(?:no|without|zero|free of|free from|not|never)\s+(?:added\s+)?|无|不含|不加|零|0|不)$",
    re.IGNORECASE,
)


def _raw(view: ItemView) -> str:
    """The item's facts as written (keys, values, title, tags), lower-cased."""
    parts = [view.item.title, *view.item.tags]
    for key, leaf in flatten({**view.item.attributes, **view.item.extra_fields()}):
        parts.append(key.replace("_", " "))
        if leaf not in (None, False, True):
            parts.append(str(leaf))
    return " ; ".join(parts).lower()


def _leaves(view: ItemView) -> Iterator[tuple[str, str]]:
    for key, leaf in flatten({**view.item.attributes, **view.item.extra_fields()}):
        if leaf not in (None, False, True):
            yield normalise(key.replace("_", " ")), str(leaf)


class _Values:
    def __init__(self, doc: Document, known: Known) -> None:
        self.doc = doc
        self.known = known

    def subjects(self, position: int) -> list[ItemView]:
        return self.known.subjects(self.doc, position)

    def record(self, span: tuple[int, int], ok: bool, why: str) -> None:
        self.doc.record(*span, "attribute", ok, why)

    def keyed_numbers(self) -> None:
        """A number right after an attribute's name must be that attribute's."""
        keys = {key for v in self.known.items for key, leaf in _leaves(v) if figures_in(leaf)}
        for key in sorted(keys, key=len, reverse=True):
            if len(key) < 2 or key.isdigit():
                continue
            body = r"[\s_-]?".join(re.escape(w) for w in key.split())
            pattern = re.compile(
                rf"(?<![A-Za-z]){body}(?![A-Za-z])\s*(?:v(?:ersion)?\.?\s*|:\s*|of\s+)?"
                r"(?P<n>\d+(?:\.\d+)?)(?![\d.]*\d)",
                re.IGNORECASE,
            )
            for match in self.doc.free_matches(pattern):
                given = [
                    n
                    for v in self.subjects(match.start())
                    for k, leaf in _leaves(v)
                    if k == key
                    for n in figures_in(leaf)
                ]
                if not given:
                    continue
                said = float(match["n"])
                ok = any(close(said, n, 0.005) for n in given)
                why = (
                    "the facts"
                    if ok
                    else f"the facts give {key} {', '.join(f'{n:g}' for n in given)}"
                )
                self.record(match.span(), ok, why)

    def codes(self) -> None:
        """A rating or standard code ("IPX4", "SPF30") in another grade than the facts'."""
        given: dict[str, set[str]] = {}
        for view in self.known.items:
            for _, leaf in _leaves(view):
                for match in _CODE.finditer(leaf):
                    given.setdefault(match["prefix"].lower(), set()).add(match["digits"])
        for match in self.doc.free_matches(_CODE):
            prefix = match["prefix"].lower()
            if prefix not in given or not match["prefix"].isupper():
                continue
            ok = match["digits"] in given[prefix]
            self.record(
                match.span(),
                ok,
                "the facts"
                if ok
                else f"the facts give {prefix.upper()}{'/'.join(sorted(given[prefix]))}",
            )

    def alternatives(self) -> None:
        for options in _ALTERNATIVES:
            compiled = {name: re.compile(rx, re.IGNORECASE) for name, rx in options.items()}
            for name, pattern in compiled.items():
                for match in self.doc.free_matches(pattern):
                    chosen = {
                        other
                        for v in self.subjects(match.start())
                        for other, rx in compiled.items()
                        if rx.search(_raw(v)) or f" ; {other} ; " in f" ; {_raw(v)} ; "
                    }
                    if not chosen:
                        continue  # the facts do not choose from this set
                    ok = name in chosen
                    why = "the facts" if ok else f"the facts say {', '.join(sorted(chosen))}"
                    self.record(match.span(), ok, why)

    def colour_lists(self) -> None:
        """In a list with a known colour, a word no lexicon knows must be in the facts."""
        for match in self.doc.free_matches(_COLOUR_LIST):
            start = match.start("list")
            words = list(re.finditer(r"[^,&]+", match["list"]))
            entries = []
            for word in words:
                text = re.sub(r"^\s*(?:and|or)\s+|\s+$", "", word.group(), flags=re.I)
                for part in re.split(r"\s+(?:and|or)\s+", text):
                    offset = start + word.start() + word.group().find(part)
                    entries.append((part.strip(), offset))
            known = [lexicon.canonical_of(e) for e, _ in entries]
            if not any(k and k[0] == "colour" for k in known):
                continue
            facts = " ".join(_raw(v) for v in self.subjects(match.start()))
            for (entry, offset), found in zip(entries, known, strict=True):
                if found is None and entry and normalise(entry) not in normalise(facts):
                    self.record((offset, offset + len(entry)), False, f"no item here is {entry}")

    def purity(self) -> None:
        """ "纯棉", "pure linen": the facts must say it is pure, or give it unmixed."""
        for match in self.doc.free_matches(lexicon.pattern()):
            found = lexicon.canonical_of(match.group())
            if found is None or found[0] != "material":
                continue
            before = self.doc.text[max(0, match.start() - 6) : match.start()]
            prefix = _PURE.search(before)
            if not prefix and not match.group().startswith(("纯", "全")):
                continue
            surfaces = lexicon.supporting_surfaces(found[1])
            ok = False
            for view in self.subjects(match.start()):
                for _, leaf in _leaves(view):
                    value = leaf.lower()
                    if not any(s in value for s in surfaces):
                        continue
                    if re.search(r"100\s?%|pure|纯|全", value) or not _BLEND.search(value):
                        ok = True
            start = prefix.start() + max(0, match.start() - 6) if prefix else match.start()
            why = "the facts" if ok else f"the facts give a blend, not pure {found[1]}"
            self.record((start, match.end()), ok, why)

    def scents(self) -> None:
        for match in self.doc.free_matches(_SCENT):
            word = (match["w"] or match["w2"] or match["w3"] or "").lower()
            before = self.doc.text[max(0, match.start() - 20) : match.start()]
            if word in _NOT_A_NOTE or re.search(r"\b(?:no|without|zero|free of|not)\s*$", before):
                continue
            subjects = self.subjects(match.start())
            raws = [_raw(v) for v in subjects]
            if any(_NO_SCENT.search(r) for r in raws) or any(
                v.denies(["scent", "fragrance"]) for v in subjects
            ):
                self.record(match.span(), False, "the facts say it is fragrance-free")
                continue
            ok = word in _PLAIN_SCENT or any(word in r for r in raws)
            self.record(match.span(), ok, "the facts" if ok else f"the facts give no {word} scent")


def _denied_terms(view: ItemView) -> set[str]:
    """What an item is said to be free of: a true ``无酒精`` / ``grain_free`` / ``no_parabens``
    key, or such a value ("alcohol-free")."""
    found = set()
    for key, leaf in flatten({**view.item.attributes, **view.item.extra_fields()}):
        for said in ([key.replace("_", " ")] if leaf is True else []) + (
            [str(leaf)] if isinstance(leaf, str) else []
        ):
            match = _FREE_OF.match(said.strip())
            if match:
                found.add((match["zh"] or match["en"] or match["en2"]).strip().lower())
    return {t for t in found if len(t) >= 2}


def _contains_denied(doc: Document, known: Known) -> None:
    """A text saying an item contains what its facts say it is free of ("添加酒精" of an
    alcohol-free serum)."""
    for view in known.items:
        for term in _denied_terms(view):
            pattern = re.compile(
                re.escape(term)
                if re.search(r"[\u4e00-\u9fff]", term)
                else rf"\b{re.escape(term)}s?\b",
                re.IGNORECASE,
            )
            for match in doc.free_matches(pattern):
                before = doc.text[max(0, match.start() - 12) : match.start()]
                after = doc.text[match.end() : match.end() + 6]
                if _NEGATION.search(before) or re.match(r"[\s-]?free\b", after, re.IGNORECASE):
                    continue
                if view not in known.subjects(doc, match.start()):
                    continue
                doc.record(*match.span(), "attribute", False, f"the facts say it is free of {term}")


def find(doc: Document, known: Known) -> None:
    """Record every attribute value stated as a choice among alternatives."""
    _contains_denied(doc, known)
    values = _Values(doc, known)
    values.keyed_numbers()
    values.codes()
    values.scents()
    values.purity()
    values.alternatives()
    values.colour_lists()
