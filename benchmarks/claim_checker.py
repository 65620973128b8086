"""Benchmark: the claim checker on the planted-error set (``benchmarks/data/claims``).

Four parts: ``tuned`` (developed on), ``heldout`` and the later batches ``heldout2`` and
``heldout3``, each measured once before the fixes it prompted (``FRESH_FIRST_PASS`` and the
first looks record those figures; after the fixes they are no longer unseen). Every text
carries at most one planted error (wrong price, invented discount or code, wrong
or invented attribute, invented product or policy, wrong date, false scarcity, unsupported
superlative, and for explanations similarity, history and leaked prompt words) or none
(``clean``). A planted error is caught when the verdict is not ok; a clean text is a false
positive when it is not ok. Recall per error kind and overall, false-positive rate, per
language, for each part, with Wilson 95% intervals (statsmodels). "Kind agrees" counts
caught errors where an unsupported claim has the planted error's kind (or a neighbouring
one: a wrong price may surface as a figure).

    .venv/bin/python benchmarks/claim_checker.py

Writes ``benchmarks/results/claim_checker.json`` and ``.md``.
"""

from __future__ import annotations

import argparse
import json
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from statsmodels.stats.proportion import proportion_confint

import figures.claims  # noqa: F401  (registers the renderer before write_results)
from figures import write_results
from harness import finished, provenance
from recmind.text.claims import check

DATA = Path(__file__).resolve().parent / "data" / "claims"
SPLITS = ("tuned", "heldout", "heldout2", "heldout3")
RELATED = {
    "price": {"price", "number"},
    "discount": {"discount", "price", "code", "number"},
    "code": {"code"},
    "attribute": {"attribute", "number", "product", "superlative"},
    "product": {"product", "quote", "attribute"},
    "policy": {"policy", "number", "price"},
    "date": {"date"},
    "stock": {"stock"},
    "superlative": {"superlative", "popularity", "sentiment"},
    "similarity": {"similarity"},
    "history": {"history"},
    "leakage": {"leakage"},
}
FIRST_HELDOUT_LOOK = {
    "commit": "a24535d",
    "recall": {"hits": 70, "n": 72},
    "false_positives": {"hits": 1, "n": 33},
    "fixed": [
        "F17 'sleeps three' was read as supported by the '3' of '3-season' (a capacity must be"
        " a number of persons)",
        "M24 '速干T恤库存告急' named no item: title words mixing Latin and Chinese ('T恤') were"
        " not lower-cased",
        "L03 (clean) '原价89元，五折后44.5元': '原价' anywhere before an amount made it a 'was'"
        " price (price cues now bind to the amount they precede)",
    ],
}
"""The held-out part as first measured, before anything was changed because of it; the three
bugs it showed were then fixed (the held-out figures below are after those fixes)."""
FRESH_FIRST_PASS = [
    {"batch": "P-S", "recall": {"hits": 70, "n": 78}, "false_positives": {"hits": 4, "n": 36}},
    {"batch": "T-W", "recall": {"hits": 57, "n": 64}, "false_positives": {"hits": 2, "n": 29}},
    {"batch": "A2-J2", "recall": {"hits": 58, "n": 61}, "false_positives": {"hits": 1, "n": 21}},
    {"batch": "held-out", "recall": {"hits": 70, "n": 72}, "false_positives": {"hits": 1, "n": 33}},
    {
        "batch": "held-out 2",
        "recall": {"hits": 96, "n": 113},
        "false_positives": {"hits": 2, "n": 54},
    },
    {
        "batch": "held-out 3",
        "recall": {"hits": 43, "n": 48},
        "false_positives": {"hits": 2, "n": 22},
    },
]
"""Each batch of new texts as the checker first saw it, before the fixes it prompted: the
best estimate of how the checker does on planted errors nobody here has seen."""
FIRST_HELDOUT2_LOOK = {
    "part": "Held-out 2",
    "commit": "8b7a660",
    "recall": {"hits": 96, "n": 113},
    "false_positives": {"hits": 2, "n": 54},
    "missed": [
        "X1-12 'twenty-two dollars' (a price in words)",
        "X1-19 'a light lavender scent' (fragrance-free)",
        "X1-22 'for oily, acne-prone skin' (dry and normal skin)",
        "X1-24 'We'll match any lower price' (no price match)",
        "X2-16 'teal, black and coral' (a colour past the given ones)",
        "X2-18 'Bluetooth 5.0' (5.3)",
        "X2-19 'Meet the Pulse Max' (an invented model)",
        "X3-17 '普洱为熟茶' (生茶)",
        "X3-18 '产自云南西双版纳' (临沧)",
        "X3-20 '一级西湖龙井' (特级)",
        "X3-26 '2025.04.15' (a dotted date)",
        "X4-20 '纯棉材质' (棉麻混纺)",
        "X4-23 '购买即赠精美礼品' (an invented gift)",
        "X5-14 'Free tea towels with every Dutch oven' (an invented gift)",
        "X6-07 'Like The Godfather, Heat is a sweeping family drama' (no shared drama tag)",
        "X6-10 'Based on the user profile provided' (prompt words)",
        "X7-06 '根据提供的用户数据' (prompt words)",
    ],
    "fixed": [
        "dates written 2025.04.15, 15.04.2025 or 30/11/2025, and after an abbreviated weekday",
        "amounts in words ('twenty-two dollars', '三百六十八元')",
        "prompt words about the user ('the user profile provided', '用户数据')",
        "price match and free gifts in other words",
        "attribute values stated as a choice among alternatives (values.py: keyed numbers,"
        " rating codes, grades, tea types, fits, skin types, colour lists, pure materials,"
        " scents)",
        "Chinese origins past the facts' place",
        "genres said of a named item checked on that item",
        "invented model names after a title word",
        "thanks for a review read as no claim",
    ],
    "false_positive_ids": [
        "X1-01 'until Sun 16 Mar' ('Sun' read as a name)",
        "X4-10 '感谢您的好评' (thanks for a review read as a sentiment claim)",
    ],
}
"""The second held-out batch as first measured, before any change made because of it."""
FIRST_HELDOUT3_LOOK = {
    "part": "Held-out 3",
    "commit": "33d00af",
    "recall": {"hits": 43, "n": 48},
    "false_positives": {"hits": 2, "n": 22},
    "missed": [
        "Y2-12 'Formulated for puppies' (adult food)",
        "Y2-19 'our Grain-Free Lamb Dog Food' (an invented product after a hyphenated title word)",
        "Y3-14 '精华添加酒精' (无酒精)",
        "Y4-07 'Now in hardcover' (paperback)",
        "Y4-10 'for the reader based on their history' (prompt words)",
    ],
    "false_positive_ids": [
        "Y1-01 'until 30.09.' (a day and month with dots, read as a figure)",
        "Y1-05 'Free shipping from €35' ('from' as a threshold)",
    ],
    "fixed": [
        "life stages and book formats as closed alternatives",
        "a text saying an item contains what its facts say it is free of",
        "an unknown capitalised word anywhere in a run of capitals with a title word",
        "the reader in the third person as prompt words",
        "a day and month with dots after a cue word",
        "'from' as a shipping threshold",
    ],
}
"""The third held-out batch (written after the second one's fixes) as first measured, before
any change made because of it: the closest estimate of the rates on unseen texts."""
BAR_RECALL = 0.99
BAR_FPR = 0.05


