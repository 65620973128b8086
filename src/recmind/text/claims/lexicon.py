"""Words that state an attribute of an item, English and Chinese, by canonical term.

Each entry is ``canonical: surfaces`` (``|``-separated; English surfaces match as words,
spaces and hyphens interchangeable; Chinese ones as written). A term in a text is supported
when an item's facts contain one of its surfaces, or a surface of a term that implies it
(``merino wool`` implies ``wool``; ``waterproof`` implies ``water-resistant``). Terms of one
*group* are only read as claims when the facts themselves speak that group's language (a
film's genres, a coffee's tasting notes), so "action" in a shop's email is not a genre.
"""

from __future__ import annotations

import re
from functools import cache

from recmind.text.claims.terms import COLOURS, FEATURES, MATERIALS

ORIGINS = {
    "italy": "italy|italian|意大利",
    "france": "france|法国",
    "japan": "japan|japanese|日本",
    "china": "made in china|中国制造",
    "usa": "usa|made in america|美国",
    "uk": "made in britain|british-made|英国",
    "germany": "germany|german-made|德国",
    "spain": "spain|西班牙",
    "portugal": "portugal|portuguese|葡萄牙",
    "turkey": "turkish|土耳其",
    "india": "india|印度",
    "vietnam": "vietnam|越南",
    "peru": "peru|peruvian|秘鲁",
    "mongolia": "mongolia|mongolian|蒙古",
    "new zealand": "new zealand|新西兰",
    "australia": "australia|australian|澳大利亚|澳洲",
    "egypt": "egypt|埃及",
    "ethiopia": "ethiopia|ethiopian|埃塞俄比亚",
    "kenya": "kenya|kenyan|肯尼亚",
    "colombia": "colombia|colombian|哥伦比亚",
    "brazil": "brazil|brazilian|巴西",
    "guatemala": "guatemala|危地马拉",
    "costa rica": "costa rica|哥斯达黎加",
    "indonesia": "indonesia|sumatra|印尼|苏门答腊",
    "jamaica": "jamaica|blue mountain|牙买加|蓝山",
    "yunnan": "yunnan|云南",
    "anji": "anji|安吉",
    "wuyi": "wuyi|武夷",
    "scotland": "scotland|scottish|苏格兰",
    "ireland": "ireland|irish|爱尔兰",
    "sweden": "sweden|swedish|瑞典",
    "switzerland": "switzerland|swiss|瑞士",
    "korea": "korea|korean|韩国",
    "nordic": "nordic|scandinavian|北欧",
    "north america": "north american|北美",
    "jingdezhen": "jingdezhen|景德镇",
    "yixing": "yixing|宜兴",
}
GENRES = {
    "comedy": "comedy|comedies|comic|comedic|喜剧",
    "drama": "drama|dramas|dramatic|剧情",
    "thriller": "thriller|thrillers|惊悚",
    "horror": "horror|恐怖",
    "romance": "romance|romantic|爱情",
    "action": "action|动作",
    "adventure": "adventure|冒险",
    "animation": "animation|animated|动画",
    "documentary": "documentary|纪录片",
    "musical": "musical|musicals|歌舞",
    "western": "western|westerns|西部片",
    "crime": "crime|犯罪",
    "mystery": "mystery|悬疑",
    "fantasy": "fantasy|奇幻",
    "sci-fi": "sci-fi|science fiction|scifi|科幻",
    "film noir": "film noir|noir|黑色电影",
    "war": "war film|war films|战争片",
}
FLAVOURS = {
    "chocolate": "chocolate|dark chocolate|cocoa|巧克力|可可",
    "caramel": "caramel|焦糖",
    "vanilla": "vanilla|香草",
    "hazelnut": "hazelnut|nutty|坚果|榛子",
    "citrus": "citrus|lemon|lime|grapefruit|柑橘|柠檬",
    "berry": "berry|berries|blueberry|strawberry|blackcurrant|莓果|蓝莓|草莓",
    "jasmine": "jasmine|茉莉",
    "bergamot": "bergamot|佛手柑",
    "honey": "honey|蜂蜜",
    "stone fruit": "stone fruit|peach|apricot|桃子|杏",
    "lavender": "lavender|薰衣草",
    "rose": "rose|玫瑰",
    "sandalwood": "sandalwood|檀香",
    "cedarwood": "cedarwood|cedar|雪松",
    "fig": "fig|无花果",
    "smoke": "smoke|smoky|烟熏",
    "floral": "floral notes|花香",
    "fruity": "fruity notes|果香|果酸",
}
IMPLIES = {
    "merino wool": ("wool",),
    "cashmere": ("wool",),
    "organic cotton": ("cotton", "organic"),
    "egyptian cotton": ("cotton",),
    "pima cotton": ("cotton",),
    "cotton percale": ("cotton",),
    "mulberry silk": ("silk",),
    "genuine leather": ("leather",),
    "ripstop nylon": ("nylon",),
    "damascus steel": ("carbon steel",),
    "solid wood": ("wood",),
    "oak": ("wood", "solid wood"),
    "walnut": ("wood",),
    "teak": ("wood",),
    "pine": ("wood",),
    "beech": ("wood",),
    "maple": ("wood",),
    "acacia": ("wood",),
    "borosilicate glass": ("glass",),
    "porcelain": ("ceramic",),
    "stoneware": ("ceramic",),
    "celadon": ("ceramic", "porcelain"),
    "zisha clay": ("ceramic", "handmade"),
    "waterproof": ("water-resistant",),
    "bluetooth": ("wireless",),
    "wireless charging": ("wireless",),
    "navy": ("blue",),
    "sky blue": ("blue",),
    "teal": ("blue", "green"),
    "charcoal": ("grey",),
    "heather grey": ("grey",),
    "sage green": ("green",),
    "olive green": ("green",),
    "forest green": ("green",),
    "mint green": ("green",),
    "neon green": ("green",),
    "burgundy": ("red",),
    "off-white": ("white",),
    "lavender": ("purple",),
    "natural wood": ("wood",),
    "insulated": ("thermal",),
    "quick-dry": ("moisture-wicking",),
    "bed king": (),
}
GROUPS = {
    "material": MATERIALS,
    "colour": COLOURS,
    "feature": FEATURES,
    "origin": ORIGINS,
    "genre": GENRES,
    "flavour": FLAVOURS,
}
GATED = frozenset({"genre", "flavour"})
"""Groups read as claims only when the facts use at least one of their terms."""


