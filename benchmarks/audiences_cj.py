"""Real targeting on 84.51° The Complete Journey: recmind's likely-buyer audiences against
the retailer's own campaign targeting and simple baselines.

For every campaign that starts after the transactions begin, using only the events before
its first day: rank every household with an earlier purchase and take as many as the
retailer targeted; report the share of them that bought one of the campaign's coupon
products during the campaign (its first day to its last; the data end on 2017-12-31, so
campaigns running into 2018 are seen up to then). Beside recmind's audience
(``recmind.marketing.audiences.find_buyers``, the function ``recmind audiences buyers``
calls, with ``as_of`` = the campaign's first day, ``window_days`` = its length and
``top`` = the retailer's count): the households the retailer targeted, "past buyers"
(most purchases of the coupon products before the start), "past buyers, recent"
(the same purchases weighted ``0.5 ** (age / 8 weeks)``) and the households nobody
targeted. Ties in every ranking are broken by the same seeded hash of the household id.
recmind chooses its model on inner cuts before each start: nothing about a campaign's
outcome is used.

This measures who buys, not the campaign's incremental effect (uplift): a targeted
household that would have bought anyway counts as a hit.

``--store-check`` also imports the data into a temporary SQLite store and runs the store
path of the CLI (``buyers_from_store``) for the first campaign, recording whether it
returns the same audience.

    .venv/bin/python benchmarks/audiences_cj.py [--campaigns 1,2] [--store-check]
        [--checkpoint PATH] [--output-dir DIR]
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse
import json
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from figures import RESULTS, write_results
from harness import finished, loadavg, peak_rss_mb, provenance
from recmind.data.bundle import DataBundle
from recmind.data.cj_campaigns import Campaigns, load_complete_journey_campaigns
from recmind.data.grocery_datasets import load_complete_journey
from recmind.marketing.audiences import BuyersConfig, EventLog, find_buyers
from recmind.marketing.audiences.combiner import rank, tie_keys

NAME = "audiences_cj"
PLOT = f"{NAME}.png"
DAY = 86_400.0
RECENCY_HALF_LIFE_DAYS = 56.0
SEED = 0
BAR = {"pooled_bc": 0.65}
INDEPENDENT = {
    "retailer": 0.469,
    "past_buyers": 0.590,
    "past_buyers_recent": 0.602,
    "non_targeted": 0.165,
}
"""Pooled shares on the 20 type B and C campaigns, measured independently."""
RANKINGS = ("retailer", "past_buyers", "past_buyers_recent", "recmind")


def past_buyer_scores(
    events: pd.DataFrame, products: set[str], start: float, half_life: float | None
) -> pd.Series:
    """Per household, its purchases of ``products`` before ``start`` (each weighted
    ``0.5 ** (age / half_life days)`` when a half-life is given)."""
    rows = events.loc[(events["timestamp"] < start) & events["item_id"].isin(products)]
    weights = (
        np.ones(len(rows))
        if half_life is None
        else np.exp2(-(start - rows["timestamp"].to_numpy()) / (half_life * DAY))
    )
    return pd.Series(weights, index=rows["user_id"].to_numpy()).groupby(level=0).sum()


def top_by(scores: pd.Series, candidates: np.ndarray, k: int) -> list[str]:
    """The ``k`` candidates with the highest scores (0 for none), ties by the seeded
    household-id hash recmind's audiences use."""
    values = scores.reindex(candidates).fillna(0.0).to_numpy()
    order = rank(values, tie_keys(candidates, SEED))[:k]
    return [str(u) for u in candidates[order]]


