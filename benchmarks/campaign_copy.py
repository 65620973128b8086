"""Benchmark: a campaign of 100,000 personalised emails written from generated copy.

The shop of ``benchmarks/campaign_send.py`` (seeded people with an address and consent,
2,000 items with prices and stock, about 8 events a person; a trained EASE model), with
``--zh-share`` of the people reading Chinese and one in ten without a first name. The
campaign asks for ``copy: {"variants": 2, "offer": {...}}``: the configured local model
writes each variant once per language (on a cold generation cache: generation is part of
the time), the claim checker passes it or the template fallback takes its place, and
every person's email is the variant filled from the store (first name, first recommended
item's title and price, the offer), rendered around their four recommended items into the
outbox. Timed like ``recmind worker`` runs a campaign: the audience (a segment refreshed),
the recommender (model loaded, lists warmed), then composing (generation included). No
delivery: ``campaign_send.py`` measures that.

Reported: seconds per stage and in total against the 10-minute bar, model calls and wall
time per 1,000 messages, the variants and how each was written, messages by copy source.

    .venv/bin/python benchmarks/campaign_copy.py [--people 100000] [--variants 2]

Writes ``benchmarks/results/campaign_copy.json`` and ``.md`` (``--no-write``: print only).
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import figures.copywriting  # noqa: F401  (registers the renderers)
from campaign_send import ITEMS, SECRET, audience_stage, fill, outbox_counts, stage
from figures import write_results
from harness import finished, peak_rss_mb, provenance


def languages(store: Any, people: int, zh_share: float) -> int:
    """Give ``zh_share`` of the people Chinese and one in ten no first name; how many read
    Chinese."""
    every = max(1, round(1 / zh_share)) if zh_share > 0 else 0
    mark = "?" if store.dialect == "sqlite" else "%s"
    rows = []
    chinese = 0
    for n in range(people):
        attributes: dict[str, Any] = {}
        if n % 10 != 3:
            attributes["first_name"] = f"P{n}"
        if every and n % every == 0:
            attributes["language"] = "zh"
            chinese += 1
        rows.append((json.dumps(attributes), f"u{n:06d}"))
    with store.raw_connection() as connection:
        cursor = connection.cursor()
        cursor.executemany(f"UPDATE users SET attributes = {mark} WHERE user_id = {mark}", rows)
        cursor.close()
    return chinese


def prepare(
    store: Any, settings: Any, args: argparse.Namespace, record: dict[str, Any], now: float
) -> None:
    """The shop, its languages and brand, and its published model (not part of the campaign)."""
    from recmind.marketing.copy.brand import BrandProfile, set_brand
    from recmind.rec.artifacts import ModelStore
    from recmind.training import train_model, training_bundle

    started = time.perf_counter()
    record["events"] = fill(store, args.people, args.seed, now)
    record["zh_share"] = languages(store, args.people, args.zh_share) / args.people
    set_brand(store, BrandProfile(name="Juniper Lane", tone="warm, plain, confident",
                                  policies={"free_shipping_over": 75}))  # fmt: skip
    stage(record, "shop", started, events=record["events"])
    started = time.perf_counter()
    train_model(
        training_bundle(store, SECRET),
        model_name=args.model,
        model_store=ModelStore(settings.models_dir),
        seed=args.seed,
    )
    stage(record, "train", started)


def run(args: argparse.Namespace, folder: Path) -> dict[str, Any]:
    from recmind.config import Settings
    from recmind.data.store import Store
    from recmind.marketing.campaigns.definition import CampaignDefinition
    from recmind.marketing.campaigns.repository import create_campaign
    from recmind.marketing.campaigns.runner import run_due_campaigns
    from recmind.marketing.content.compose import OutboxComposer
    from recmind.marketing.copy.variants import variants_of
    from recmind.serving.message_recommender import open_recommender

    today = datetime.now(UTC).replace(hour=12, minute=0, second=0, microsecond=0)
    settings = Settings(
        home=folder / "home",
        db_url=args.pg or f"sqlite:///{folder / 'campaign.db'}",
        encoder="minilm-onnx",
        api={"secret": SECRET},
        llm={"model": args.llm_model, "n_threads": args.threads},
        marketing={"batch_size": args.batch},
    )
    record: dict[str, Any] = {
        "provenance": provenance(),
        "people": args.people,
        "items": ITEMS,
        "backend": "postgresql" if args.pg else "sqlite",
        "model": args.model,
        "llm_model": args.llm_model,
        "variants_per_language": args.variants,
        "stages": {},
    }
    with Store.from_url(settings.resolved_db_url) as store:
        store.migrate()
        prepare(store, settings, args, record, today.timestamp())
        campaign_started = time.perf_counter()

        def clock() -> float:
            return today.timestamp() + (time.perf_counter() - campaign_started)

        segment_id = audience_stage(store, record, clock, campaign_started)
        started = time.perf_counter()
        recommender = open_recommender(settings, store)
        stage(record, "recommender", started)
        started = time.perf_counter()
        ends = (today + timedelta(days=10)).date().isoformat()
        definition = CampaignDefinition.model_validate(
            {
                "name": "Autumn layers",
                "audience": {"type": "segment", "segment": segment_id},
                "template": "newsletter",
                "recommendations": {"source": "personal", "count": 4},
                "copy": {
                    "variants": args.variants,
                    "audience": "regular customers of the shop",
                    "offer": {"discount_percent": 15, "code": "LAYERS15", "ends": ends},
                },
                "schedule_at": today.isoformat(),
            }
        )
        campaign = create_campaign(store, settings, definition, now=clock())
        composer = OutboxComposer(store, settings, recommender)
        written = run_due_campaigns(store, settings, composer, worker_id="bench", now=clock())
        stage(record, "compose", started, messages=written)
        recommender.close()
        record["campaign_seconds"] = round(time.perf_counter() - campaign_started, 2)
        provider = composer.copy
        assert provider is not None
        stats = provider.stats
        record["messages"] = written
        record["copy"] = {
            "variants": stats.variants,
            "llm_calls": stats.llm_calls,
            "generation_seconds": round(stats.generation_seconds, 1),
            "personalised": stats.personalised,
            "template": stats.template,
            "checked": stats.checked,
            "by_source": stats.by_source,
        }
        record["per_1000"] = {
            "llm_calls": 1000 * stats.llm_calls / max(written, 1),
            "seconds": 1000 * record["campaign_seconds"] / max(written, 1),
        }
        record["variants"] = [
            {
                k: v.to_dict()[k]
                for k in ("language", "name", "source", "attempts", "parts", "reasons")
            }
            for v in variants_of(store, f"campaign:{campaign.campaign_id}")
        ]
        record["outbox"], record["skipped_by_reason"] = outbox_counts(store)
        record["peak_rss_mb"] = round(peak_rss_mb(), 1)
    record["provenance"] = finished(record["provenance"])
    return record


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--variants", type=int, default=2, help="copies per language")
    parser.add_argument("--zh-share", type=float, default=0.3)
    parser.add_argument("--model", default="ease", help="the recommender")
    parser.add_argument("--llm-model", default="qwen2.5-coder-1.5b")
    parser.add_argument("--threads", type=int, default=2, help="decoding threads")
    parser.add_argument("--batch", type=int, default=500, help="campaign batch size")
    parser.add_argument("--pg", help="a PostgreSQL URL (an empty database) instead of SQLite")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--no-write", action="store_true", help="print only")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="recmind-campaign-copy-") as folder:
        record = run(args, Path(folder))
    shown = {k: v for k, v in record.items() if k != "provenance"}
    print(json.dumps(shown, indent=1, ensure_ascii=False))
    if not args.no_write:
        write_results("campaign_copy", record)


if __name__ == "__main__":
    main()
