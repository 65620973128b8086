"""Writes the claim checker's third held-out batch: ``heldout3.jsonl``.

Written by hand on new facts (scenarios Y1-Y4: a coffee roaster priced in euros, a pet shop in
Australian dollars, a Chinese skincare shop, a bookshop's recommendations), after the fixes
the second batch prompted and before any change made because of this one, to estimate what
an independent tester would still catch. Each text carries one planted error or none.

    .venv/bin/python benchmarks/data/claims/build_heldout3.py

Each line: ``{"id", "scenario", "lang", "split", "expected", "text", "facts"}``.
"""

from __future__ import annotations

from typing import Any

from batch import batch_rows, write_batch

FACTS: dict[str, dict[str, Any]] = {
    "Y1": {
        "items": [
            {
                "item_id": "kn-yg",
                "title": "Ethiopia Yirgacheffe Whole Bean 250 g",
                "price": 14.90,
                "currency": "EUR",
                "stock": 7,
                "attributes": {
                    "origin": "Ethiopia",
                    "roast": "light roast",
                    "process": "washed",
                    "tasting_notes": ["jasmine", "bergamot", "lemon"],
                    "altitude": "1,900-2,200 m",
                },
                "average_rating": 4.6,
                "rating_count": 312,
            },
            {
                "item_id": "kn-gr",
                "title": "Burr Grinder Mini",
                "price": 89.00,
                "currency": "EUR",
                "stock": 25,
                "attributes": {"burrs": "conical steel burrs", "settings": 40, "capacity": "30 g"},
            },
        ],
        "offer": {"discount_percent": 10, "code": "BEANS10", "ends": "2025-09-30"},
        "policies": {"free_shipping_over": 35, "returns_days": 14},
        "brand": "Kaffeehaus Nord",
        "recipient": "Lena",
        "now": "2025-09-26T08:00:00",
    },
    "Y2": {
        "items": [
            {
                "item_id": "wt-sf",
                "title": "Grain-Free Salmon Dog Food 12 kg",
                "price": 119.95,
                "currency": "AUD",
                "stock": 9,
                "attributes": {
                    "protein": "salmon",
                    "grain_free": True,
                    "life_stage": "adult",
                    "made_in": "Australia",
                    "bag": "12 kg",
                },
                "sold_count": 5200,
            },
            {
                "item_id": "wt-rt",
                "title": "Rope Tug Toy",
                "price": 14.95,
                "currency": "AUD",
                "stock": 60,
                "attributes": {
                    "material": "cotton rope",
                    "colour": "blue and white",
                    "size": "large",
                },
            },
        ],
        "offer": {"amount_off": 20, "min_spend": 100, "code": "WAG20", "ends": "2025-08-31"},
        "policies": {"free_shipping_over": 79, "returns_days": 30},
        "brand": "Wagtail",
        "recipient": "Josh",
        "now": "2025-08-25T09:00:00",
    },
    "Y3": {
        "items": [
            {
                "item_id": "sy-se",
                "title": "玻尿酸保湿精华 30ml",
                "price": 239,
                "currency": "CNY",
                "stock": 12,
                "attributes": {
                    "容量": "30ml",
                    "功效": ["保湿", "舒缓"],
                    "适合肤质": "干性及敏感肌",
                    "无酒精": True,
                },
                "bestseller_rank": 4,
                "average_rating": 4.8,
                "rating_count": 8600,
            },
            {
                "item_id": "sy-cl",
                "title": "氨基酸洁面乳 120g",
                "price": 89,
                "currency": "CNY",
                "stock": 3,
                "attributes": {"净含量": "120g", "成分": "氨基酸表活", "泡沫": "绵密"},
            },
        ],
        "offer": {"discount_percent": 25, "code": None, "ends": "2025-11-11", "name": "双十一"},
        "policies": {"free_shipping_over": 0, "returns_days": 7},
        "brand": "素研",
        "now": "2025-11-08T10:00:00",
    },
    "Y4": {
        "items": [
            {
                "item_id": "pt-phm",
                "title": "Project Hail Mary",
                "price": 18.99,
                "currency": "USD",
                "stock": 40,
                "tags": ["Science Fiction", "Adventure"],
                "attributes": {"author": "Andy Weir", "format": "paperback", "pages": 496},
                "average_rating": 4.7,
                "rating_count": 15000,
            }
        ],
        "offer": None,
        "policies": {"free_shipping_over": 25},
        "brand": "Pageturn",
        "history": [
            {"title": "The Martian", "rating": 5, "recent": True, "tags": ["Science Fiction"]},
            {"title": "Gone Girl", "rating": 2, "tags": ["Thriller", "Mystery"]},
        ],
    },
}