def _rate(hits: int, total: int) -> dict[str, Any]:
    if total == 0:
        return {"n": 0, "hits": 0, "rate": None, "ci95": None}
    low, high = proportion_confint(hits, total, alpha=0.05, method="wilson")
    return {"n": total, "hits": hits, "rate": hits / total, "ci95": [low, high]}


def evaluate(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Recall, kind agreement and false positives of ``rows``."""
    by_kind: dict[str, list[bool]] = defaultdict(list)
    agree = caught = errors = clean = false = 0
    misses, false_positives = [], []
    for row in rows:
        verdict = row["verdict"]
        wrong = [c for c in verdict.claims if not c.supported]
        if row["expected"] == "clean":
            clean += 1
            if not verdict.ok:
                false += 1
                false_positives.append(_case(row, wrong))
            continue
        errors += 1
        hit = not verdict.ok
        by_kind[row["expected"]].append(hit)
        caught += hit
        agree += hit and any(c.kind in RELATED[row["expected"]] for c in wrong)
        if not hit:
            misses.append(_case(row, [c for c in verdict.claims]))
    return {
        "recall": _rate(caught, errors),
        "kind_agrees": _rate(agree, caught),
        "false_positive_rate": _rate(false, clean),
        "recall_by_kind": {k: _rate(sum(v), len(v)) for k, v in sorted(by_kind.items())},
        "misses": misses,
        "false_positives": false_positives,
    }


def _case(row: dict[str, Any], claims: list[Any]) -> dict[str, Any]:
    return {
        "id": row["id"],
        "expected": row["expected"],
        "text": row["text"],
        "claims": [c.to_dict() for c in claims],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--no-write", action="store_true", help="print only")
    args = parser.parse_args()
    record: dict[str, Any] = {"provenance": provenance(), "bar": {}, "splits": {}}
    record["bar"] = {"recall": BAR_RECALL, "false_positive_rate": BAR_FPR}
    record["first_heldout_look"] = FIRST_HELDOUT_LOOK
    record["fresh_first_pass"] = FRESH_FIRST_PASS
    record["first_looks"] = [FIRST_HELDOUT2_LOOK, FIRST_HELDOUT3_LOOK]
    seconds, texts = 0.0, 0
    for split in SPLITS:
        rows = [json.loads(line) for line in (DATA / f"{split}.jsonl").read_text().splitlines()]
        for row in rows:
            start = time.perf_counter()
            row["verdict"] = check(row["text"], row["facts"])
            seconds += time.perf_counter() - start
            texts += 1
        result: dict[str, Any] = {"all": evaluate(rows)}
        for language in ("en", "zh"):
            result[language] = evaluate([r for r in rows if r["lang"] == language])
        record["splits"][split] = result
        summary = result["all"]
        print(
            f"{split}: recall {summary['recall']['rate']:.3f} "
            f"({summary['recall']['hits']}/{summary['recall']['n']}), false positives "
            f"{summary['false_positive_rate']['hits']}/{summary['false_positive_rate']['n']}",
            flush=True,
        )
    record["texts"] = texts
    record["ms_per_text"] = 1000 * seconds / texts
    record["provenance"] = finished(record["provenance"])
    if not args.no_write:
        write_results("claim_checker", record)


if __name__ == "__main__":
    main()
