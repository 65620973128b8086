"""Prices and other amounts of money: each must be, in the items' currency and to the cent,
a price, a price before a reduction, a price after the offer, a saving, a spend threshold of
a policy, or a sum of prices. Words around it narrow which: "was" / "原价" a price,
"now" / "到手价" a price, "save" / "立省" a saving, "over" / "满" a threshold, "under" /
"不到" a bound every price named must respect, "from" / "起" the lowest price."""

from __future__ import annotations

import re
from collections.abc import Iterable
from itertools import combinations

from recmind.text.claims.document import Document
from recmind.text.claims.known import Known, flatten
from recmind.text.claims.numbers import (
    CN_DIGITS,
    CN_NUMBER,
    SPELLED,
    chinese_number,
    close,
    parse_number,
    spelled_number,
)

_AMOUNT = r"(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:[.,]\d{1,2})?)"
_SYMBOL = re.compile(
    r"(?P<sym>US\$|HK\$|NT\$|AU\$|A\$|CA\$|C\$|S\$|NZ\$|CN¥|R\$|\$|€|£|¥|₩|₹"
    r"|(?:USD|EUR|GBP|CNY|RMB|JPY|HKD|AUD|CAD)(?=\s?\d))\s?" + _AMOUNT,
)
_WORD = re.compile(
    _AMOUNT + r"\s?(?P<word>元|块钱|块|人民币|美元|美金|欧元|英镑|日元|円|港币"
    r"|(?:USD|EUR|GBP|CNY|RMB|JPY|HKD|AUD|CAD|dollars?|euros?|bucks|quid)\b)",
    re.IGNORECASE,
)
_SPELLED = re.compile(
    rf"(?<![\w-])(?P<spelled>{SPELLED})\s+(?P<word>dollars?|euros?|bucks|quid|pounds?|yuan)\b"
    rf"(?:\s+(?:and\s+)?(?P<cents>{SPELLED})\s+(?:cents?|pence|p)\b)?"
    rf"|(?<![\d{CN_DIGITS}十百千万])(?P<cn>{CN_NUMBER})(?P<cnword>元|块钱)(?P<jiao>{CN_NUMBER}角)?",
    re.IGNORECASE,
)
"""An amount in words: "twenty-two dollars", "三百六十八元"."""
_CUED = re.compile(
    r"(?:\b(?:only|just|now|for|at|price[ds]?(?: at)?|costs?|was|originally|from|starting at"
    r"|under|below)\s+)(?P<num>\d+\.\d{2})\b"
    r"|(?:售价|价格|到手价|现价|原价|特价|仅售|只要|只需|仅需|低至|立省|立减|直降|券后价?|折后价?)"
    r"\s*(?P<num2>\d+(?:\.\d+)?)(?!\s*(?:%|折|件|个|双|瓶|支|天|年|小时|克|毫升|[Ww]|\d))",
    re.IGNORECASE,
)
CURRENCIES = {
    "$": {"USD", "CAD", "AUD", "NZD", "HKD", "SGD", "TWD", "MXN"},
    "us$": {"USD"},
    "hk$": {"HKD"},
    "nt$": {"TWD"},
    "a$": {"AUD"},
    "au$": {"AUD"},
    "c$": {"CAD"},
    "ca$": {"CAD"},
    "s$": {"SGD"},
    "nz$": {"NZD"},
    "r$": {"BRL"},
    "cn¥": {"CNY"},
    "€": {"EUR"},
    "£": {"GBP"},
    "¥": {"CNY", "JPY"},
    "₩": {"KRW"},
    "₹": {"INR"},
    "元": {"CNY", "TWD", "HKD"},
    "块": {"CNY"},
    "块钱": {"CNY"},
    "人民币": {"CNY"},
    "rmb": {"CNY"},
    "美元": {"USD"},
    "美金": {"USD"},
    "欧元": {"EUR"},
    "英镑": {"GBP"},
    "日元": {"JPY"},
    "円": {"JPY"},
    "港币": {"HKD"},
    "dollar": {"USD", "CAD", "AUD", "NZD", "HKD", "SGD"},
    "euro": {"EUR"},
    "buck": {"USD", "CAD", "AUD"},
    "quid": {"GBP"},
    "pound": {"GBP"},
    "yuan": {"CNY"},
}
_ROLES = [
    (
        "was",
        r"\b(?:was|were|originally|regular(?:ly)?|reg\.?|list price|instead of|rather than"
        r"|down from|usually|normally|full price)\s*:?\s*$|(?:原价|划线价|吊牌价|日常价)[:：]?\s*$",
    ),
    (
        "save",
        r"\b(?:save|saves|saving|savings of|knock|take|get)\s+(?:an extra\s+|up to\s+)?$"
        r"|(?:立省|省下?|立减|直降|减)\s*$",
    ),
    (
        "threshold",
        r"\b(?:over|above|more than|at least|orders? of|spend(?:ing)?|minimum(?: of)?|min\.?)\s*$"
        r"|满$",
    ),
    ("bound", r"\b(?:under|below|less than|no more than)\s*$|不到$|低于$"),
    ("from", r"\b(?:from|starting at|starts at)\s*$"),
    (
        "price",
        r"\b(?:only|just|costs?|priced at|price is|for|at|now|yours for)\s*:?\s*$"
        r"|只要$|仅售$|售价$|价格$|只需$|仅需$|现价$|到手价$|特价$|低至$|后$",
    ),
]
_SHIPPING_WORDS = re.compile(
    r"ship|deliver|postage|spend|order|basket|cart|包邮|运费|免邮|配送|订单", re.IGNORECASE
)
_AFTER = [
    ("save", re.compile(r"^\s*(?:off|discount|cheaper|less)\b", re.I)),
    ("threshold", re.compile(r"^\s*(?:or more|\+|and up|and above)|^\s*以上", re.I)),
    ("from", re.compile(r"^\s*起")),
]