def campaign_row(
    campaign: Any, campaigns: Campaigns, bundle: DataBundle, log: EventLog
) -> dict[str, Any]:
    """Every ranking's share of buyers for one campaign."""
    events = bundle.events
    cid = str(campaign.campaign_id)
    products = set(campaigns.products(cid))
    targeted = set(campaigns.targeted(cid))
    k = len(targeted)
    start, end = float(campaign.start), float(campaign.end)
    during = events.loc[(events["timestamp"] >= start) & (events["timestamp"] < end)]
    buyers = set(during.loc[during["item_id"].isin(products), "user_id"])
    earlier = events.loc[(events["timestamp"] < start) & (events["event_type"] == "purchase")]
    candidates = np.asarray(sorted(set(earlier["user_id"])), dtype=object)
    began = time.perf_counter()
    audience = find_buyers(
        log,
        bundle.items,
        BuyersConfig(window_days=(end - start) / DAY, top=k, seed=SEED),
        as_of=start,
        item_ids=sorted(products),
    )
    seconds = time.perf_counter() - began
    chosen = {
        "retailer": sorted(targeted),
        "past_buyers": top_by(past_buyer_scores(events, products, start, None), candidates, k),
        "past_buyers_recent": top_by(
            past_buyer_scores(events, products, start, RECENCY_HALF_LIFE_DAYS), candidates, k
        ),
        "recmind": audience.user_ids,
    }
    others = [u for u in candidates if u not in targeted]
    return {
        "campaign_id": cid,
        "type": str(campaign.campaign_type),
        "start": pd.Timestamp(start, unit="s").date().isoformat(),
        "end": pd.Timestamp(end - DAY, unit="s").date().isoformat(),
        "days": (end - start) / DAY,
        "observed_days": (min(end, float(events["timestamp"].max()) + 1.0) - start) / DAY,
        "coupon_products": len(products),
        "targeted": k,
        "targeted_with_history": len(targeted & set(candidates)),
        "candidates": len(candidates),
        "past_buyer_households": int(
            earlier.loc[earlier["item_id"].isin(products), "user_id"].nunique()
        ),
        "hits": {name: sum(u in buyers for u in users) for name, users in chosen.items()},
        "sizes": {name: len(users) for name, users in chosen.items()},
        "non_targeted": {"households": len(others), "buyers": sum(u in buyers for u in others)},
        "recmind": {
            "model": audience.model,
            "seconds": seconds,
            "overlap_with_retailer": len(set(audience.user_ids) & targeted),
            **audience.details,
        },
        "loadavg": loadavg(),
    }


