"""Shop promises: free shipping (and its threshold), returns (days, free, no questions
asked), warranties and guarantees, and any other service (express delivery, price match,
gift wrap, 24/7 support). Each must be a policy the facts give, with the same numbers."""

from __future__ import annotations

import re
from typing import Any

from recmind.text.claims.document import Document
from recmind.text.claims.known import Known, flatten
from recmind.text.claims.numbers import CN_NUMBER, WORD_NUMBER, any_number, close, parse_number
from recmind.text.grounding.matching import normalise


def _n(name: str) -> str:
    return rf"(?P<{name}>\d+|{WORD_NUMBER}|{CN_NUMBER})"


_SHIPPING = re.compile(
    r"\bfree (?:standard |express |next[- ]day |2-day |two-day |uk |us |worldwide "
    r"|international |global |tracked )?(?:shipping|delivery|postage|p&p)\b"
    r"|\bships? (?:for )?free\b|\bshipping (?:is|'s) (?:on us|free|included)\b"
    r"|\b(?:no|zero) (?:shipping|delivery) (?:fees?|charges?|costs?)\b|\bdelivery is free\b"
    r"|\bwe(?:'ll| will) cover (?:the )?shipping\b"
    r"|包邮|免运费|免邮|运费全免|免费(?:配送|送货)",
    re.IGNORECASE,
)
_UNCONDITIONAL = re.compile(
    r"\b(?:on |for )?(?:all|every|any) (?:orders?|purchases?|items?)\b|\bno minimum\b"
    r"|\bsitewide\b|\bstorewide\b|\bon everything\b|全场|无门槛|全国包邮|所有订单|任意",
    re.IGNORECASE,
)
_THRESHOLD = re.compile(
    r"(?:over|above|more than|at least|of|from|spend(?:ing)?|满)\s*(?:[$€£¥]|US\$|CN¥|A\$)?\s*"
    r"(?P<amount>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
    r"|(?P<amount2>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)\s*元?\s*(?:or more|以上|\+)",
    re.IGNORECASE,
)
_RETURNS = re.compile(
    rf"{_n('n1')}[- ](?:day|night)s?(?: free| easy| hassle-free| no-questions-asked)?"
    r" (?:returns?|return policy|money[- ]back|trial|risk[- ]free trial|exchanges?)"
    rf"|\breturns?(?: are)?(?: free| accepted)? (?:for|within|up to|in) {_n('n2')} (?:days|nights)"
    rf"|\b(?:return|send back|exchange)(?: it| them| anything| any item| items?)?"
    rf"(?: back)?(?: to us)? (?:within|for|up to|in) {_n('n3')} (?:days|nights)"
    rf"|{_n('n4')} (?:days|nights) to (?:return|change your mind|send it back|decide|try)"
    rf"|\b(?:try|test)\b[^.!?]{{0,30}}? for {_n('n5')} nights"
    rf"|{_n('n6')}\s*天(?:内)?(?:无理由|无忧|免费)?(?:退货|退换货?|退款|包退|包换|无理由)"
    r"|\bfree returns?\b|\beasy returns?\b|\bhassle[- ]free returns?\b|\brisk[- ]free\b"
    r"|\bno[- ]questions[- ]asked\b|\bfull refund\b|无理由退(?:货|换)|退换无忧|无忧退换|运费险"
    r"|\b(?:returns?|exchanges?|send (?:it|them) back)\b[^.!?\n]{0,30}?"
    r"\b(?:any ?time|at any time|forever|whenever you (?:like|want))\b"
    r"|\b(?:any ?time|unlimited) returns?\b"
    r"|随时(?:可以)?(?:更换或)?(?:退货|退换|更换|退款|退)|想退就退",
    re.IGNORECASE,
)
_UNLIMITED = re.compile(r"(?i)any ?time|forever|whenever|unlimited|随时|想退就退")
_GUARANTEE = re.compile(
    rf"{_n('n1')}[- ](?P<unit1>year|yr|month)s?[- ](?:limited |full )?(?:warranty|guarantee)"
    rf"|\b(?:warranty|guarantee)d? (?:of|for) {_n('n2')} (?P<unit2>years?|months?)"
    r"|\blifetime (?:warranty|guarantee)\b|\b(?:warranty|guarantee)d? for life\b"
    r"|\bmoney[- ]back guarantee\b|\b(?:your )?money back\b|\bsatisfaction guarantee[ds]?\b"
    rf"|(?:保修|质保|保固)\s*{_n('n3')}\s*(?P<unit3>年|个月)"
    rf"|{_n('n4')}\s*(?P<unit4>年|个月)\S{{0,3}}(?:质保|保修)"
    r"|终身(?:保修|质保)|假一赔\S|正品保证|退款保证",
    re.IGNORECASE,
)
_SERVICES = {
    "express": (
        r"\b(?:next[- ]day|same[- ]day|express|overnight|2-day|two-day) (?:delivery|shipping)"
        r"|\bships? (?:today|within \d+ hours?|same day|immediately)"
        r"|\bdelivered (?:tomorrow|in \d+)"
        r"|次日达|当日达|当天发货|下单即发|24小时发货|48小时发货|极速发货|顺丰",
        ("express", "next day", "same day", "dispatch", "delivery days", "shipping days", "发货"),
    ),
    "price match": (
        r"\bprice[- ]match(?:ing)?\b|\bprice protection\b|价保|保价|\bprice[- ]beat"
        r"|\b(?:match|beat) (?:any|the|a|their|that|every|competitors'?) (?:lower |cheaper "
        r"|better |competitor'?s? )?(?:prices?|offers?)\b|(?:买贵|贵了)(?:退差|补差|赔)",
        ("price match", "price protection", "价保"),
    ),
    "gift": (
        r"\bfree gifts?\b(?![\s-]?wrap)|\bgifts? with (?:purchase|every|each|your)\b|\bbonus gift\b"
        r"|\bfree (?!shipping|delivery|returns?|postage|gift|engraving|exchanges?)[\w-]+"
        r"(?: [\w-]+)? with (?:every|each|any|all|your) (?:order|purchase|[\w-]+)"
        r"|赠品|(?:赠|送)(?:送)?(?:精美|神秘|限量|免费|专属)?(?:礼品|礼物|小样|好礼|礼盒)",
        ("free gift", "gift with", "gwp", "赠品", "礼品", "赠"),
    ),
    "gift wrap": (r"\bgift[- ]wrap(?:ping|ped)?\b|礼品包装", ("gift wrap", "礼品包装")),
    "engraving": (r"\b(?:free )?engraving\b|刻字", ("engrav", "刻字")),
    "support": (r"\b24/7\b|\bround[- ]the[- ]clock\b|7x24|全天候客服", ("support", "24 7", "客服")),
    "installments": (
        r"\binstal?lments?\b|\bpay later\b|\binterest[- ]free\b|分期|免息",
        ("install", "pay later", "分期", "免息"),
    ),
    "trade-in": (r"\btrade[- ]in\b|以旧换新|旧机回收", ("trade in", "以旧换新", "回收")),
    "click and collect": (
        r"\b(?:click and collect|in-store pickup|curbside)\b|到店自提",
        ("collect", "pickup", "自提"),
    ),
}