def _currency(found: str | None) -> set[str] | None:
    if not found:
        return None
    key = found.strip().lower().rstrip("s")
    code = found.strip().upper()
    if re.fullmatch(r"[A-Z]{3}", code):
        return {"CNY"} if code == "RMB" else {code}
    return CURRENCIES.get(key) or CURRENCIES.get(found.strip())


def _role(doc: Document, start: int, end: int) -> str:
    sentence_start, sentence_end = doc.sentence(start)
    before = doc.text[max(sentence_start, start - 30) : start]
    after = doc.text[end:sentence_end]
    shipping = _SHIPPING_WORDS.search(doc.text[sentence_start:sentence_end])
    for role, cue in _ROLES:
        if re.search(cue, before, re.IGNORECASE):
            return "any" if role == "from" and shipping else role
    for role, pattern in _AFTER:
        if pattern.search(after):
            return role
    return "any" if _SHIPPING_WORDS.search(doc.text[sentence_start:sentence_end]) else "item"


def _threshold_keys(key: str) -> bool:
    return bool(re.search(r"over|min|spend|threshold|amount|price|满|起", key))


class Amounts:
    """Every amount of money the facts support, by role."""

    def __init__(self, known: Known) -> None:
        facts = known.facts
        offer = facts.offer
        self.prices: list[float] = []
        self.was: list[float] = []
        self.now: list[float] = []
        self.savings: list[float] = []
        for view in known.items:
            item = view.item
            if item.price is None:
                continue
            self.prices.append(item.price)
            if item.old_price is not None:
                self.was.append(item.old_price)
                self.savings.append(item.old_price - item.price)
            applies = offer is not None and (
                offer.item_ids is None or item.item_id in offer.item_ids
            )
            if applies and offer is not None and offer.discount_percent is not None:
                self.now.append(item.price * (1 - offer.discount_percent / 100))
                self.savings.append(item.price * offer.discount_percent / 100)
            if applies and offer is not None and offer.amount_off is not None:
                self.now.append(item.price - offer.amount_off)
                self.savings.append(offer.amount_off)
        self.thresholds = [
            float(leaf)
            for key, leaf in flatten(facts.policies)
            if isinstance(leaf, int | float) and not isinstance(leaf, bool) and _threshold_keys(key)
        ]
        if offer is not None and offer.min_spend is not None:
            self.thresholds.append(offer.min_spend)
        pool = self.prices + self.now
        self.sums = [a + b for a, b in combinations(self.prices, 2)] + [
            a + b for a, b in combinations(self.now, 2)
        ]
        self.lowest = min(pool) if pool else None

    def candidates(self, role: str) -> Iterable[float]:
        if role == "was":
            return self.prices + self.was
        if role == "save":
            return self.savings
        if role == "threshold":
            return self.thresholds
        if role == "from":
            return [self.lowest] if self.lowest is not None else []
        if role == "price":
            return self.prices + self.now
        items = self.prices + self.was + self.now + self.savings + self.sums
        return items + self.thresholds if role == "any" else items

    def supports(self, amount: float, role: str) -> bool:
        if role == "bound":
            return any(p <= amount for p in self.prices + self.now)
        return any(close(amount, c) for c in self.candidates(role))

    def describe(self) -> str:
        shown = ", ".join(f"{p:g}" for p in self.prices) or "none"
        extra = f"; after the offer {', '.join(f'{p:.2f}' for p in self.now)}" if self.now else ""
        return f"prices {shown}{extra}"


def _spelled(match: re.Match[str]) -> float | None:
    """The amount of a :data:`_SPELLED` match."""
    if match["cn"]:
        whole = chinese_number(match["cn"])
        tenths = chinese_number(match["jiao"][:-1]) if match["jiao"] else 0.0
        return None if whole is None or tenths is None else whole + tenths / 10
    whole = spelled_number(match["spelled"])
    cents = spelled_number(match["cents"]) if match["cents"] else 0.0
    return None if whole is None or cents is None else whole + cents / 100


def find(doc: Document, known: Known) -> None:
    """Record every amount of money and whether the facts support it."""
    amounts = Amounts(known)
    for pattern in (_SYMBOL, _WORD, _CUED, _SPELLED):
        for match in doc.free_matches(pattern):
            groups = match.groupdict()
            raw = groups.get("num") or groups.get("num2") or ""
            amount = _spelled(match) if pattern is _SPELLED else parse_number(raw)
            if amount is None:
                continue
            word = groups.get("word") or groups.get("cnword")
            if word and word.lower().startswith("pound") and "GBP" not in known.currencies:
                continue  # a weight
            said = _currency(groups.get("sym") or word)
            role = _role(doc, *match.span())
            if said is not None and known.currencies and not said & known.currencies:
                why = f"the facts price in {', '.join(sorted(known.currencies))}"
                doc.record(*match.span(), "price", False, why)
                continue
            ok = amounts.supports(amount, role)
            why = {"threshold": "a policy's threshold", "save": "the saving"}.get(role, "the facts")
            doc.record(
                *match.span(), "price", ok, why if ok else f"no such amount ({amounts.describe()})"
            )
