"""Superlatives, popularity, ratings and sentiment. "Best-selling", "#1", "销量第一" need a
best-seller rank of 1; "popular", "a best-seller", "热销" one within the facts'
``popular_rank``; "loved by thousands", "上万名顾客" counts that large; "4.8 stars" the
average rating; "top-rated" a high one; "customers rave", "好评如潮" positive reviews.
Claims about the whole market ("on the market", "world's best", "全网") and other
superlatives ("the softest", "award-winning", "首选") have nothing in a shop's facts to rest
on, so they are unsupported unless an item's attributes say the very words."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from recmind.text.claims.document import ClaimKind, Document
from recmind.text.claims.known import ItemView, Known
from recmind.text.claims.numbers import (
    CN_LARGE,
    CN_NUMBER,
    SPELLED,
    any_number,
    parse_number,
    spelled_number,
)
from recmind.text.grounding.matching import normalise

_PEOPLE = (
    r"(?:people|customers|shoppers|buyers|viewers|fans|readers|listeners|users|hikers|cooks"
    r"|runners|families|members|reviewers|raters|owners|travell?ers|parents|coffee lovers"
    r"|tea lovers|guests|clients)"
)
_SCOPE = re.compile(
    r"\bon the market\b|\bin the world\b|\bworld'?s\b|\bof all time\b|\bever\b|\banywhere\b"
    r"|\bin (?:the )?(?:country|industry|europe|america|asia|china|uk|us|britain)\b"
    r"|\bof the (?:decade|year|century)\b|\bin history\b"
    r"|全网|全国|全球|全世界|行业|史上|影史|业内|年度",
    re.IGNORECASE,
)
_RANK_ONE = re.compile(
    r"\b(?:the|our|its|their|this)\s+(?:#1\s+|number[- ]one\s+|no\.?\s?1\s+)?"
    r"(?:best[- ]?selling|top[- ]selling|most[- ](?:popular|loved|wanted|purchased|ordered)"
    r"|best[- ]?seller|bestseller)\b|\bmost[- ](?:popular|loved|wanted|purchased)\b"
    r"|(?<!\w)#\s?1\b|\bnumber[- ]one\b"
    r"|\bno\.\s?1\b|销量第一|最畅销|最受欢迎|销冠|排名第一|卖得最好|最热销|人气第一|人气最高|销量冠军",
    re.IGNORECASE,
)
_TOP_N = re.compile(
    r"\bbest[- ]?sellers?\b|\bbest[- ]?selling\b|\btop[- ]?sellers?\b|\btop[- ]selling\b"
    r"|\b(?:customer|fan|crowd|cult|shopper) favou?rites?\b|\bcrowd[- ]pleasers?\b"
    r"|\bbest[- ]loved\b|\bpopular\b|\bin (?:high )?demand\b|\bhot[- ]?sellers?\b"
    r"|\beveryone'?s (?:talking about|favou?rite)\b"
    r"|热销|畅销|爆款|人气|受欢迎|热卖|大热|网红|卖爆|抢手|明星产品|镇店之宝|遥遥领先",
    re.IGNORECASE,
)
_TRENDING = re.compile(r"\btrending\b|\bgoing viral\b|\bviral\b|刷屏|火爆", re.IGNORECASE)
_COUNTS = re.compile(
    rf"\b(?:many|lots of|plenty of|countless|numerous|so many|a lot of)\s+(?:\w+\s+){{0,2}}?"
    rf"{_PEOPLE}\b"
    r"|\b(?P<mag>hundreds|thousands|millions|tens of thousands)\b(?:\s+of)?"
    r"|\b(?:over |more than |nearly |almost |)(?:a|one|half a) (?P<mag1>million|thousand|hundred)\b"
    rf"|\b(?:over|more than|nearly|almost|upwards of)\s+(?P<over>\d[\d,]*)\+?\s+(?:\w+\s+){{0,2}}?"
    rf"(?:{_PEOPLE}|reviews|ratings|sold|orders|units)\b"
    rf"|\b(?P<plus>\d[\d,]*)\+\s+(?:\w+\s+)?{_PEOPLE}"
    rf"|\b(?P<exact>\d[\d,]*)\s+(?:happy\s+|satisfied\s+|verified\s+)?(?:{_PEOPLE}|reviews"
    r"|ratings|orders|units sold)\b"
    r"|很多(?:观众|人|顾客|用户|买家|网友|茶友|朋友|粉丝)|众多|无数|大家都|(?P<zhmag>上万|数万|几万|十万|百万|千万)"
    r"(?:名|位|个)?|万人"
    rf"|(?P<zh>\d+|{CN_NUMBER})\s*(?:位|名|个)\s*(?:用户|顾客|买家|茶友|观众|网友|跑者|消费者|会员|客户)"
    rf"|(?:已售|售出|卖出|已卖|销量|月销|累计销售)(?:超过?|突破|达|逾|过)?\s*"
    rf"(?P<zhsold>\d+(?:\.\d+)?|{CN_NUMBER})\s*(?P<wan>万|千)?"
    rf"|\b(?P<kilo>\d+(?:\.\d+)?)\s?[kK]\+?\s+(?:\w+\s+)?(?:{_PEOPLE}|reviews|ratings|sold|orders)\b"
    rf"|\b(?:over|more than|nearly|almost|upwards of)\s+(?P<spelled>{SPELLED})\s+(?:\w+\s+){{0,2}}?"
    rf"(?:{_PEOPLE}|reviews|ratings|sold|orders|units)\b",
    re.IGNORECASE,
)
MANY = 100.0
"""The least count "many people", "lots of customers" and "很多观众" need."""
POSITIVE = 0.7
"""The least share of positive reviews "customers rave" and "好评如潮" need."""
_MAGNITUDES = {"hundreds": 200, "thousands": 2000, "tens of thousands": 20000, "millions": 2e6}
_RATING = re.compile(
    r"(?P<r>\d(?:\.\d)?)\s?[- ]?stars?\b|\b(?P<r2>\d(?:\.\d)?)\s*(?:out of|/)\s*(?:5|five)\b"
    r"|\brated\s+(?P<r3>\d(?:\.\d)?)\b|\b(?P<word>five|four)[- ]star\b"
    r"|(?<![\d.])(?P<r4>\d(?:\.\d)?)\s*分(?![贝钟])|评分\s*(?P<r5>\d(?:\.\d)?)|(?P<zhstar>五星|四星)"
    r"|好评率\s*(?P<pct>\d+(?:\.\d+)?)\s*%",
    re.IGNORECASE,
)
_TOP_RATED = re.compile(
    r"\b(?P<best>highest[- ]rated|best[- ]rated)\b|\btop[- ]rated\b|\bhighly[- ]rated\b"
    r"|\brated highly\b|\bwell[- ]reviewed\b|\bhighly reviewed\b|(?P<zhbest>评分最高)|高分",
    re.IGNORECASE,
)
_SENTIMENT = re.compile(
    rf"\b{_PEOPLE}\s+(?:\w+\s+)?(?:love|loves|adore|rave|raves|swear by|are raving|praise)\b"
    r"|\brave reviews\b|\bglowing reviews\b|\boverwhelmingly positive\b|\bpositive reviews\b"
    r"|\b(?:loved|adored|praised) by\b|\brave about\b|\bgreat reviews\b|\bfive[- ]star reviews\b"
    r"|好评如潮|好评不断|口碑(?:很好|极好|爆棚|载道|好)|广受好评|一致好评|交口称赞|赞不绝口|回购率高"
    r"|买家都说|好评",
    re.IGNORECASE,
)
_THANKS = re.compile(
    r"\bthanks?(?: you)?(?: so much)? for (?:the|your|this|such an?)(?:[\s-]+[\w-]+){0,3}?"
    r"[\s-]+(?:review|rating|feedback)\b"
    r"|(?:感谢|谢谢|多谢)(?:您|你|亲)?(?:的|给的|给出的)?(?:五星|5星|真诚的?)?(?:好评|评价|反馈)",
    re.IGNORECASE,
)
"""A reply thanking a reviewer for their own review: that person's words, not the shop's claim."""
_SUPERLATIVE = re.compile(
    r"\b(?:the|our|its|their)\s+(?:very\s+)?(?:best(?![- ](?:part|way to|of luck))|finest"
    r"|greatest|softest|warmest|lightest|sharpest|strongest|fastest|smoothest|richest|freshest"
    r"|purest|cheapest|lowest|highest|comfiest|cosiest|coziest|toughest|thinnest|quietest"
    r"|brightest|safest|healthiest|tastiest|most (?!of\b|popular)\w+"
    r"|(?!(?:inter|for|hon|mod|harv|lat|near|gu|requ|t|cont|qu|w|ch|n|v|cr|p|z|prot|sugg|dig"
    r"|arr|inv|earn|pri|manif|conqu|b|r)est\b)[a-z]{2,}est(?:[- ][a-z]+)?)\b"
    r"|\b[a-z]{3,}est-(?:lasting|looking|feeling|fitting|wearing|performing|sounding)\b"
    r"|\bworld'?s (?:best|first|leading|finest|\w+est)\b|\baward[- ]winning\b|\bvoted\b"
    r"|\btop pick\b|\b(?:first|go-to|number one) choice\b"
    r"|\brecommended by (?:experts|dermatologists|doctors|chefs|professionals|pros)\b"
    r"|\b(?:dermatologists?|doctors?|experts?|chefs?|pros?)'? (?:top |#1 )?(?:pick|choice)\b"
    r"|\bunbeatable\b|\bunmatched\b|\bsecond to none\b|\blike no other\b|\bbest[- ]ever\b"
    r"|\bbest in (?:class|the business)\b|\blowest prices?\b|\bbest prices?\b|\bbest value\b"
    r"|\bcheapest\b|\bindustry[- ]leading\b|\bmarket[- ]leading\b"
    r"|\b(?-i:[A-Z])[a-z]+'s (?:best|finest|favou?rite|#1|number one|top|most[- ]\w+)\b"
    r"|最(?!近|后|终|初|多|少|新|好尽快)[\u4e00-\u9fff]{1,2}|全网最低|史上最低|(?<!本店)第一(?!时间|次|步|眼)"
    r"|首选|之首|顶级|荣获|大奖|获奖|冠军|行业领先|无与伦比|独一无二|天花板|十大|最佳"
    r"|医生推荐|专家推荐|权威推荐|权威认证|专业推荐|官方认证|明星同款|网红推荐",
    re.IGNORECASE,
)


def _scoped(doc: Document, start: int) -> bool:
    return bool(_SCOPE.search(doc.sentence_text(start)))


@dataclass(frozen=True)
class _Rule:
    """How one kind of claim is judged on an item."""

    kind: ClaimKind
    test: Callable[[ItemView], bool]
    reason: str
    missing: str


def _judge(doc: Document, known: Known, span: tuple[int, int], rule: _Rule) -> None:
    if _scoped(doc, span[0]):
        doc.record(*span, rule.kind, False, "about the whole market: the facts know the shop")
        return
    ok = any(rule.test(v) for v in known.subjects(doc, span[0]))
    doc.record(*span, rule.kind, ok, rule.reason if ok else rule.missing)


def _count(view: ItemView) -> float:
    item = view.item
    counts = [c for c in (item.rating_count, item.positive_count, item.sold_count) if c is not None]
    return float(max(counts, default=-1))


def _exactly(said: float) -> Callable[[ItemView], bool]:
    def test(view: ItemView) -> bool:
        item = view.item
        counts = (item.rating_count, item.positive_count, item.sold_count)
        return said in {float(c) for c in counts if c is not None}

    return test


def _counts(doc: Document, known: Known, match: re.Match[str]) -> None:
    groups = {k: v for k, v in match.groupdict().items() if v}
    if "exact" in groups or "zh" in groups:
        said = any_number(groups.get("exact") or groups["zh"]) or 0
        rule = _Rule("popularity", _exactly(said), "the counts", "the facts give no such count")
        _judge(doc, known, match.span(), rule)
        return
    if "zhsold" in groups:
        base = any_number(groups["zhsold"]) or 0
        least = base * {"万": 10_000, "千": 1000}.get(groups.get("wan", ""), 1)
    elif "kilo" in groups:
        least = (parse_number(groups["kilo"]) or 0) * 1000
    elif "spelled" in groups:
        least = spelled_number(groups["spelled"]) or 0
    elif "over" in groups or "plus" in groups:
        least = parse_number(groups.get("over") or groups["plus"]) or 0
    elif "mag" in groups:
        least = _MAGNITUDES[groups["mag"].lower()]
    elif "mag1" in groups:
        least = {"million": 5e5, "thousand": 1000, "hundred": 100}[groups["mag1"].lower()]
    elif "zhmag" in groups:
        least = CN_LARGE.get(groups["zhmag"], 10_000)
    else:
        least = MANY
    rule = _Rule(
        "popularity",
        lambda v: _count(v) >= least,
        f"counts of at least {least:g}",
        f"the facts give no count of {least:g} or more",
    )
    _judge(doc, known, match.span(), rule)


def _share(share: float) -> Callable[[ItemView], bool]:
    return lambda v: (
        v.item.review_sentiment is not None and (abs(v.item.review_sentiment - share) <= 0.01)
    )


def _average(said: float) -> Callable[[ItemView], bool]:
    def test(view: ItemView) -> bool:
        avg = view.item.average_rating
        return avg is not None and abs(avg * 5 / view.item.rating_scale - said) <= 0.05

    return test


_PERSONAL_RATING = re.compile(
    r"\b(?:they|you|he|she|the (?:customer|user|viewer|person))\b[^.!?;]{0,40}"
    r"\b(?:rate[sd]?|gave|give[sn]?|score[sd]?)\b[^.!?;]{0,40}$"
    r"|(?:他|她|你|用户|顾客)[^。！？；]{0,20}(?:打了|给了|评了|打出)[^。！？；]{0,10}$",
    re.IGNORECASE,
)
"""Words before a rating that make it the person's own ("which they rate 5/5"), checked
against their history rather than the item's average."""


