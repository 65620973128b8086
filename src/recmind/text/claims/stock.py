"""Stock and scarcity: "only 3 left" must be the stock; "selling fast", "almost gone",
"库存紧张" need a stock at or under the facts' low-stock line; "plenty in stock" one above
it; "in stock", "现货" any; "sold out", "售罄" none; "back in stock" a restock. A claim is
about the items its sentence names (else any item)."""

from __future__ import annotations

import re
from collections.abc import Callable

from recmind.text.claims.document import Document
from recmind.text.claims.known import ItemView, Known
from recmind.text.claims.numbers import CN_NUMBER, any_number

_WORD = r"(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty)"
_UNIT = r"(?:件|个|双|瓶|支|条|张|把|罐|台|套|份|盒|只|袋|包|块|本|款|位|组)"
_COUNT = re.compile(
    rf"\b(?:only|just|last|final)\s+(?P<n>\d+|{_WORD}|a few|a handful|a couple)\b"
    r"(?:\s+[\w'-]+){0,5}?\s+(?:left|remain(?:s|ing)?|in stock|available|to go)\b"
    rf"|\b(?P<n2>\d+|{_WORD})\s+(?:[\w'-]+\s+){{0,4}}?(?:left|remaining)(?: in stock)?\b"
    r"(?! (?:to|of|for|in (?!stock)))"
    rf"|\b(?:only|just)\s+(?P<n3>\d+|{_WORD}|a few|a handful)\s+remain\b"
    rf"|(?:仅剩|只剩|仅余|只余|还剩|剩下|剩余|仅有|只有)\s*(?:最后)?\s*(?P<n4>\d+|{CN_NUMBER})\s*{_UNIT}"
    rf"|(?:最后)\s*(?P<n5>\d+|{CN_NUMBER})\s*{_UNIT}",
    re.IGNORECASE,
)
_BOUND = re.compile(
    rf"\b(?:fewer|less) than (?P<n>\d+|{_WORD})\b(?:\s+[\w'-]+){{0,4}}?\s+"
    r"(?:left|remain(?:s|ing)?|in stock)\b"
    rf"|(?:不足|不到|少于)\s*(?P<n2>\d+|{CN_NUMBER})\s*{_UNIT}",
    re.IGNORECASE,
)
_LOW = re.compile(
    r"\bselling (?:out )?fast\b|\bgoing fast\b|\bflying off (?:the )?shelves\b"
    r"|\b(?:almost|nearly|practically) (?:gone|sold out|out of stock)\b|\blow (?:on )?stock\b"
    r"|\bstock is (?:low|limited|running low)\b|\blimited (?:stock|quantities|quantity|supply)\b"
    r"|\brunning (?:low|out)\b|\blast few\b|\bfew left\b|\bwon't last\b"
    r"|\bbefore (?:they're|it's|they are|it is) gone\b|\bwhile (?:they|stocks?|supplies) last\b"
    r"|\bin short supply\b|\bstock is low\b"
    r"|库存紧张|库存告急|库存不多|数量有限|即将售罄|快抢完|手慢无|先到先得|所剩无几|少量库存|卖得很快"
    r"|抢购一空|限量供应|余量不多",
    re.IGNORECASE,
)
_HIGH = re.compile(
    r"\bplenty (?:of [\w' -]{1,30}?)?(?:in stock|left|available)\b|\bwell[- ]stocked\b"
    r"|\bfully stocked\b|\bample stock\b|\bno rush\b"
    r"|现货充足|库存充足|货源充足|货量充足|大量现货|库存丰富",
    re.IGNORECASE,
)
_AVAILABLE = re.compile(
    r"\bin stock\b|\bready to ship\b|\bavailable now\b|\bships? (?:today|now|immediately)\b"
    r"|现货|有货|有现货|下单即发|马上发货",
    re.IGNORECASE,
)
_OUT = re.compile(
    r"\bsold out\b|\bout of stock\b|\bcurrently unavailable\b|\bwaitlist\b"
    r"|已售罄|售罄|缺货|断货|无货|卖完了|已售完",
    re.IGNORECASE,
)
_BACK = re.compile(
    r"\bback in stock\b|\brestocked\b|\bback on (?:the )?shelves\b|补货|到货了|重新上架|回归",
    re.IGNORECASE,
)
_LIMITED = re.compile(
    r"\blimited[- ](?:edition|release|run|batch|drop)s?\b|\bonly \d[\d,]* (?:made|produced)\b"
    r"|\bnumbered edition\b|\bone[- ]of[- ]a[- ]kind\b"
    r"|限量(?:版|款|发售|发行|款式)?(?!供应)|全球限量|限定(?:款|版)|典藏版|绝版",
    re.IGNORECASE,
)
"""A limited edition: the item's facts must say so (a key or value naming it)."""
_SAYS_LIMITED = re.compile(r"limited|限量|限定|典藏|绝版|numbered|one of a kind", re.IGNORECASE)

