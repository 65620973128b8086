"""Products the text offers that are not among the items: a product noun after words that
offer or add something ("our matching belt", "try the new grinder", "搭配我们的真丝眼罩",
"同系列实木餐椅也已上架") must be an item's (its title, category, tags or attributes)."""

from __future__ import annotations

import re
from functools import cache

from recmind.text.claims.document import Document
from recmind.text.claims.known import Known
from recmind.text.claims.lexicon import surface_pattern, surfaces
from recmind.text.grounding.matching import normalise

NOUNS = {
    "sweater": "sweater|jumper|pullover|knit|knitwear|毛衣|针织衫",
    "cardigan": "cardigan|开衫",
    "hoodie": "hoodie|sweatshirt|卫衣",
    "t-shirt": "t-shirt|tee|t shirt|t恤|短袖",
    "shirt": "shirt|blouse|衬衫",
    "dress": "dress|连衣裙|裙子",
    "skirt": "skirt|半身裙",
    "jeans": "jeans|牛仔裤",
    "trousers": "trousers|pants|chinos|裤子|长裤",
    "shorts": "shorts|短裤",
    "leggings": "leggings|打底裤",
    "jacket": "jacket|夹克|外套",
    "coat": "coat|parka|大衣",
    "vest": "vest|gilet|马甲",
    "hat": "beanie|hat|cap|帽子|毛线帽",
    "scarf": "scarf|scarves|围巾",
    "gloves": "gloves|mittens|手套",
    "socks": "socks|袜子|跑步袜|运动袜",
    "pyjamas": "pyjamas|pajamas|睡衣",
    "eye mask": "eye mask|sleep mask|眼罩",
    "shoes": "shoes|sneakers|trainers|跑鞋|运动鞋|球鞋|皮鞋",
    "boots": "boots|靴子",
    "sandals": "sandals|slippers|凉鞋|拖鞋",
    "belt": "belt|腰带|皮带",
    "wallet": "wallet|钱包",
    "bag": "handbag|tote|tote bag|backpack|rucksack|duffel|手提包|背包|双肩包",
    "watch": "watch|手表",
    "jewellery": "necklace|bracelet|earrings|项链|手链|耳环",
    "sunglasses": "sunglasses|墨镜|太阳镜",
    "knife": "knife|knives|菜刀|厨刀",
    "knife block": "knife block|刀座|刀架",
    "sharpener": "knife sharpener|sharpener|whetstone|磨刀石|磨刀器",
    "pan": "skillet|frying pan|pan|煎锅|平底锅",
    "dutch oven": "dutch oven|casserole|铸铁锅|珐琅锅",
    "wok": "wok|炒锅",
    "pot": "saucepan|stockpot|汤锅",
    "kettle": "kettle|烧水壶",
    "teapot": "teapot|茶壶|紫砂壶",
    "mug": "mug|cup|tumbler|杯子|茶杯|马克杯|水杯",
    "tea set": "tea set|茶具",
    "grinder": "grinder|burr grinder|磨豆机",
    "scale": "coffee scale|kitchen scale|电子秤",
    "dripper": "dripper|pour-over|滤杯|手冲壶",
    "filters": "filters|filter papers|滤纸",
    "cutting board": "cutting board|chopping board|砧板",
    "apron": "apron|围裙",
    "coffee": "coffee|espresso|咖啡",
    "tea": "white tea|black tea|green tea|oolong|matcha|白茶|红茶|绿茶|乌龙|普洱|抹茶",
    "gift box": "gift box|gift set|sampler|礼盒",
    "earbuds": "earbuds|earphones|in-ear|耳塞",
    "headphones": "headphones|headset|over-ear|头戴耳机|头戴式耳机",
    "charger": "charger|charging pad|charging dock|dock|charging stand|充电器|充电头|充电座",
    "cable": "cable|数据线|充电线",
    "power bank": "power bank|充电宝|移动电源",
    "phone case": "phone case|手机壳",
    "duvet": "duvet|comforter|duvet cover|被套|被子|羽绒被",
    "sheets": "sheet set|sheets|bed sheets|床单|四件套",
    "pillow": "pillow|枕头",
    "pillowcase": "pillowcase|枕套",
    "blanket": "blanket|weighted blanket|throw|毯子|毛毯|盖毯",
    "mattress": "mattress|mattress topper|床垫",
    "rug": "rug|carpet|地毯",
    "curtains": "curtains|drapes|窗帘",
    "towel": "towel|bath towel|毛巾|浴巾",
    "candle": "candle|蜡烛|香薰蜡烛",
    "diffuser": "diffuser|reed diffuser|香薰机|扩香|无火香薰",
    "room spray": "room spray|linen spray|室内喷雾",
    "lamp": "lamp|台灯",
    "vase": "vase|花瓶",
    "table": "table|dining table|coffee table|餐桌|茶几",
    "chair": "chair|dining chair|stool|餐椅|椅子",
    "sofa": "sofa|couch|沙发",
    "shelf": "shelf|bookcase|书架|置物架",
    "cushion": "cushion|抱枕|靠垫",
    "serum": "serum|精华|精华液",
    "moisturiser": "moisturiser|moisturizer|face cream|面霜",
    "day cream": "day cream|日霜",
    "night cream": "night cream|晚霜",
    "eye cream": "eye cream|眼霜",
    "sunscreen": "sunscreen|sunblock|防晒霜",
    "cleanser": "cleanser|face wash|洁面|洁面乳|洗面奶",
    "toner": "toner|爽肤水|化妆水",
    "mask": "face mask|sheet mask|面膜",
    "lip": "lip balm|lipstick|润唇膏|口红",
    "perfume": "perfume|fragrance mist|香水",
    "tent": "tent|帐篷",
    "sleeping bag": "sleeping bag|睡袋",
    "poles": "trekking poles|hiking poles|poles|登山杖",
    "stove": "camping stove|炉具",
    "lantern": "lantern|headlamp|营地灯|头灯",
    "water bottle": "water bottle|水壶",
    "yoga mat": "yoga mat|瑜伽垫",
    "speaker": "speaker|soundbar|subwoofer|音箱|音响|低音炮",
    "purifier": "air purifier|purifier|空气净化器|净化器",
    "humidifier": "humidifier|dehumidifier|加湿器|除湿机",
    "vacuum": "vacuum|robot vacuum|吸尘器|扫地机",
    "fan": "fan|heater|风扇|电暖器|取暖器",
    "kettle electric": "coffee maker|coffee machine|espresso machine|咖啡机",
    "cold brew": "cold brew|冷萃|冷萃咖啡|咖啡液",
    "beans": "coffee beans|咖啡豆",
    "drip bags": "drip bags|drip coffee|挂耳|挂耳咖啡",
    "bread": "bread|loaf|loaves|sourdough|baguette|面包|吐司",
    "jam": "jam|preserves|marmalade|果酱",
    "bakes": "cookie|biscuit|croissant|muffin|cake|brownie|bun|scone|蛋糕|饼干|曲奇",
    "snacks": "granola|crackers|chocolate bar|坚果礼盒|零食",
    "baby": "diapers|nappies|baby wipes|wipes|纸尿裤|尿不湿|湿巾|爽身粉|奶瓶",
    "case": "carry case|carrying case|travel case|protective case|phone case|pouch|travel pouch"
    "|dust bag|收纳袋|保护套|收纳包|便携包",
    "adapter": "adapter|power bank|适配器|充电宝",
    "strap": "shoulder strap|wrist strap|lanyard|carabiner|挂绳|背带",
    "stand": "phone stand|laptop stand|wall mount|支架",
    "remote": "remote control|遥控器",
}
_CUE_EN = re.compile(
    r"\b(?:our|we(?:'ve| have| also)? (?:got|have|sell|offer|carry|stock|make)"
    r"|also (?:try|available|check out|consider|grab|pick up|add)|try (?:the|our|a|an)"
    r"|add (?:our|the|a|an)|pair (?:it|them|this|with)|complete (?:the|your) \w+ with"
    r"|finish (?:the|your|it) \w*\s?with|comes with|comes in (?:a|an|its own)|ships with"
    r"|in the box|packaged (?:in|with)|with (?:a|an) (?:free|handy|matching|bonus)"
    r"|includes?|including|bundled? with|matching|introducing|meet (?:the|our)|throw in"
    r"|don't forget|check out|shop (?:the|our)|grab (?:the|our|a)|round out|new)\b",
    re.IGNORECASE,
)
_CUE_ZH = re.compile(
    r"我们的|本店|同系列|同款|另有|搭配|推荐|新品|也有|还有|赠送|附赠|加购|配套|再来|试试"
    r"|附送|配有|内含|随附|自带|标配"
)
_CUE_AFTER = re.compile(
    r"^\s*(?:同步开售|也已上架|同步上架|上架|上市|开售|一起下单|限时上市|可供选择)"
)