def _own_rating(doc: Document, known: Known, match: re.Match[str], said: float) -> bool:
    """Record a rating the text gives as the person's own; False when it is not one."""
    start = match.start()
    before = doc.text[max(0, start - 90) : start]
    if not _PERSONAL_RATING.search(before):
        return False
    rated = [h for h in known.facts.history if h.rating is not None]
    named = [h for h in rated if h.title.lower() in before.lower()]
    rated = named or rated  # the titles named just before it, when the text names some
    supported = any(abs((h.rating or 0.0) * 5 / h.rating_scale - said) <= 0.05 for h in rated)
    reason = (
        "the person gave such a rating"
        if supported
        else "the person's history holds no such rating"
    )
    doc.record(*match.span(), "history", supported, reason)
    return True


def _rating(doc: Document, known: Known, match: re.Match[str]) -> None:
    groups = {k: v for k, v in match.groupdict().items() if v}
    if "pct" in groups:
        rule = _Rule(
            "popularity",
            _share(float(groups["pct"]) / 100),
            "the share of positive reviews",
            "the facts give no such share of positive reviews",
        )
        _judge(doc, known, match.span(), rule)
        return
    word = (groups.get("word") or groups.get("zhstar") or "").lower()
    value = {"five": 5.0, "four": 4.0, "五星": 5.0, "四星": 4.0}.get(word)
    raw = next((groups[k] for k in ("r", "r2", "r3", "r4", "r5") if k in groups), None)
    said = value if value is not None else float(raw or 0)
    if _own_rating(doc, known, match, said):
        return
    rule = _Rule("popularity", _average(said), "the average rating", "no such average rating")
    _judge(doc, known, match.span(), rule)


