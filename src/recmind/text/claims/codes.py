"""Discount codes: a code must be the offer's code, exactly; "no code needed" needs an offer
without one."""

from __future__ import annotations

import re

from recmind.text.claims.document import Document
from recmind.text.claims.known import Known

_TOKEN = r"[\"'“”「」【】]?(?P<code>[A-Za-z0-9][A-Za-z0-9_-]{2,23})[\"'“”「」【】]?"
_CUED = re.compile(
    r"(?:\b(?:promo(?:tional)?|discount|coupon|voucher|offer|checkout|gift|redemption|sale)"
    r"\s+codes?|\bcodes?|\bcoupons?|\bvouchers?|\benter|\buse|\bapply|\btype|\bwith|\bredeem"
    r"|优惠码|折扣码|优惠券码|券码|兑换码|口令|暗号|邀请码|输入|使用|用码|填写|领取)"
    r"\s*(?:the\s+)?(?:code\s+)?[:：]?\s*" + _TOKEN,
    re.IGNORECASE,
)
_BARE = re.compile(
    r"(?<![A-Za-z0-9])(?P<code>(?=[A-Z0-9-]*\d)(?=[A-Z0-9-]*[A-Z][A-Z0-9-]*[A-Z])"
    r"[A-Z][A-Z0-9-]{3,23})(?![A-Za-z0-9])"
)
"""An upper-case token with at least two letters and a digit (``SAVE20``), wherever it is."""
_CODE_WORD = re.compile(
    r"(?<!qr )(?<!zip )(?<!dress )(?<!post)(?:\b(?:promo(?:tional)?|discount|coupon|voucher)"
    r"\s+codes?\b|\bcodes?\b|优惠码|折扣码|券码|兑换码)",
    re.IGNORECASE,
)
_NO_CODE = re.compile(
    r"\bno (?:promo |discount |coupon )?code (?:needed|required|necessary)\b"
    r"|\bwithout (?:a|any) code\b|无需(?:优惠码|领券|用券|输入)|不用(?:优惠码|领券)",
    re.IGNORECASE,
)
_SPEC = re.compile(
    r"^(?:IP[X\d]\d|[A-Z]{1,3}\d{1,2}|\d+[A-Z]{1,3}|USB\d?|SPF\d+|UPF\d+|MP\d|PM2|H\d{3,4}"
    r"|[A-Z]+-\d{1,2})$"
)
"""Technical names that are not codes (``IPX4``, ``A4``, ``4K``, ``SPF50``, ``USB-C``)."""


_MONEY = re.compile(r"^(?:USD|EUR|GBP|CNY|RMB|JPY|HKD|AUD|CAD|NZD|SGD)\d+$", re.IGNORECASE)
"""A currency code glued to an amount (``RMB368``, ``USD38``): money, not a code."""


def _looks_like_code(token: str, cued: bool) -> bool:
    if not re.search(r"[A-Za-z]", token) or (not cued and _SPEC.match(token.upper())):
        return False
    if _MONEY.match(token):
        return False
    return not cued or bool(re.search(r"\d", token)) or (token.isupper() and len(token) >= 4)


def find(doc: Document, known: Known) -> None:
    """Record every code the text gives (and every "no code needed")."""
    offer = known.facts.offer
    code = offer.code if offer is not None else None
    for match in doc.free_matches(_NO_CODE):
        ok = offer is not None and not code
        why = (
            "the offer needs no code"
            if ok
            else (f"the offer needs the code {code}" if code else "the facts give no offer")
        )
        doc.record(match.start(), match.end(), "code", ok, why)
    seen: set[int] = set()
    for pattern, cued in ((_CUED, True), (_BARE, False)):
        for match in doc.free_matches(pattern):
            token = match.group("code")
            start, end = match.span("code")
            if token != code and (not _looks_like_code(token, cued) or start in seen):
                continue
            if not doc.is_free(start, end):
                continue
            if token != code and any(v.says([token]) for v in known.items):
                continue  # part of a title or an attribute ("USB-C")
            seen.add(start)
            _verdict(doc, start, end, token, code)
    for match in doc.free_matches(_CODE_WORD):
        if not any(abs(match.end() - s) < 24 for s in seen):
            ok = bool(code)
            why = f"the offer's code is {code}" if ok else "the facts give no code"
            doc.record(match.start(), match.end(), "code", ok, why)


def _verdict(doc: Document, start: int, end: int, token: str, code: str | None) -> None:
    if code is None:
        doc.record(start, end, "code", False, "the facts give no code")
    elif token == code:
        doc.record(start, end, "code", True, "the offer's code")
    elif token.lower() == code.lower():
        doc.record(start, end, "code", False, f"the code is {code}, exactly so written")
    else:
        doc.record(start, end, "code", False, f"the offer's code is {code}")
