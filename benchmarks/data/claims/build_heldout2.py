"""Writes the claim checker's second held-out batch: ``heldout2.jsonl``.

Written by hand on new facts (scenarios X1-X7), in styles and phrasings the first set does
not use: numbers as words, currency codes and signs (USD, GBP, RMB, ¥, 元), dates in several
formats, "a fifth off", BOGO, SMS and ad-headline shapes, review replies, explanations. Each
text carries one planted error or none (``clean``); the clean texts are tricky on purpose (true
facts phrased unusually). The batch was measured once, before any change to the checker made
because of it (``FRESH_FIRST_PASS`` in ``benchmarks/claim_checker.py``).

    .venv/bin/python benchmarks/data/claims/build_heldout2.py

Each line: ``{"id", "scenario", "lang", "split", "expected", "text", "facts"}``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent

FACTS: dict[str, dict[str, Any]] = {
    "X1": {
        "items": [
            {
                "item_id": "fb-ro",
                "title": "Rosehip Renewal Face Oil",
                "price": 38.00,
                "currency": "USD",
                "stock": 5,
                "attributes": {
                    "volume": "30 ml",
                    "ingredients": "cold-pressed rosehip oil",
                    "vegan": True,
                    "fragrance_free": True,
                    "skin_type": "dry and normal skin",
                },
                "bestseller_rank": 2,
                "average_rating": 4.8,
                "rating_count": 1240,
            },
            {
                "item_id": "fb-cb",
                "title": "Oat Milk Cleansing Balm",
                "price": 24.00,
                "currency": "USD",
                "stock": 60,
                "attributes": {"size": "100 ml", "contains": ["colloidal oat", "beeswax"]},
            },
        ],
        "offer": {"discount_percent": 20, "code": "GLOW20", "ends": "2025-03-16"},
        "policies": {"free_shipping_over": 50, "returns_days": 30},
        "brand": "Fernleaf Botanics",
        "recipient": "Priya",
        "now": "2025-03-12T10:00:00",
    },
    "X2": {
        "items": [
            {
                "item_id": "vw-pm",
                "title": "Pulse Mini Bluetooth Speaker",
                "price": 49.99,
                "currency": "GBP",
                "stock": 40,
                "attributes": {
                    "battery_life": "12 hours",
                    "waterproof_rating": "IPX7",
                    "colours": ["teal", "black"],
                    "weight": "310 g",
                    "bluetooth": "5.3",
                },
                "new": True,
            },
            {
                "item_id": "vw-arc",
                "title": "Arc Wireless Charging Pad",
                "price": 29.99,
                "old_price": 34.99,
                "currency": "GBP",
                "stock": 3,
                "attributes": {
                    "output": "15W",
                    "colour": "white",
                    "cable": "USB-C cable included",
                },
            },
        ],
        "offer": None,
        "policies": {"free_shipping_over": 40, "returns_days": 14, "warranty_years": 2},
        "brand": "Voltwise",
        "recipient": "Tom",
        "now": "2025-06-02T18:00:00",
    },
    "X3": {
        "items": [
            {
                "item_id": "sl-lj",
                "title": "明前西湖龙井 250克",
                "price": 368,
                "currency": "CNY",
                "stock": 15,
                "attributes": {
                    "产地": "杭州西湖",
                    "等级": "特级",
                    "净含量": "250克",
                    "采摘": "明前",
                },
                "bestseller_rank": 1,
                "average_rating": 4.9,
                "rating_count": 3200,
            },
            {
                "item_id": "sl-pe",
                "title": "云南古树普洱饼 357克",
                "price": 198,
                "currency": "CNY",
                "stock": 6,
                "attributes": {
                    "产地": "云南临沧",
                    "类型": "生茶",
                    "年份": "2019年",
                    "净含量": "357克",
                },
            },
        ],
        "offer": {
            "discount_percent": 10,
            "code": "TEA88",
            "ends": "2025-04-05",
            "name": "清明茶季",
        },
        "policies": {"free_shipping_over": 99, "returns_days": 7},
        "brand": "山岚茶舍",
        "recipient": "王女士",
        "now": "2025-04-01T09:00:00",
    },
    "X4": {
        "items": [
            {
                "item_id": "zy-sh",
                "title": "亚麻休闲衬衫",
                "price": 259,
                "currency": "CNY",
                "stock": 30,
                "attributes": {
                    "面料": "100%亚麻",
                    "颜色": ["白色", "雾蓝"],
                    "尺码": ["S", "M", "L", "XL"],
                    "版型": "宽松",
                },
            },
            {
                "item_id": "zy-tr",
                "title": "高腰阔腿裤",
                "price": 199,
                "old_price": 299,
                "currency": "CNY",
                "stock": 2,
                "attributes": {"面料": "棉麻混纺", "颜色": "卡其色", "尺码": ["S", "M", "L"]},
            },
        ],
        "offer": {"discount_percent": 20, "code": None, "ends": "2025-07-20", "name": "夏日换季"},
        "policies": {"free_shipping_over": 0, "returns_days": 15, "运费险": True},
        "brand": "织屿",
        "recipient": "小林",
        "now": "2025-07-15T12:00:00",
    },
    "X5": {
        "items": [
            {
                "item_id": "hw-do",
                "title": "Alder Cast Iron Dutch Oven 5.5 qt",
                "price": 129.00,
                "currency": "USD",
                "stock": 18,
                "attributes": {
                    "capacity": "5.5 quart",
                    "material": "enamelled cast iron",
                    "colour": "sage green",
                    "oven_safe": "500°F",
                    "dishwasher_safe": False,
                },
                "sold_count": 12500,
                "average_rating": 4.7,
                "rating_count": 860,
            },
            {
                "item_id": "hw-tt",
                "title": "Linen Tea Towels (set of 3)",
                "price": 28.00,
                "currency": "USD",
                "stock": 0,
                "attributes": {
                    "material": "stonewashed linen",
                    "colour": "oat",
                    "size": "50 x 70 cm",
                },
            },
        ],
        "offer": {
            "amount_off": 25,
            "min_spend": 100,
            "code": "HEARTH25",
            "ends": "2025-12-01T23:59:00",
        },
        "policies": {"free_shipping_over": 75, "returns_days": 60, "price_match": True},
        "brand": "Hearthwood",
        "recipient": "Elena",
        "now": "2025-11-28T09:00:00",
    },
    "X6": {
        "items": [
            {
                "item_id": "m-heat",
                "title": "Heat (1995)",
                "tags": ["Crime", "Thriller", "Action"],
                "average_rating": 4.1,
                "rating_count": 420,
            }
        ],
        "offer": None,
        "policies": {},
        "brand": "recmind movies",
        "history": [
            {
                "title": "The Godfather (1972)",
                "rating": 5,
                "recent": True,
                "tags": ["Crime", "Drama"],
            },
            {
                "title": "Toy Story (1995)",
                "rating": 2,
                "recent": False,
                "tags": ["Animation", "Comedy", "Children"],
            },
            {
                "title": "Speed (1994)",
                "rating": 4,
                "recent": True,
                "tags": ["Action", "Thriller", "Romance"],
            },
        ],
    },
    "X7": {
        "items": [{"item_id": "m-pf", "title": "海上钢琴师 (1998)", "tags": ["剧情", "音乐"]}],
        "offer": None,
        "policies": {},
        "brand": "recmind movies",
        "history": [
            {"title": "放牛班的春天 (2004)", "rating": 5, "recent": True, "tags": ["剧情", "音乐"]},
            {"title": "速度与激情 (2001)", "rating": 1, "recent": False, "tags": ["动作"]},
        ],
    },
}

TEXTS: dict[str, list[tuple[str, str]]] = {
    "X1": [
        ("clean", "Priya — GLOW20 takes a fifth off everything until Sun 16 Mar."),
        ("clean", "Rosehip Renewal Face Oil: USD 38 → USD 30.40 with GLOW20."),
        ("clean", "Thirty millilitres of cold-pressed rosehip oil, vegan and fragrance-free."),
        ("clean", "The face oil is rated 4.8/5 across 1,240 reviews."),
        (
            "clean",
            "Orders of $50 or more ship free. Changed your mind? You've got thirty days to send it back.",
        ),
        ("clean", "Only five bottles of the face oil remain."),
        ("clean", "Offer ends 16/03/2025."),
        (
            "clean",
            "Oat Milk Cleansing Balm, 100 ml, with colloidal oat and beeswax: $19.20 after code GLOW20.",
        ),
        ("clean", "Our number-two best-seller, the Rosehip Renewal Face Oil."),
        ("clean", "Rosehip Face Oil | 20% Off | Code GLOW20"),
        (
            "clean",
            "Thank you for the lovely review, Priya! We're so glad the face oil suits your dry skin.",
        ),
        ("price", "Just twenty-two dollars for the Oat Milk Cleansing Balm."),
        ("price", "Rosehip Renewal Face Oil: $28.50 with GLOW20."),
        ("discount", "Half price on the face oil, this week only."),
        ("discount", "BOGO: buy one cleansing balm, get one free."),
        ("discount", "GLOW20 now gives you 25 percent off."),
        ("code", "Enter FERNLEAF10 at checkout for an extra treat."),
        ("code", "Use promo code GLOW25 before Sunday."),
        ("attribute", "The face oil has a light lavender scent."),
        ("attribute", "A generous 50 ml bottle of rosehip oil."),
        ("attribute", "The cleansing balm is 100% vegan."),
        ("attribute", "Formulated for oily, acne-prone skin."),
        ("product", "Pair it with our Rosehip Night Cream for overnight repair."),
        ("policy", "Found it cheaper? We'll match any lower price."),
        ("policy", "Every order comes with a free gift."),
        ("date", "GLOW20 expires on March 20th."),
        ("date", "Hurry, the sale closes tomorrow night!"),
        ("stock", "The cleansing balm is almost gone!"),
        ("superlative", "The #1 face oil in America."),
        ("superlative", "Over 10,000 happy customers can't be wrong."),
    ],
    "X2": [
        ("clean", "Tom, the new Pulse Mini plays for twelve hours on a charge."),
        ("clean", "Pulse Mini Bluetooth Speaker: £49.99, in teal or black."),
        ("clean", "IPX7 waterproof and just 310 grams."),
        ("clean", "The Arc charging pad is down from £34.99 to £29.99, a saving of £5."),
        ("clean", "Just three Arc pads left."),
        ("clean", "Two-year warranty on every speaker. Free delivery when you spend £40 or more."),
        ("clean", "15W wireless charging, with a USB-C cable in the box."),
        ("clean", "GBP 49.99 buys a speaker with Bluetooth 5.3."),
        ("clean", "Voltwise: the Arc pad is £29.99 (was £34.99). Reply STOP to opt out."),
        ("price", "The Pulse Mini is yours for £39.99."),
        ("price", "Voltwise: Arc Wireless Charging Pad now only £24.99. Reply STOP to opt out."),
        ("discount", "Save thirty percent on all speakers this weekend."),
        ("discount", "Take an extra £10 off the Pulse Mini."),
        ("code", "Use code VOLT10 at checkout."),
        ("attribute", "Up to 20 hours of playtime."),
        ("attribute", "Available in teal, black and coral."),
        ("attribute", "The charging pad delivers 30W of power."),
        ("attribute", "Bluetooth 5.0 keeps you connected."),
        ("product", "Want bigger sound? Meet the Pulse Max."),
        ("policy", "Three-year warranty included."),
        ("policy", "Returns accepted within 30 days."),
        ("policy", "Free next-day delivery on every order."),
        (
            "policy",
            "Sorry about the wait, Tom. We've refunded your delivery and added a £10 voucher to your account.",
        ),
        ("date", "Sale ends 8 June."),
        ("stock", "Selling fast: the Pulse Mini is nearly sold out."),
        ("stock", "Back in stock: the Arc Wireless Charging Pad."),
        ("superlative", "Britain's best-rated portable speaker."),
        ("superlative", "A customer favourite with 5,000 five-star reviews."),
    ],
    "X3": [
        ("clean", "王女士您好，明前西湖龙井九折，到手331.2元，输入TEA88即可。"),
        ("clean", "特级明前龙井，产自杭州西湖，净含量250克。"),
        ("clean", "普洱饼原价￥198，九折后￥178.2。"),
        ("clean", "清明茶季活动4月5日截止。"),
        ("clean", "满99元包邮，7天无理由退货。"),
        ("clean", "普洱仅剩6饼，欲购从速。"),
        ("clean", "店铺销量第一的龙井，3200位茶友评分4.9。"),
        ("clean", "2019年的云南临沧古树生茶，357克一饼。"),
        ("clean", "活动截至2025年4月5日，RMB 331.2即可带走一份明前龙井。"),
        ("price", "西湖龙井只要299元。"),
        ("price", "普洱饼九折后仅需158元。"),
        ("discount", "龙井买一送一，限时特惠。"),
        ("discount", "全场五折起。"),
        ("discount", "普洱饼立减50元。"),
        ("code", "下单输入优惠码TEA99再享九折。"),
        ("attribute", "龙井净含量500克。"),
        ("attribute", "普洱为熟茶，口感醇厚。"),
        ("attribute", "普洱产自云南西双版纳。"),
        ("attribute", "有机认证龙井。"),
        ("attribute", "一级西湖龙井，鲜爽回甘。"),
        ("product", "同时推荐安吉白茶礼盒。"),
        ("policy", "支持30天无理由退换。"),
        ("policy", "全场包邮。"),
        ("policy", "假一赔十，正品保障。"),
        ("policy", "七天价保，降价补差价。"),
        ("date", "活动于2025.04.15结束。"),
        ("date", "今晚24点活动结束。"),
        ("stock", "龙井最后3罐！"),
        ("stock", "普洱库存充足，随时下单。"),
        ("stock", "普洱已售罄，敬请期待补货。"),
        ("superlative", "全网销量第一的龙井。"),
        ("superlative", "十万茶友的共同选择。"),
    ],
    "X4": [
        ("clean", "小林，亚麻休闲衬衫八折，仅需207.2元。"),
        ("clean", "100%亚麻面料，宽松版型，白色和雾蓝两色可选。"),
        ("clean", "阔腿裤从299元降到199元。"),
        ("clean", "全场包邮，15天内可退换，还送运费险。"),
        ("clean", "阔腿裤只剩2条，手慢无。"),
        ("clean", "夏日换季活动7月20日截止，全场8折。"),
        ("clean", "棉麻混纺的高腰阔腿裤，卡其色，S/M/L三个尺码。"),
        ("clean", "衬衫S、M、L、XL码都有货。"),
        ("clean", "¥159.2入手高腰阔腿裤（八折后）。"),
        ("clean", "感谢您的好评！亚麻衬衫是宽松版型，建议按平时尺码选购。"),
        ("price", "亚麻衬衫现价229元。"),
        ("price", "阔腿裤八折后只要139元。"),
        ("price", "衬衫原价329元，现价259元。"),
        ("discount", "第二件半价。"),
        ("discount", "满300减50。"),
        ("code", "使用优惠码ZY20享受八折。"),
        ("attribute", "衬衫采用真丝面料。"),
        ("attribute", "阔腿裤有黑色和卡其色。"),
        ("attribute", "衬衫提供XXL大码。"),
        ("attribute", "阔腿裤为纯棉材质。"),
        ("product", "搭配同系列亚麻西装外套更出彩。"),
        ("policy", "支持30天无忧退货。"),
        ("policy", "购买即赠精美礼品一份。"),
        ("date", "活动截止7月31日。"),
        ("date", "最后一天！今天活动结束。"),
        ("date", "活动将于2025/8/1截止。"),
        ("stock", "衬衫即将售罄。"),
        ("superlative", "今夏最受欢迎的衬衫。"),
        ("superlative", "好评率99%。"),
        ("superlative", "销量突破10万件。"),
    ],
    "X5": [
        (
            "clean",
            "Elena, take $25 off when you spend $100 or more with code HEARTH25, until Monday, December 1.",
        ),
        ("clean", "Our Dutch oven holds 5.5 quarts and is oven-safe to 500°F."),
        ("clean", "Enamelled cast iron in sage green. Not dishwasher safe."),
        ("clean", "Over 12,000 sold and rated 4.7 stars."),
        ("clean", "Found it cheaper elsewhere? We'll match the price."),
        ("clean", "The linen tea towels are sold out for now."),
        ("clean", "One hundred twenty-nine dollars for the Dutch oven."),
        ("clean", "Free shipping over $75, 60-day returns."),
        ("clean", "Offer ends 12/1 at 11:59 pm."),
        ("clean", "Three stonewashed linen tea towels, 50 x 70 cm, in oat."),
        ("price", "The Dutch oven, now $99."),
        ("price", "Linen tea towels: only $22 a set."),
        ("discount", "Take 25% off sitewide with HEARTH25."),
        ("discount", "Free tea towels with every Dutch oven."),
        ("code", "Use HEARTH30 for $30 off."),
        ("attribute", "Holds a generous 7 quarts."),
        ("attribute", "Dishwasher safe for easy cleanup."),
        ("attribute", "Available in sage green, cream and navy."),
        ("attribute", "Pure cotton tea towels."),
        ("product", "The matching Alder Cast Iron Skillet is also available."),
        (
            "policy",
            "Thanks for the five-star review, Elena! Your Dutch oven is covered by our lifetime warranty.",
        ),
        ("policy", "Free shipping on every order."),
        ("policy", "Returns within 90 days."),
        ("date", "HEARTH25 ends this Sunday."),
        ("date", "Valid through December 15th."),
        ("stock", "Tea towels are back in stock!"),
        ("stock", "Only 3 Dutch ovens left!"),
        ("superlative", "The best-rated Dutch oven on the market."),
        ("superlative", "America's #1 Dutch oven."),
    ],
    "X6": [
        ("clean", "Because you loved The Godfather, here's another crime film: Heat."),
        ("clean", "You gave Speed four stars; Heat is also an action thriller."),
        ("clean", "Heat has an average of 4.1 from 420 ratings."),
        ("history", "Since you enjoyed Toy Story, you might like Heat."),
        ("history", "You watched Speed three times last month."),
        ("similarity", "Heat shares its animated charm with Toy Story."),
        ("similarity", "Like The Godfather, Heat is a sweeping family drama."),
        ("superlative", "Heat is one of the highest-rated films of all time."),
        ("superlative", "A cult favourite that millions adore."),
        ("leakage", "Based on the user profile provided, Heat is a good match."),
        ("product", "You might also enjoy Casino (1995)."),
    ],
    "X7": [
        ("clean", "因为你给《放牛班的春天》打了5分，推荐同样以音乐为主题的《海上钢琴师》。"),
        ("clean", "《海上钢琴师》和《放牛班的春天》都是音乐剧情片。"),
        ("history", "你最近很喜欢《速度与激情》，所以推荐《海上钢琴师》。"),
        ("similarity", "《海上钢琴师》和《速度与激情》一样充满动作场面。"),
        ("superlative", "豆瓣评分最高的电影。"),
        ("leakage", "根据提供的用户数据，为您推荐《海上钢琴师》。"),
        ("product", "也推荐《美丽人生》。"),
    ],
}
LANG = {"X1": "en", "X2": "en", "X3": "zh", "X4": "zh", "X5": "en", "X6": "en", "X7": "zh"}


def rows() -> list[dict[str, Any]]:
    out = []
    for scenario, texts in TEXTS.items():
        for n, (expected, text) in enumerate(texts, 1):
            out.append(
                {
                    "id": f"{scenario}-{n:02d}",
                    "scenario": scenario,
                    "lang": LANG[scenario],
                    "split": "heldout2",
                    "expected": expected,
                    "text": text,
                    "facts": FACTS[scenario],
                }
            )
    return out


def main() -> None:
    lines = [json.dumps(r, ensure_ascii=False) for r in rows()]
    (HERE / "heldout2.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
