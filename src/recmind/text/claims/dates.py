"""Dates and deadlines: every date, weekday, relative day ("tonight", "本周日"), time,
sale event ("Black Friday", "双十一") and time limit ("limited time", "限时") must agree
with the offer's end (or start). Relative ones need the facts' current time."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from recmind.text.claims.document import Document
from recmind.text.claims.known import Known
from recmind.text.claims.numbers import CN_NUMBER, WORD_NUMBER, any_number

MONTHS = {
    m: i
    for i, names in enumerate(
        (
            "January Jan",
            "February Feb",
            "March Mar",
            "April Apr",
            "May",
            "June Jun",
            "July Jul",
            "August Aug",
            "September Sept Sep",
            "October Oct",
            "November Nov",
            "December Dec",
        ),
        1,
    )
    for m in names.split()
}
WEEKDAYS = {
    name: i
    for i, names in enumerate(
        (
            "Monday Mon",
            "Tuesday Tue Tues",
            "Wednesday Wed",
            "Thursday Thu Thurs",
            "Friday Fri",
            "Saturday Sat",
            "Sunday Sun",
        )
    )
    for name in names.split()
}
CN_WEEKDAYS = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6}
_MONTH = "(?:" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
_WEEKDAY = (
    "(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|(?:Mon|Tues?|Wed|Thu(?:rs)?"
    rf"|Fri|Sat|Sun)(?:\.|(?=,?\s+(?:the\s+)?\d|,?\s+{_MONTH})))"
)
"""A weekday; an abbreviation needs its dot or a date after it ("Sun 16 Mar")."""
_DAY = r"(?:[1-9]|[12]\d|3[01])(?:st|nd|rd|th)?"
_CN_N = rf"(?:\d{{1,2}}|{CN_NUMBER})"
_DATES = [
    re.compile(
        rf"\b(?P<rel>(?:this|next|coming)\s+)?(?P<wd>{_WEEKDAY})(?:,?\s+(?:the\s+)?(?P<d1>{_DAY})"
        rf"(?:\s+of)?\s+(?P<m1>{_MONTH})|,?\s+(?P<m2>{_MONTH})\s+(?P<d2>{_DAY}))?"
        r"(?:,?\s+(?P<y>20\d\d))?\b"
    ),
    re.compile(
        rf"\b(?P<d1>{_DAY})(?:\s+of)?\s+(?P<m1>{_MONTH})(?:,?\s+(?P<y>20\d\d))?(?![\w])"
        rf"|\b(?P<m2>{_MONTH})\s+(?P<d2>{_DAY})(?:,?\s+(?P<y2>20\d\d))?\b"
    ),
    re.compile(r"(?<![\d.])(?P<y>20\d\d)([-./])(?P<m>\d{1,2})\2(?P<d>\d{1,2})(?!\.?\d)"),
    re.compile(r"(?<![\d./])(?P<d>\d{1,2})\.(?P<m>\d{1,2})\.(?P<y>20\d\d)(?!\.?\d)"),
    re.compile(r"(?<![\d./])(?P<a>\d{1,2})/(?P<b>\d{1,2})/(?P<y>(?:20)?\d\d)(?![\d/])"),
    re.compile(
        r"(?:(?P<y>20\d\d)\s*年\s*)?(?P<m>" + _CN_N + r")\s*月\s*(?P<d>" + _CN_N + r")\s*[日号]"
    ),
    re.compile(r"(?P<rel>本|这|下)?(?:周|星期|礼拜)(?P<w>[一二三四五六日天])(?!末)"),
    re.compile(
        r"\b(?:until|till|through|thru|by|before|ends?|ending|on|valid to)\s+"
        r"(?P<d>\d{1,2})\.(?P<m>\d{1,2})\.(?!\d)"
    ),
    re.compile(
        r"\b(?:until|till|through|thru|by|before|ends?|ending|on|valid to)\s+"
        r"(?P<a>\d{1,2})/(?P<b>\d{1,2})(?:/(?P<y>\d{2,4}))?\b(?!/)"
    ),
    re.compile(
        rf"\b(?:until|till|through|thru|by|before|in|during|end of|all of)\s+(?P<m>{_MONTH})"
        r"(?![\w-])"
    ),
]
_RELATIVE = re.compile(
    r"\b(?P<en>today|tonight|tomorrow(?: night)?|this weekend|the weekend|this week|next week"
    r"|end of (?:the )?(?:day|week|month)|this month)\b"
    r"|\b(?:in|for|within|next|only|just|final)\s+(?:the\s+)?(?:next\s+)?"
    rf"(?P<n>\d+|{WORD_NUMBER})\s+(?P<unit>hours?|hrs?|days?)\b"
    rf"|\b(?P<n2>\d+|{WORD_NUMBER})[- ](?:hour|day)s?\s+(?:sale|flash sale|window|deal|offer"
    r"|only)\b"
    r"|(?P<zh>今天|今日|今晚|今夜|明天|明日|明晚|后天|本周末|这周末|周末|本周|这周|下周|月底|月末"
    r"|本月|年底)"
    rf"|(?P<n3>{_CN_N})\s*(?P<unit3>小时|天)内?(?:有效|结束|截止|内)",
    re.IGNORECASE,
)
_DEADLINE = re.compile(
    r"\b(?:ends?|ending|until|till|through|thru|by|before|expires?|sale|off|save|discount"
    r"|code|deal|offer)\b|%|折|优惠|截止|截至|结束|到期|限时|活动|前",
    re.IGNORECASE,
)
"""A relative day is a claim only next to one of these ("order today" is not a deadline)."""
_TIME = re.compile(
    r"\b(?:at\s+)?(?P<word>midnight|noon)\b"
    r"|\b(?P<h>1[0-2]|0?[1-9])(?::(?P<mi>[0-5]\d))?\s?(?P<ap>am|pm|a\.m\.|p\.m\.)"
    r"|(?P<zh>午夜|零点|24点|24:00|23:59|晚上?(?P<zh_h>\d{1,2}|" + CN_NUMBER + r")点)",
    re.IGNORECASE,
)
_EVENT = re.compile(
    r"\b(?P<en>Black Friday|Cyber Monday|Boxing Day|Singles'? Day)\b"
    r"|(?P<zh>双十一|双11|双十二|双12|黑五|黑色星期五)|(?<!\d)(?P<sfo>618)(?:大促|活动|狂欢)",
    re.IGNORECASE,
)
_LIMIT = re.compile(
    r"\b(?:for a )?limited[- ]time\b|\bends? soon\b|\bending soon\b|\blast chance\b"
    r"|\bfinal (?:hours|days)\b|\bflash sale\b|\btime is running out\b|\bcountdown\b"
    r"|限时|倒计时|即将结束|马上结束|最后机会|错过再等|截止|截至|到期"
    r"|(?:活动|优惠|折扣|促销|特价|半价|折)[^。！？\n]{0,10}?结束",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class _Said:
    """What a date expression says."""

    day: int | None = None
    month: int | None = None
    year: int | None = None
    weekday: int | None = None
    next_week: bool = False


def _ends(known: Known) -> tuple[list[date], str | None]:
    """The offer's end and start days, or why there are none."""
    offer = known.facts.offer
    if offer is None:
        return [], "the facts give no offer, so no date or deadline"
    days = [m.date() if isinstance(m, datetime) else m for m in (offer.ends, offer.starts) if m]
    if offer.ends is None:
        return days, "the offer has no end date"
    return days, None


