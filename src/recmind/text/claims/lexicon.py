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

MATERIALS = {
    "cotton": "cotton|纯棉|全棉|棉质|精梳棉|棉麻",
    "organic cotton": "organic cotton|有机棉",
    "egyptian cotton": "egyptian cotton|埃及棉",
    "pima cotton": "pima cotton|supima|supima cotton|长绒棉",
    "cotton percale": "percale|cotton percale",
    "linen": "linen|亚麻|棉麻",
    "silk": "silk|真丝|丝绸|桑蚕丝",
    "mulberry silk": "mulberry silk|桑蚕丝",
    "wool": "wool|woollen|woolen|羊毛",
    "merino wool": "merino|merino wool|美利奴",
    "cashmere": "cashmere|cashmere blend|羊绒|山羊绒",
    "alpaca": "alpaca|羊驼毛",
    "mohair": "mohair|马海毛",
    "leather": "leather|皮革|皮质",
    "genuine leather": "genuine leather|real leather|full-grain leather|top-grain leather"
    "|full grain leather|真皮|头层牛皮|牛皮",
    "faux leather": "faux leather|vegan leather|pu leather|imitation leather"
    "|synthetic leather|人造革|pu皮|仿皮",
    "suede": "suede|麂皮",
    "denim": "denim|牛仔布",
    "polyester": "polyester|涤纶|聚酯纤维",
    "nylon": "nylon|尼龙|锦纶",
    "ripstop nylon": "ripstop|ripstop nylon|格子布",
    "spandex": "spandex|elastane|lycra|氨纶",
    "viscose": "viscose|rayon|粘胶纤维",
    "modal": "modal|莫代尔",
    "bamboo": "bamboo|竹纤维|竹制",
    "velvet": "velvet|丝绒|天鹅绒",
    "satin": "satin|缎面",
    "fleece": "fleece|抓绒|摇粒绒",
    "down": "goose down|duck down|down-filled|down fill|羽绒|鹅绒|鸭绒",
    "down alternative": "down alternative|down-alternative|仿羽绒|仿丝棉",
    "canvas": "canvas|帆布",
    "rubber": "rubber|橡胶",
    "plastic": "plastic|塑料",
    "silicone": "silicone|硅胶",
    "stainless steel": "stainless steel|stainless|不锈钢",
    "damascus steel": "damascus|damascus steel|大马士革钢",
    "carbon steel": "carbon steel|high-carbon|high carbon|碳钢|高碳钢",
    "cast iron": "cast iron|cast-iron|铸铁",
    "aluminium": "aluminium|aluminum|铝合金|铝制",
    "titanium": "titanium|钛合金|纯钛",
    "copper": "copper|纯铜|紫铜|铜制",
    "brass": "brass|黄铜",
    "gold": "solid gold|18k gold|14k gold|gold-plated|gold plated|黄金|18k金|镀金",
    "silver": "sterling silver|925 silver|纯银|925银",
    "platinum": "platinum|铂金",
    "ceramic": "ceramic|陶瓷",
    "porcelain": "porcelain|bone china|骨瓷|瓷器",
    "stoneware": "stoneware|粗陶",
    "celadon": "celadon|青瓷",
    "glass": "glass|玻璃",
    "borosilicate glass": "borosilicate|borosilicate glass|高硼硅",
    "crystal": "crystal|水晶",
    "wood": "wood|wooden|木质|原木",
    "solid wood": "solid wood|实木",
    "oak": "oak|白橡木|橡木",
    "walnut": "walnut|胡桃木",
    "teak": "teak|柚木",
    "pine": "pine|松木",
    "beech": "beech|榉木",
    "maple": "maple|枫木",
    "acacia": "acacia|相思木",
    "marble": "marble|大理石",
    "granite": "granite|花岗岩",
    "cork": "cork|软木",
    "acrylic": "acrylic|亚克力",
    "latex": "latex|乳胶",
    "memory foam": "memory foam|记忆棉",
    "zisha clay": "zisha|yixing clay|紫砂",
    "jade": "jade|玉石",
    "pearl": "pearl|pearls|珍珠",
    "diamond": "diamond|diamonds|钻石",
    "gore-tex": "gore-tex|goretex",
}
COLOURS = {
    "black": "black|黑色",
    "white": "white|白色|纯白",
    "off-white": "off-white|off white|ivory|米白色|米白|象牙白",
    "beige": "beige|米色",
    "khaki": "khaki|卡其色|卡其",
    "camel": "camel|驼色",
    "tan": "tan",
    "brown": "brown|棕色|咖啡色|褐色",
    "grey": "grey|gray|灰色|深灰|浅灰",
    "charcoal": "charcoal|charcoal grey|炭灰",
    "heather grey": "heather grey|heather gray|麻灰",
    "silver colour": "silver|银色",
    "navy": "navy|navy blue|藏青色|藏青|海军蓝",
    "blue": "blue|蓝色",
    "sky blue": "sky blue|light blue|天蓝色|浅蓝",
    "teal": "teal|turquoise|湖蓝|孔雀蓝",
    "green": "green|绿色",
    "sage green": "sage green|sage|灰绿",
    "olive green": "olive green|army green|军绿",
    "forest green": "forest green|dark green|墨绿",
    "mint green": "mint green|薄荷绿",
    "neon green": "neon green|fluorescent green|荧光绿",
    "red": "red|红色",
    "burgundy": "burgundy|maroon|wine red|酒红色|酒红",
    "pink": "pink|粉色|粉红",
    "purple": "purple|violet|紫色",
    "lavender": "lilac|淡紫",
    "yellow": "yellow|黄色",
    "mustard": "mustard",
    "orange colour": "orange|橙色|橘色",
    "gold colour": "golden|金色",
    "champagne": "champagne|香槟色",
    "rose gold": "rose gold|玫瑰金",
    "natural wood": "natural wood|原木色",
}
FEATURES = {
    "waterproof": "waterproof|water-proof|fully waterproof|防水",
    "water-resistant": "water-resistant|water resistant|water resistance|water-repellent"
    "|splash-proof|splashproof|泼水|防泼水",
    "windproof": "windproof|防风",
    "breathable": "breathable|透气",
    "bluetooth": "bluetooth|蓝牙",
    "wireless": "wireless|无线",
    "wireless charging": "wireless charging|无线充电",
    "fast charging": "fast charging|fast-charging|快充",
    "noise cancelling": "noise-cancelling|noise cancelling|noise-canceling|noise canceling|降噪",
    "rechargeable": "rechargeable|可充电",
    "dishwasher safe": "dishwasher-safe|dishwasher safe|dishwasher|洗碗机",
    "microwave safe": "microwave-safe|microwave safe|微波炉",
    "oven safe": "oven-safe|oven safe|ovenproof|oven-proof|烤箱",
    "induction": "induction|induction-compatible|电磁炉",
    "non-stick": "non-stick|nonstick|不粘",
    "pre-seasoned": "pre-seasoned|preseasoned",
    "machine washable": "machine washable|machine-washable|machine wash|machine-wash|可机洗|机洗",
    "hand wash": "hand wash|hand-wash|hand washing|手洗",
    "dry clean": "dry clean|dry-clean|干洗",
    "wrinkle-free": "wrinkle-free|wrinkle resistant|non-iron|抗皱|免烫",
    "quick-dry": "quick-dry|quick dry|quick-drying|速干",
    "moisture-wicking": "moisture-wicking|sweat-wicking|吸湿排汗|排汗",
    "stretch": "stretchy|four-way stretch|弹力",
    "insulated": "insulated|double-walled|保温",
    "thermal": "thermal|保暖",
    "lightweight": "lightweight|ultralight|ultra-light|featherweight|轻便|轻量",
    "foldable": "foldable|collapsible|可折叠",
    "portable": "portable|便携",
    "adjustable": "adjustable|可调节",
    "cordless": "cordless",
    "uv protection": "uv protection|upf|防紫外线",
    "non-slip": "non-slip|anti-slip|防滑",
    "shockproof": "shockproof|防摔|防震",
    "scratch-resistant": "scratch-resistant|scratch resistant|防刮",
    "stain-resistant": "stain-resistant|stain resistant|防污",
    "hypoallergenic": "hypoallergenic|低敏|防过敏",
    "organic": "organic|certified organic|有机",
    "vegan": "vegan|纯素",
    "cruelty-free": "cruelty-free|cruelty free|零残忍|无动物测试",
    "fragrance-free": "fragrance-free|fragrance free|unscented|无香精|无香料",
    "paraben-free": "paraben-free|paraben free|无防腐剂",
    "gluten-free": "gluten-free|gluten free|无麸质",
    "sugar-free": "sugar-free|sugar free|无糖",
    "handmade": "handmade|hand-made|handcrafted|hand-crafted|hand-stitched|hand-sewn"
    "|hand-poured|hand-thrown|手工|手作|纯手工",
    "machine-made": "machine-made|mass-produced|机器制作|机制|量产",
    "recycled": "recycled|再生材料|可回收",
    "eco-friendly": "eco-friendly|环保",
    "sustainable": "sustainably|sustainable|可持续",
    "biodegradable": "biodegradable|compostable|可降解",
    "bpa-free": "bpa-free|bpa free|无双酚a",
    "fair trade": "fair trade|fairtrade|fair-trade|公平贸易",
    "limited edition": "limited edition|limited-edition|限量版|限定款",
    "unisex": "unisex|男女同款",
    "slim fit": "slim fit|slim-fit|修身",
    "regular fit": "regular fit|regular-fit",
    "relaxed fit": "relaxed fit|relaxed-fit|loose fit|宽松",
    "oversized": "oversized|oversize|落肩",
    "long sleeve": "long-sleeve|long sleeve|长袖",
    "hooded": "hooded|连帽",
    "carbon plate": "carbon plate|carbon-plated|碳板",
    "nitrogen foam": "nitrogen|氮气",
    "single origin": "single-origin|single origin|单一产地|单品豆",
    "decaf": "decaf|decaffeinated|低因|无咖啡因",
    "light roast": "light roast|light-roast|浅烘|浅度烘焙",
    "medium roast": "medium roast|medium-roast|中烘|中度烘焙",
    "dark roast": "dark roast|dark-roast|espresso roast|深烘|深度烘焙",
    "washed process": "washed process|washed coffee|水洗",
    "natural process": "natural process|sun-dried|日晒",
    "scrub": "scrub|exfoliating|exfoliant|磨砂|去角质",
    "clinically proven": "clinically proven|clinically tested|scientifically proven"
    "|dermatologist tested|dermatologist-tested|临床验证|临床证明|临床测试",
    "whitening": "whitening|美白",
    "anti-ageing": "anti-ageing|anti-aging|抗衰老|抗老",
    "retinol": "retinol|视黄醇|a醇",
    "niacinamide": "niacinamide|烟酰胺",
    "hyaluronic acid": "hyaluronic acid|hyaluronic|玻尿酸|透明质酸",
    "vitamin c": "vitamin c|维c|维生素c",
    "salicylic acid": "salicylic acid|水杨酸",
    "collagen": "collagen|胶原蛋白",
    "peptides": "peptide|peptides|多肽|胜肽",
    "ceramides": "ceramide|ceramides|神经酰胺",
    "amino acid": "amino acid|amino acids|氨基酸",
    "bed queen": "queen|queen size|queen-size|大号床",
    "bed king": "king|king size|king-size|super king|california king|特大号床",
    "bed twin": "twin size|single bed|单人床",
}
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
    "smoky": "smoky|烟熏",
    "stone fruit": "stone fruit|peach|apricot|桃子|杏",
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
