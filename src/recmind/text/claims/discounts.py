"""Discounts: a percentage off (``20% off``, ``八折``, ``half price``, ``a third off``) must
be the offer's (or an item's own reduction); a multi-buy or gift ("buy one get one",
"满199减30", "买一送一") must be an offer the facts name; a sale, deal or ``优惠`` needs an
offer at all."""

from __future__ import annotations

import re

from recmind.text.claims.document import Document
from recmind.text.claims.known import Known
from recmind.text.claims.numbers import close, zhe_percent
from recmind.text.grounding.matching import normalise

_PERCENT = re.compile(r"(?P<num>\d+(?:\.\d+)?)\s?(?:%|percent\b|per cent\b)", re.IGNORECASE)
_DISCOUNT_CUE = re.compile(
    r"\b(?:off|discount(?:ed)?|save|saving|savings|sale|take|extra|up to|deal|code|reduction"
    r"|cheaper|less|offers?|coupons?|promo)\b|优惠|折扣|立减|立省|打折|促销|特价|活动",
    re.IGNORECASE,
)
_NOT_DISCOUNT = re.compile(
    r"^\s*(?:of\b|positive|satisfaction|recommend|好评|满意|回购|的(?:用户|顾客|买家))", re.I
)
_NOT_A_SUBSTANCE = frozenset(
    {"off", "discount", "savings", "saving", "on", "for", "at", "with", "when", "in", "today"}
    | {"this", "all", "everything", "your", "sitewide", "storewide", "until", "through"}
    | {"offer", "deal", "sale", "promo", "promotion", "coupon"}
)
"""Words after "N%" that make it no share of a material ("save 15% on the sweater")."""
_FRACTION = re.compile(
    r"\b(?:(?:save|take|get|knock)\s+)?(?:a|one)[- ](?P<frac>third|quarter|fifth)"
    r"(?:\s+off\b|(?=\s+(?:on|of)\b))|\bhalf[- ](?:price|off)\b|\bhalf the price\b"
    r"|\b(?:save|take)\s+half\b",
    re.IGNORECASE,
)
_FRACTIONS = {"third": 100 / 3, "quarter": 25.0, "fifth": 20.0}
_ZHE = re.compile(
    r"(?<![\d.])(?P<zhe>\d(?:\.\d)?|\d{2}|[一二三四五六七八九]{1,2})\s?折(?![叠扣腾射服磨纸线中])"
    r"|(?P<half>半价|五折优惠)"
)
_MULTIBUY = re.compile(
    r"\bbuy (?:one|1|two|2|three|3|any \w+)\b[^.!?]{0,40}?\bget\b[^.!?]{0,30}?"
    r"\b(?:free|half[- ](?:price|off)|\d+\s?% off)"
    r"|\bbuy (?:the|a|an)\b[^.!?]{0,40}?\bget\b[^.!?]{0,30}?\b(?:free|half[- ](?:price|off)"
    r"|\d+\s?% off)"
    r"|\bBOGO\b|\b(?:2|two) for (?:1|one)\b"
    r"|(?<![\d.,])\b[2-9] for (?:the price of )?[1-9]\b(?![.\d]|\s?(?:g|kg|ml|%))"
    r"|\bget (?:a|the) (?:second|third|2nd|3rd)(?: \w+)? (?:free|half[- ](?:price|off))"
    r"|\b(?:the )?second (?:one|item|pair)?\s*(?:is )?half[- ](?:price|off)"
    r"|\bfree gift\b|\bgift with (?:every )?purchase\b|\bfree sample"
    r"|买[一二两三四五六七八九十\d]+\S{0,4}送[一二两三四五六七八九十\d]+|第二件\S{0,3}(?:半价|折|免费)"
    r"|满\s*\d+\s*元?\s*(?:减|送|返)\s*\d*|买\S{1,6}送\S{1,6}|加\s*\d+\s*元换购|赠品|附赠|送礼品",
    re.IGNORECASE,
)
_GENERIC = re.compile(
    r"\bon sale\b|(?<!for )\bsale\b|\bdiscount(?:ed|s)?\b|\bdeals?\b(?!\s+with)|\breduced\b"
    r"|\bmarkdowns?\b|\bclearance\b|\bprice (?:drops?|cuts?)\b|\bspecial offers?\b"
    r"|\bpromo(?:tion)?s?\b|\bbargains?\b|\bsavings?\b|\bsave (?:on|big|more)\b"
    r"|\bwhile the price is low\b|\blower price\b"
    r"|优惠|折扣|打折|特价|促销|降价|直降|立减|立省|秒杀|清仓|让利|活动价|限时价|券后|大促|福利价|领券",
    re.IGNORECASE,
)