def _matches(said: _Said, day: date, now: datetime | None) -> bool:
    for wanted, actual in ((said.month, day.month), (said.day, day.day), (said.year, day.year)):
        if wanted is not None and wanted != actual:
            return False
    if said.weekday is None:
        return True
    if said.weekday != day.weekday():
        return False
    if now is None or said.day is not None:
        return True
    ahead = (day - now.date()).days
    return 0 <= ahead < (14 if said.next_week else 7)


def _said(match: re.Match[str]) -> _Said:
    groups = {k: v for k, v in match.groupdict().items() if v}
    month = groups.get("m1") or groups.get("m2") or groups.get("m")
    day = groups.get("d1") or groups.get("d2") or groups.get("d")
    year = groups.get("y") or groups.get("y2")
    weekday = groups.get("wd") or groups.get("w")
    return _Said(
        day=int(any_number(re.sub(r"(st|nd|rd|th)$", "", day)) or 0) if day else None,
        month=(MONTHS.get(month.rstrip(".")) or int(any_number(month) or 0)) if month else None,
        year=int(year) if year else None,
        weekday=(WEEKDAYS.get(weekday.rstrip("."), CN_WEEKDAYS.get(weekday)) if weekday else None),
        next_week=groups.get("rel", "").strip() in {"next", "下"},
    )


def _slash_ok(match: re.Match[str], days: list[date]) -> bool:
    a, b = int(match["a"]), int(match["b"])
    year = int(match["y"]) if match["y"] else None
    year = year + 2000 if year is not None and year < 100 else year
    return any((d.month, d.day) in {(a, b), (b, a)} and year in {None, d.year} for d in days)