_LAUNCH_ZH = re.compile(
    r"(?:同系列|同款|新品|新款|全新)(?P<x>[\u4e00-\u9fffA-Za-z0-9]{2,12}?)"
    r"(?:也已|同步|已经|现已|正式|即将)?(?:上架|开售|上市|发售)"
)
"""A product launched next to the items ("同系列加湿器也已上架"): it must be an item."""


@cache
def _lookup() -> tuple[re.Pattern[str], dict[str, str]]:
    table = {s: name for name, spec in NOUNS.items() for s in surfaces(spec)}
    ordered = sorted(table, key=lambda s: (-len(s), s))
    return re.compile("|".join(surface_pattern(s) for s in ordered), re.IGNORECASE), table


def noun(surface: str) -> str | None:
    """The product type a surface names (``knives`` -> ``knife``), if any."""
    _, table = _lookup()
    key = surface.lower()
    for candidate in (key, key[:-1], key[:-2], re.sub(r"ves$", "fe", key)):
        if candidate in table:
            return table[candidate]
    return None


def _launches(doc: Document, known: Known) -> None:
    for match in doc.free_matches(_LAUNCH_ZH):
        name = normalise(match["x"])
        if not any(name in normalise(v.item.title) or name in v.text for v in known.items):
            doc.record(*match.span("x"), "product", False, f"no item in the facts is {name}")


def find(doc: Document, known: Known) -> None:
    """Record every product the text offers that no item is."""
    _launches(doc, known)
    pattern, _ = _lookup()
    for match in doc.free_matches(pattern):
        name = noun(match.group())
        if name is None:
            continue
        before = doc.text[max(doc.sentence(match.start())[0], match.start() - 40) : match.start()]
        after = doc.text[match.end() : match.end() + 8]
        en_cue = _CUE_EN.search(before)
        cued = (en_cue is not None and len(before[en_cue.end() :].split()) <= 5) or bool(
            _CUE_ZH.search(before[-10:]) or _CUE_AFTER.search(after)
        )
        if not cued or re.search(r"\byour\s+(?:\w+\s+)?$", before, re.IGNORECASE):
            continue
        said = [s for s in surfaces(NOUNS[name])]
        if any(v.says(said) for v in known.items) or any(
            normalise(s) in normalise(e.title) for e in known.facts.history for s in said
        ):
            continue
        doc.record(*match.span(), "product", False, f"no item in the facts is a {name}")