def _offer_percents(known: Known) -> list[float]:
    found = []
    offer = known.facts.offer
    if offer is not None and offer.discount_percent is not None:
        found.append(offer.discount_percent)
    for view in known.items:
        item = view.item
        if item.old_price and item.price is not None and item.old_price > 0:
            found.append(round(100 * (item.old_price - item.price) / item.old_price))
    return found


def _percent_verdict(value: float, known: Known, tolerance: float = 0.01) -> tuple[bool, str]:
    percents = _offer_percents(known)
    if not percents:
        return False, "the facts give no discount"
    if any(close(value, p, tolerance) for p in percents):
        return True, "the offer's discount"
    return False, f"the discount is {', '.join(f'{p:g}%' for p in percents)}"


def _about_attribute(doc: Document, end: int, known: Known) -> bool:
    """``100% cotton``, ``15% vitamin C``: a share of something the facts name."""
    after = doc.text[end : end + 24]
    if _NOT_DISCOUNT.search(after):
        return True
    word = re.match(r"\s*([A-Za-z]+|[\u3400-\u9fff]{1,3})", after)
    if word is None or word.group(1).lower() in _NOT_A_SUBSTANCE:
        return False
    head = normalise(word.group(1))
    return (
        bool(head) and (f" {head} " in f" {known.text} " or (len(head) <= 3 and head in known.text))
    ) or head in {"cotton", "wool", "silk", "linen", "polyester", "nylon", "cashmere"}


def find(doc: Document, known: Known) -> None:
    """Record every discount the text states."""
    offer = known.facts.offer
    for match in doc.free_matches(_MULTIBUY, over_names=True):
        extra = " ".join(str(v) for v in (offer.model_extra or {}).values()) if offer else ""
        named = offer is not None and normalise(match.group()) in normalise(
            f"{offer.name or ''} {extra}"
        )
        why = "the offer" if named else "the facts give no such multi-buy offer or gift"
        doc.record(*match.span(), "discount", named, why)
    for match in doc.free_matches(_PERCENT, over_names=True):
        if _about_attribute(doc, match.end(), known):
            continue
        sentence = doc.sentence_text(match.start())
        if not _DISCOUNT_CUE.search(sentence):
            continue
        ok, why = _percent_verdict(float(match["num"]), known)
        doc.record(*match.span(), "discount", ok, why)
    for match in doc.free_matches(_FRACTION, over_names=True):
        value = _FRACTIONS.get((match["frac"] or "").lower(), 50.0)
        ok, why = _percent_verdict(value, known, tolerance=0.5)
        doc.record(*match.span(), "discount", ok, why)
    for match in doc.free_matches(_ZHE, over_names=True):
        off = 50.0 if match["half"] else zhe_percent(match["zhe"])
        if off is None:
            continue
        ok, why = _percent_verdict(off, known)
        doc.record(*match.span(), "discount", ok, why)
    for match in doc.free_matches(_GENERIC, over_names=True):
        ok = bool(_offer_percents(known)) or (offer is not None and offer.amount_off is not None)
        doc.record(*match.span(), "discount", ok, "the offer" if ok else "the facts give no offer")