def _top_rated(least: float) -> Callable[[ItemView], bool]:
    def test(view: ItemView) -> bool:
        avg = view.item.average_rating
        return avg is not None and avg * 5 / view.item.rating_scale >= least

    return test


def _positive(view: ItemView) -> bool:
    return (view.item.review_sentiment or 0) >= POSITIVE or _top_rated(4.0)(view)


def find(doc: Document, known: Known) -> None:
    """Record every superlative, popularity, rating and sentiment claim."""
    for match in doc.free_matches(_THANKS, over_names=True):
        doc.cover(*match.span())
    popular = known.facts.popular_rank
    rank_one = _Rule(
        "superlative",
        lambda v: v.item.bestseller_rank == 1,
        "the best-seller",
        "the facts give no best-seller rank of 1",
    )
    for match in doc.free_matches(_RANK_ONE, over_names=True):
        _judge(doc, known, match.span(), rank_one)
    for match in doc.free_matches(_COUNTS, over_names=True):
        _counts(doc, known, match)
    for match in doc.free_matches(_RATING, over_names=True):
        _rating(doc, known, match)
    for match in doc.free_matches(_TOP_RATED, over_names=True):
        if match["best"] or match["zhbest"]:
            doc.record(*match.span(), "superlative", False, "the facts rank no ratings")
            continue
        least = 4.0 if re.search(r"high|well|高分", match.group(), re.I) else 4.5
        rule = _Rule(
            "popularity",
            _top_rated(least),
            "a high average rating",
            f"the facts give no average rating of {least:g} or more",
        )
        _judge(doc, known, match.span(), rule)
    top_n = _Rule(
        "popularity",
        lambda v: v.item.bestseller_rank is not None and v.item.bestseller_rank <= popular,
        "a best-seller",
        f"the facts give no best-seller rank within {popular}",
    )
    for match in doc.free_matches(_TOP_N, over_names=True):
        _judge(doc, known, match.span(), top_n)
    trending = _Rule(
        "popularity",
        lambda v: bool(v.item.extra_fields().get("trending")),
        "trending",
        "the facts do not say it is trending",
    )
    for match in doc.free_matches(_TRENDING, over_names=True):
        _judge(doc, known, match.span(), trending)
    liked = _Rule("sentiment", _positive, "positive reviews", "the facts give no positive reviews")
    for match in doc.free_matches(_SENTIMENT, over_names=True):
        _judge(doc, known, match.span(), liked)
    for match in doc.free_matches(_SUPERLATIVE, over_names=True):
        words = normalise(match.group())
        said = any(v.says([words]) for v in known.items)
        why = "an attribute says so" if said else "nothing in the facts supports it"
        doc.record(*match.span(), "superlative", said, why)