def _relative_ok(match: re.Match[str], end: date, moment: datetime | None, now: datetime) -> bool:
    today = now.date()
    ahead = (end - today).days
    word = (match["en"] or match["zh"] or "").lower()
    if word in {"today", "tonight", "end of the day", "end of day", "今天", "今日", "今晚", "今夜"}:
        return ahead == 0
    if word.startswith("tomorrow") or word in {"明天", "明日", "明晚"}:
        return ahead == 1
    if word == "后天":
        return ahead == 2
    if word in {"this weekend", "the weekend", "本周末", "这周末", "周末"}:
        return 0 <= ahead < 7 and end.weekday() >= 5
    if word in {"this week", "本周", "这周", "end of the week", "end of week"}:
        return 0 <= ahead <= 6 - today.weekday()
    if word in {"next week", "下周"}:
        return 7 - today.weekday() <= ahead <= 13 - today.weekday()
    if word in {"end of the month", "end of month", "月底", "月末"}:
        last = calendar.monthrange(today.year, today.month)[1]
        return end.month == today.month and end.day >= last - 4
    if word in {"this month", "本月"}:
        return end.month == today.month and end.year == today.year
    if word == "年底":
        return end.year == today.year and end.month == 12
    count = any_number(match["n"] or match["n2"] or match["n3"] or "")
    unit = (match["unit"] or match["unit3"] or "day").lower()
    if count is None:
        return False
    if unit.startswith("h") or unit == "小时":
        stop = moment or datetime.combine(end, datetime.max.time())
        return 0 <= (stop - now).total_seconds() <= (count + 1) * 3600
    return abs(ahead - count) <= 1


def _time_ok(match: re.Match[str], known: Known) -> bool:
    offer = known.facts.offer
    ends = offer.ends if offer is not None else None
    word = (match["word"] or match["zh"] or "").lower()
    end_of_day = word in {"midnight", "午夜", "零点", "24点", "24:00", "23:59"}
    if not isinstance(ends, datetime):
        return end_of_day or ((match["ap"] or "").lower().startswith("p") and match["h"] == "11")
    if end_of_day:
        return (ends.hour, ends.minute) in {(0, 0), (23, 59)}
    if match["h"]:
        hour = int(match["h"]) % 12 + (12 if (match["ap"] or "").lower().startswith("p") else 0)
        return ends.hour == hour and ends.minute == int(match["mi"] or 0)
    if match["zh_h"]:
        hour = int(any_number(match["zh_h"]) or 0)
        return ends.hour in {hour, (hour + 12) % 24}
    return word == "noon" and ends.hour == 12


def _event_day(name: str, year: int) -> date | None:
    key = name.lower().replace("'", "")
    if key in {"black friday", "黑五", "黑色星期五", "cyber monday"}:
        thursdays = [d for d in range(22, 29) if date(year, 11, d).weekday() == 3]
        friday = date(year, 11, thursdays[0]) + timedelta(days=1)
        return friday + timedelta(days=3) if key == "cyber monday" else friday
    fixed = {
        "双十一": (11, 11),
        "双11": (11, 11),
        "singles day": (11, 11),
        "双十二": (12, 12),
        "双12": (12, 12),
        "boxing day": (12, 26),
        "618": (6, 18),
    }
    if key in fixed:
        return date(year, *fixed[key])
    return None


def find(doc: Document, known: Known) -> None:
    """Record every date, relative day, time, sale event and time limit."""
    days, missing = _ends(known)
    now = known.facts.now
    offer = known.facts.offer
    moment = offer.ends if offer is not None and isinstance(offer.ends, datetime) else None
    for match in doc.free_matches(_EVENT, over_names=True):
        name = match.group().strip()
        year = days[0].year if days else (now.year if now else date.today().year)
        when = _event_day(name if not match["sfo"] else "618", year)
        named = bool(offer and offer.name and name.lower() in offer.name.lower())
        ok = not missing and (named or (when is not None and abs((days[0] - when).days) <= 7))
        doc.record(
            *match.span(),
            "date",
            ok,
            missing
            or (
                "the offer's event"
                if ok
                else f"the offer ends {days[0].isoformat()}, not at {name}"
            ),
        )
    for pattern in _DATES:
        for match in doc.free_matches(pattern, over_names=True):
            if missing:
                doc.record(*match.span(), "date", False, missing)
                continue
            if "a" in match.groupdict() and match["a"]:
                ok = _slash_ok(match, days)
            else:
                ok = any(_matches(_said(match), day, now) for day in days)
            why = "the offer's dates" if ok else f"the offer ends {days[0].isoformat()}"
            doc.record(*match.span(), "date", ok, why)
    for match in doc.free_matches(_RELATIVE, over_names=True):
        if not _DEADLINE.search(doc.sentence_text(match.start())):
            continue
        if missing:
            doc.record(*match.span(), "date", False, missing)
        elif now is None:
            doc.record(*match.span(), "date", False, "a relative date needs the current time")
        else:
            ok = _relative_ok(match, days[0], moment, now)
            why = "ends then" if ok else f"the offer ends {days[0].isoformat()}"
            doc.record(*match.span(), "date", ok, why)
    for match in doc.free_matches(_TIME, over_names=True):
        ok = not missing and _time_ok(match, known)
        doc.record(
            *match.span(),
            "date",
            ok,
            missing or ("the offer's end" if ok else "the facts give no such time"),
        )
    for match in doc.free_matches(_LIMIT, over_names=True):
        doc.record(*match.span(), "date", not missing, missing or "the offer has an end date")