Test = Callable[[int, ItemView], bool]
"""Whether a stock (and its item) bears a claim out."""


def _judge(doc: Document, known: Known, span: tuple[int, int], test: Test, reason: str) -> None:
    start, end = span
    subjects = known.subjects(doc, start)
    counted = [v for v in subjects if v.item.stock is not None]
    if not counted:
        doc.record(start, end, "stock", False, "the facts give no stock for it")
        return
    ok = any(test(int(v.item.stock or 0), v) for v in counted)
    stocks = ", ".join(f"{v.item.title}: {v.item.stock}" for v in counted)
    doc.record(start, end, "stock", ok, reason if ok else f"stock is {stocks}")


def _equals(n: float) -> Test:
    return lambda stock, _: stock == n


def _below(n: float) -> Test:
    return lambda stock, _: 0 < stock < n


def _at_most(n: float) -> Test:
    return lambda stock, _: 0 < stock <= n


def find(doc: Document, known: Known) -> None:
    """Record every stock and scarcity claim."""
    low = known.facts.low_stock
    for match in doc.free_matches(_BACK, over_names=True):
        restocked: Test = lambda stock, view: stock > 0 and bool(view.item.restocked)  # noqa: E731
        _judge(doc, known, match.span(), restocked, "restocked")
    for match in doc.free_matches(_BOUND, over_names=True):
        n = any_number(next(g for g in match.groups() if g)) or 0
        _judge(doc, known, match.span(), _below(n), "the stock")
    for match in doc.free_matches(_COUNT, over_names=True):
        raw = next(g for g in match.groups() if g)
        count = any_number(raw)
        if raw.lower() in {"a few", "a handful", "a couple"}:
            _judge(doc, known, match.span(), _at_most(min(low, 5)), "few left")
        elif count is not None:
            _judge(doc, known, match.span(), _equals(count), "the stock")
    for match in doc.free_matches(_LOW, over_names=True):
        if re.match(r"while", match.group(), re.I):
            doc.cover(*match.span())  # a disclaimer, not a claim
            continue
        _judge(doc, known, match.span(), _at_most(low), f"at most {low} left")
    for match in doc.free_matches(_LIMITED, over_names=True):
        said = any(_SAYS_LIMITED.search(v.text) for v in known.subjects(doc, match.start()))
        why = "a limited edition" if said else "the facts do not say it is a limited edition"
        doc.record(*match.span(), "stock", said, why)
    for match in doc.free_matches(_HIGH, over_names=True):
        _judge(doc, known, match.span(), lambda stock, _: stock > low, "well stocked")
    for match in doc.free_matches(_OUT, over_names=True):
        _judge(doc, known, match.span(), _equals(0), "sold out")
    for match in doc.free_matches(_AVAILABLE, over_names=True):
        _judge(doc, known, match.span(), lambda stock, _: stock > 0, "in stock")