def _policy_items(known: Known) -> list[tuple[str, Any]]:
    return [(normalise(k.replace("_", " ")), v) for k, v in flatten(known.facts.policies)]


def _find_key(known: Known, *words: str, number: bool = False) -> Any:
    """The first policy value whose key contains one of ``words`` (``None``, ``False`` and,
    with ``number``, anything but a number do not count)."""
    for key, value in _policy_items(known):
        if value is None or value is False or not any(w in key for w in words):
            continue
        if number and (isinstance(value, bool) or not isinstance(value, int | float)):
            continue
        return value
    return None


def _shipping(doc: Document, known: Known, start: int, end: int) -> tuple[bool, str]:
    over = _find_key(known, "free shipping", "free delivery", "包邮")
    if over is None:
        return False, "the facts give no free-shipping policy"
    threshold = 0.0 if over is True else float(over)
    sentence_start, sentence_end = doc.sentence(start)
    sentence = doc.text[sentence_start:sentence_end]
    if re.search(r"express|next[- ]day|same[- ]day|顺丰", doc.text[start:end], re.I) and (
        _find_key(known, "express", "next day", "same day") is None
    ):
        return False, "the facts give no free express shipping"
    parsed = [parse_number(m["amount"] or m["amount2"]) for m in _THRESHOLD.finditer(sentence)]
    stated = [s for s in parsed if s is not None]
    if stated:
        ok = any(close(s, threshold) for s in stated)
        return ok, f"free shipping over {threshold:g}"
    if _UNCONDITIONAL.search(sentence):
        return threshold == 0, "free shipping on every order" if threshold == 0 else (
            f"free shipping only over {threshold:g}"
        )
    if threshold == 0:
        return True, "free shipping on every order"
    named = known.mentioned(doc, start)
    prices = [v.item.price for v in (named or known.items) if v.item.price is not None]
    if prices and (sum(prices) if named else min(prices)) >= threshold:
        return True, f"free shipping over {threshold:g}, which the order reaches"
    return False, f"free shipping only over {threshold:g}"