def surfaces(spec: str) -> list[str]:
    return [s.strip().lower() for s in spec.split("|") if s.strip()]


def surface_pattern(surface: str) -> str:
    """A regex for one surface: English words bounded, spaces and hyphens interchangeable,
    a plural ``s`` allowed on a final English word; Chinese as written."""
    if re.search(r"[\u3400-\u9fff]", surface):
        return re.escape(surface)
    words = [re.escape(w) for w in re.split(r"[\s-]+", surface) if w]
    body = r"[\s-]?".join(words)
    return rf"(?<![A-Za-z0-9]){body}(?:e?s)?(?![A-Za-z0-9])"


@cache
def lookup() -> dict[str, tuple[str, str]]:
    """Every surface -> (group, canonical term)."""
    found: dict[str, tuple[str, str]] = {}
    for group, terms in GROUPS.items():
        for canonical, spec in terms.items():
            for surface in surfaces(spec):
                found.setdefault(surface, (group, canonical))
    return found


@cache
def pattern() -> re.Pattern[str]:
    """One case-insensitive pattern for every surface, longest first."""
    ordered = sorted(lookup(), key=lambda s: (-len(s), s))
    return re.compile("|".join(surface_pattern(s) for s in ordered), re.IGNORECASE)


def canonical_of(surface: str) -> tuple[str, str] | None:
    """The group and canonical term of a matched surface."""
    key = re.sub(r"[\s-]+", " ", surface.lower()).strip()
    table = {re.sub(r"[\s-]+", " ", s): v for s, v in lookup().items()}
    for candidate in (key, key[:-1], key[:-2]):
        if candidate in table:
            return table[candidate]
    return None


def supporting_surfaces(canonical: str) -> list[str]:
    """The surfaces whose presence in the facts supports ``canonical``: its own and those
    of every term that implies it."""
    terms = [canonical] + [t for t, implied in IMPLIES.items() if canonical in implied]
    out: list[str] = []
    for group in GROUPS.values():
        for term in terms:
            if term in group:
                out.extend(surfaces(group[term]))
    return out