TEXTS: dict[str, list[tuple[str, str]]] = {
    "Y1": [
        ("clean", "Lena, 10 % off everything with BEANS10 until 30.09."),
        ("clean", "Yirgacheffe: €14,90 → €13,41 with BEANS10."),
        (
            "clean",
            "A washed, light-roasted Ethiopian coffee with notes of jasmine, bergamot and lemon.",
        ),
        ("clean", "Forty grind settings and conical steel burrs."),
        ("clean", "Free shipping from €35; fourteen days to return."),
        ("clean", "Only seven bags of the Yirgacheffe left."),
        ("price", "The Burr Grinder Mini costs €79."),
        ("discount", "15 % off all grinders."),
        ("code", "Use BEANS15 at checkout."),
        ("attribute", "A natural-process Yirgacheffe."),
        ("attribute", "Dark-roasted for a bold, smoky cup."),
        ("attribute", "Notes of chocolate and caramel."),
        ("attribute", "The grinder holds 50 g of beans."),
        ("product", "Try our Colombia Supremo too."),
        ("policy", "Free shipping on every order."),
        ("date", "BEANS10 is valid until 5 October."),
        ("stock", "The grinder is almost sold out."),
        ("superlative", "Germany's favourite coffee."),
        ("superlative", "Rated 4.9 by our customers."),
    ],
    "Y2": [
        ("clean", "Josh, spend A$100 and take A$20 off with WAG20 (ends 31 Aug)."),
        ("clean", "Grain-free, salmon-based and made in Australia, for adult dogs."),
        ("clean", "Over five thousand bags sold."),
        ("clean", "A twelve-kilo bag for AUD 119.95."),
        ("clean", "Rope Tug Toy: cotton rope, blue and white, size large, $14.95."),
        ("clean", "Shipping's free on orders of $79+."),
        ("price", "The salmon dog food is now $89.95."),
        ("price", "Tug toy just $9.95."),
        ("discount", "Save 20% with WAG20."),
        ("code", "Use WOOF20 for $20 off."),
        ("attribute", "Packed with chicken and brown rice."),
        ("attribute", "Formulated for puppies."),
        ("attribute", "A 15 kg bag."),
        ("attribute", "The tug toy is made of natural jute."),
        ("policy", "60-day money-back guarantee."),
        ("date", "WAG20 ends this Friday."),
        ("stock", "Only 2 tug toys left!"),
        ("superlative", "Vets' number one choice."),
        ("product", "Also try our Grain-Free Lamb Dog Food."),
    ],
    "Y3": [
        ("clean", "双十一玻尿酸保湿精华七五折，到手179.25元。"),
        ("clean", "精华30ml，主打保湿与舒缓，干皮和敏感肌都适用。"),
        ("clean", "洁面乳仅剩3支。"),
        ("clean", "全场包邮，7天无理由退货。"),
        ("clean", "8600条评价，平均4.8分。"),
        ("clean", "氨基酸洁面乳￥66.75（七五折）"),
        ("price", "精华到手价199元。"),
        ("discount", "双十一全场五折。"),
        ("discount", "第二件0元。"),
        ("code", "输入SY25再减25元。"),
        ("attribute", "精华含有烟酰胺，美白提亮。"),
        ("attribute", "适合油性肌肤。"),
        ("attribute", "洁面乳净含量150g。"),
        ("attribute", "精华添加酒精，清爽不黏。"),
        ("policy", "支持30天无理由退货。"),
        ("date", "活动11月15日结束。"),
        ("stock", "精华库存告急！"),
        ("superlative", "天猫销量第一的精华。"),
        ("product", "同系列玻尿酸面霜同步上新。"),
    ],
    "Y4": [
        (
            "clean",
            "Because you gave The Martian five stars, here's more science fiction: Project Hail Mary.",
        ),
        ("clean", "Project Hail Mary, by Andy Weir: 496 pages, in paperback, $18.99."),
        ("clean", "Rated 4.7 by 15,000 readers."),
        ("clean", "Spend $25 and shipping is free."),
        ("history", "You loved Gone Girl, so try Project Hail Mary."),
        ("similarity", "Like Gone Girl, it's a twisty mystery."),
        ("attribute", "Now in hardcover."),
        ("attribute", "A 300-page page-turner."),
        ("superlative", "The best-selling sci-fi novel of the decade."),
        (
            "leakage",
            "Here is a recommendation for the reader based on their history: Project Hail Mary.",
        ),
        ("product", "Andy Weir's Artemis is also on sale."),
        ("price", "Only $14.99."),
        ("policy", "Free shipping on all books."),
    ],
}
LANG = {"Y1": "en", "Y2": "en", "Y3": "zh", "Y4": "en"}


def rows() -> list[dict[str, Any]]:
    return batch_rows("heldout3", TEXTS, FACTS, LANG)


def main() -> None:
    write_batch("heldout3", rows())


if __name__ == "__main__":
    main()