def _returns(match: re.Match[str], known: Known) -> tuple[bool, str]:
    said = match.group().lower()
    if _find_key(known, "return", "退", "refund") is None:
        return False, "the facts give no returns policy"
    days = _find_key(known, "return", "退", number=True)
    number = next((any_number(g) for k, g in match.groupdict().items() if g), None)
    if "free" in said and "risk" not in said and _find_key(known, "free return") is None:
        return False, "the facts do not say returns are free"
    if number is not None and (days is None or not close(number, float(days))):
        return False, f"returns within {days:g} days" if days is not None else "no return period"
    if _UNLIMITED.search(said) and _find_key(known, "anytime", "any time", "unlimited") is None:
        return False, f"returns within {days:g} days" if days is not None else "no return period"
    return True, "the returns policy"


def _warranty(known: Known) -> tuple[float | None, bool, bool]:
    """The warranty in years (if a number says), whether it is lifetime, whether any."""
    years = _find_key(known, "warranty year", "guarantee year", number=True)
    months = _find_key(known, "warranty month", "guarantee month", number=True)
    general = _find_key(known, "warranty", "guarantee", "保修", "质保")
    lifetime = isinstance(general, str) and bool(re.search(r"life|终身", general, re.I))
    found: float | None = float(years) if years is not None else None
    if found is None and months is not None:
        found = float(months) / 12
    if found is None and isinstance(general, str) and re.search(r"\d+", general):
        number = float(re.search(r"\d+", general).group())  # type: ignore[union-attr]
        found = number / 12 if "month" in general.lower() else number
    return found, lifetime, general is not None


def _guarantee(match: re.Match[str], known: Known) -> tuple[bool, str]:
    said = match.group().lower()
    if re.search(r"money|satisfaction|退款", said):
        ok = _find_key(known, "money back", "satisfaction", "refund guarantee", "退款") is not None
        return ok, "the guarantee" if ok else "the facts give no money-back guarantee"
    if re.search(r"假一|正品", said):
        ok = _find_key(known, "authentic", "genuine", "正品") is not None
        return ok, "the facts" if ok else "the facts give no authenticity guarantee"
    years, lifetime, any_warranty = _warranty(known)
    if not any_warranty:
        return False, "the facts give no warranty"
    if re.search(r"life|终身", said):
        return lifetime, "a lifetime warranty" if lifetime else "the warranty is not lifetime"
    groups = match.groupdict()
    count = next((any_number(g) for k, g in groups.items() if g and k.startswith("n")), None)
    if count is None:
        return True, "the warranty"
    unit = next((u for k, u in groups.items() if u and k.startswith("unit")), "year")
    said_years = count / 12 if unit.lower().startswith(("month", "个")) else count
    ok = years is not None and close(said_years, years, 0.01)
    return ok, f"a {years:g}-year warranty" if years is not None else "the warranty is lifetime"


def find(doc: Document, known: Known) -> None:
    """Record every promise of the shop the text makes."""
    for match in doc.free_matches(_RETURNS, over_names=True):
        ok, why = _returns(match, known)
        doc.record(*match.span(), "policy", ok, why)
    for match in doc.free_matches(_GUARANTEE, over_names=True):
        ok, why = _guarantee(match, known)
        doc.record(*match.span(), "policy", ok, why)
    for match in doc.free_matches(_SHIPPING, over_names=True):
        ok, why = _shipping(doc, known, *match.span())
        doc.record(*match.span(), "policy", ok, why)
    for service, (pattern, keys) in _SERVICES.items():
        for match in doc.free_matches(re.compile(pattern, re.IGNORECASE), over_names=True):
            said, wanted = match.group().lower(), keys
            if service == "express" and re.search(r"same|当日|当天|today", said):
                wanted = ("same day", "当日", "当天", "dispatch")
            elif service == "express" and re.search(r"next|次日|tomorrow|overnight", said):
                wanted = ("next day", "次日", "express", "overnight")
            ok = _find_key(known, *wanted) is not None
            doc.record(*match.span(), "policy", ok, "a policy" if ok else f"no {service} policy")