def pooled(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Pooled shares (all hits over all picks) of a group of campaigns, with the per-
    campaign comparisons the bar asks for."""
    share = {
        name: sum(r["hits"][name] for r in rows) / max(sum(r["sizes"][name] for r in rows), 1)
        for name in RANKINGS
    }
    share["non_targeted"] = sum(r["non_targeted"]["buyers"] for r in rows) / max(
        sum(r["non_targeted"]["households"] for r in rows), 1
    )

    def per(row: dict[str, Any], name: str) -> float:
        return float(row["hits"][name] / max(row["sizes"][name], 1))

    return {
        "campaigns": len(rows),
        "share": share,
        "recmind_above_retailer": sum(per(r, "recmind") > per(r, "retailer") for r in rows),
        "recmind_at_least_retailer": sum(per(r, "recmind") >= per(r, "retailer") for r in rows),
        "recmind_above_recent": sum(per(r, "recmind") > per(r, "past_buyers_recent") for r in rows),
        "recmind_below_recent": sum(per(r, "recmind") < per(r, "past_buyers_recent") for r in rows),
        "models": dict(pd.Series([r["recmind"]["model"] for r in rows]).value_counts()),
    }


def store_check(bundle: DataBundle, campaigns: Campaigns, campaign: Any) -> dict[str, Any]:
    """Import the data into a temporary SQLite store and run the CLI's store path for one
    campaign; compare with the in-memory audience."""
    from recmind.data.importer import import_bundle
    from recmind.data.store import Store
    from recmind.marketing.audiences import buyers_from_store

    cid = str(campaign.campaign_id)
    config = BuyersConfig(
        window_days=(campaign.end - campaign.start) / DAY,
        top=len(campaigns.targeted(cid)),
        seed=SEED,
    )
    products = campaigns.products(cid)
    with tempfile.TemporaryDirectory() as folder:
        began = time.perf_counter()
        with Store.from_url(f"sqlite:///{folder}/cj.db") as store:
            store.migrate()
            import_bundle(store, bundle, quarantine_dir=Path(folder) / "quarantine")
            imported = time.perf_counter() - began
            served = buyers_from_store(
                store, config, as_of=float(campaign.start), item_ids=products
            )
    memory = find_buyers(
        EventLog.from_frame(bundle.events),
        bundle.items,
        config,
        as_of=float(campaign.start),
        item_ids=products,
    )
    return {
        "campaign_id": cid,
        "import_seconds": imported,
        "same_users": served.user_ids == memory.user_ids,
        "max_score_difference": float(
            np.max(np.abs(np.asarray(served.scores) - np.asarray(memory.scores)), initial=0.0)
        ),
    }


def plot(rows: list[dict[str, Any]], path: Path) -> None:
    """Share of buyers per campaign: retailer, the two baselines and recmind (bars), the
    non-targeted households (dots); B and C campaigns, then A."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    groups = [("B and C", [r for r in rows if r["type"] in "BC"])]
    groups.append(("A", [r for r in rows if r["type"] == "A"]))
    groups = [(title, members) for title, members in groups if members]
    widths = [max(len(m), 2) for _, m in groups]
    fig, axes = plt.subplots(
        1,
        len(groups),
        figsize=(0.55 * sum(widths) + 2.5, 4.2),
        gridspec_kw={"width_ratios": widths},
        squeeze=False,
    )
    colours = {
        "retailer": "tab:gray",
        "past_buyers": "tab:blue",
        "past_buyers_recent": "tab:cyan",
        "recmind": "tab:orange",
    }
    labels = {
        "retailer": "retailer's targeting",
        "past_buyers": "past buyers",
        "past_buyers_recent": "past buyers, last 8 weeks weighted",
        "recmind": "recmind audience",
    }
    for ax, (title, members) in zip(axes[0], groups, strict=True):
        x = np.arange(len(members))
        for offset, name in enumerate(RANKINGS):
            shares = [r["hits"][name] / max(r["sizes"][name], 1) for r in members]
            ax.bar(x + (offset - 1.5) * 0.2, shares, 0.2, color=colours[name], label=labels[name])
        others = [
            r["non_targeted"]["buyers"] / max(r["non_targeted"]["households"], 1) for r in members
        ]
        ax.plot(x, others, "k.", label="households nobody targeted")
        ax.set_xticks(x, [f"{r['campaign_id']}\n{r['type']}" for r in members], fontsize=7)
        ax.set_title(f"type {title} campaigns", fontsize=10)
        ax.set_ylim(0, 1.05)
        ax.grid(axis="y", alpha=0.3)
    axes[0][0].set_ylabel("share who bought a coupon product", fontsize=9)
    handles, names = axes[0][0].get_legend_handles_labels()
    fig.legend(handles, names, loc="lower center", ncols=5, fontsize=8, frameon=False)
    fig.suptitle(
        "Complete Journey campaigns: who bought, per campaign (audience size = retailer's)",
        fontsize=10,
    )
    fig.tight_layout(rect=(0.0, 0.07, 1.0, 1.0))
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--campaigns", default="", help="only these campaign ids (smoke runs)")
    parser.add_argument("--store-check", action="store_true")
    parser.add_argument("--checkpoint", type=Path, default=None, help="JSON lines, resumed")
    parser.add_argument("--output-dir", type=Path, default=RESULTS)
    args = parser.parse_args()
    record = provenance()
    began = time.perf_counter()
    bundle = load_complete_journey()
    campaigns = load_complete_journey_campaigns()
    log = EventLog.from_frame(bundle.events)
    first = float(bundle.events["timestamp"].min())
    only = {c for c in args.campaigns.split(",") if c}
    chosen = [
        c
        for c in campaigns.descriptions.itertuples()
        if c.start > first and (not only or str(c.campaign_id) in only)
    ]
    done: dict[str, dict[str, Any]] = {}
    if args.checkpoint and args.checkpoint.is_file():
        for line in args.checkpoint.read_text().splitlines():
            row = json.loads(line)
            done[row["campaign_id"]] = row
    rows = []
    for campaign in chosen:
        row = done.get(str(campaign.campaign_id)) or campaign_row(campaign, campaigns, bundle, log)
        if args.checkpoint and str(campaign.campaign_id) not in done:
            with args.checkpoint.open("a") as handle:
                handle.write(json.dumps(row, default=int) + "\n")
        shares = ", ".join(f"{n} {row['hits'][n] / max(row['sizes'][n], 1):.3f}" for n in RANKINGS)
        print(f"campaign {row['campaign_id']} ({row['type']}): {shares}", flush=True)
        rows.append(row)
    check = store_check(bundle, campaigns, chosen[0]) if args.store_check else None
    plot(rows, args.output_dir / PLOT)
    data = {
        "dataset": "complete-journey",
        "campaigns": rows,
        "pooled": {
            "BC": pooled([r for r in rows if r["type"] in ("B", "C")]),
            "A": pooled([r for r in rows if r["type"] == "A"]),
        },
        "bar": BAR,
        "independent": INDEPENDENT,
        "recency_half_life_days": RECENCY_HALF_LIFE_DAYS,
        "store_check": check,
        "plot": PLOT,
        "wall_minutes": (time.perf_counter() - began) / 60.0,
        "peak_rss_mb": peak_rss_mb(),
        "provenance": finished(record),
    }
    print(write_results(NAME, json.loads(json.dumps(data, default=int)), folder=args.output_dir))


if __name__ == "__main__":
    main()
