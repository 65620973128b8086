"""A replay's figures as JSON: conversion rate per (audience, item policy) with its
interval, lift over best-sellers with a bootstrap interval, revenue where the data has
money, what each moment chose, and the bar's verdict."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

import pandas as pd

from recmind.marketing.audiences import iso_moment
from recmind.marketing.simulate.lift import Interval, lift, rate
from recmind.marketing.simulate.replay import Replay

BASELINE = "bestsellers"
BAR_RATIO = 2.0
"""The issue's bar: recmind's campaigns convert at least twice as often as best-sellers'."""


def _cell(rows: pd.DataFrame, with_revenue: bool, seed: int) -> dict[str, Any]:
    campaigns = len(rows)
    revenue = float(rows["revenue"].sum()) if with_revenue else None
    return {
        "campaigns": campaigns,
        "people": int(rows["user_id"].nunique()),
        "with_items": int((rows["promoted"] > 0).sum()),
        "conversions": int(rows["converted"].sum()),
        "rate": rate(rows, seed).to_json(),
        "items_bought": int(rows["bought"].sum()),
        "revenue": revenue,
        "revenue_per_campaign": None if revenue is None else revenue / max(campaigns, 1),
    }


def _pick(campaigns: pd.DataFrame, audience: str, policy: str) -> pd.DataFrame:
    mask = (campaigns["audience"] == audience) & (campaigns["policy"] == policy)
    return campaigns.loc[mask]


def _lift_pair(a: pd.DataFrame, b: pd.DataFrame, with_revenue: bool, seed: int) -> dict[str, Any]:
    return {
        "conversion": lift(a, b, seed).to_json(),
        "revenue": lift(a, b, seed, column="revenue").to_json() if with_revenue else None,
    }


def summarise(result: Replay) -> dict[str, Any]:
    """Everything a report needs, JSON-ready (see the module docstring)."""
    cfg = result.config
    seed = cfg.seed
    campaigns = result.campaigns
    cells: list[dict[str, Any]] = []
    for audience in cfg.audiences:
        for policy in cfg.policies:
            rows = _pick(campaigns, audience, policy)
            cells.append(
                {"audience": audience, "policy": policy, **_cell(rows, result.revenue, seed)}
            )
    lifts: list[dict[str, Any]] = []
    if BASELINE in cfg.policies:
        for audience in cfg.audiences:
            base = _pick(campaigns, audience, BASELINE)
            for policy in cfg.policies:
                if policy == BASELINE:
                    continue
                pair = _lift_pair(_pick(campaigns, audience, policy), base, result.revenue, seed)
                lifts.append({"audience": audience, "policy": policy, **pair})
    headline = _headline(result, "recmind")
    replenish = _headline(result, "replenish") if not cfg.new_only else {}
    return {
        "dataset": result.dataset,
        "config": asdict(cfg),
        "held_out_from": iso_moment(result.cut),
        "buy_event": result.buy_type,
        "revenue_in_data": result.revenue,
        "moments": [_moment(record, campaigns) for record in result.moments],
        "cells": cells,
        "lifts_same_audience": lifts,
        "recmind_vs_bestsellers": headline,
        "bar": _bar(cells, headline),
        "replenish_vs_bestsellers": replenish,
        "bar_replenish": _bar(cells, replenish) if replenish else None,
        "model": {
            "name": cfg.model,
            "params": None if result.tuned is None else result.tuned.params,
            "validation_ndcg@10": None if result.tuned is None else result.tuned.val_ndcg,
            "tuned_on": None if result.tuned is None else result.tuned.protocol,
            "tuning_seconds": None if result.tuned is None else result.tuned.seconds,
            "fits": [
                {"moment": iso_moment(f["moment"]), "seconds": f["seconds"]} for f in result.fits
            ],
        },
    }


def _headline(result: Replay, policy: str) -> dict[str, Any]:
    """``policy``'s items to recmind's audience over the best-sellers to each audience."""
    cfg, campaigns = result.config, result.campaigns
    if policy not in cfg.policies or BASELINE not in cfg.policies:
        return {}
    ours = _pick(campaigns, "recmind", policy)
    return {
        audience: _lift_pair(ours, _pick(campaigns, audience, BASELINE), result.revenue, cfg.seed)
        for audience in cfg.audiences
    }


def _bar(cells: list[dict[str, Any]], headline: dict[str, Any]) -> dict[str, Any]:
    """The bar, read two ways. *Whole campaign*: recmind's items to recmind's audience
    over the best-seller campaign that converted best without recmind's audience (the
    latest buyers or random people, whichever did better: the baseline's best case).
    *Items alone*: over the best-sellers sent to recmind's own audience."""
    if not headline:
        return {"ratio": BAR_RATIO, "whole_campaign": None, "items_alone": None}
    rates = {
        c["audience"]: c["rate"]["value"] or 0.0
        for c in cells
        if c["policy"] == BASELINE and c["audience"] != "recmind"
    }
    others = sorted(rates, key=lambda a: (-rates[a], a))

    def verdict(found: dict[str, Any]) -> dict[str, Any]:
        value = found.get("value")
        return {"lift": found, "met": value is not None and value >= BAR_RATIO}

    whole = None
    if others:
        whole = {"baseline_audience": others[0], **verdict(headline[others[0]]["conversion"])}
    return {
        "ratio": BAR_RATIO,
        "whole_campaign": whole,
        "items_alone": verdict(headline["recmind"]["conversion"]),
    }


def _moment(record: Any, campaigns: pd.DataFrame) -> dict[str, Any]:
    rows = campaigns.loc[campaigns["moment"] == record.moment]
    rates = rows.groupby(["audience", "policy"])["converted"].mean()
    return {
        "moment": iso_moment(record.moment),
        "candidates": record.candidates,
        "audience_size": record.audience,
        "audience_models": record.audience_models,
        "people_with_items": record.coverage,
        "window_buyers": record.window_buyers,
        "best_sellers": record.best_sellers,
        "model_age_days": record.model_age_days,
        "seconds": record.seconds,
        "rates": {f"{a}/{p}": float(v) for (a, p), v in rates.items()},
    }


def interval_text(interval: Interval | dict[str, Any], digits: int = 2, suffix: str = "x") -> str:
    """``2.31x (1.90-2.80)``, or ``-`` when undefined."""
    data = interval.to_json() if isinstance(interval, Interval) else interval
    value, low, high = data.get("value"), data.get("low"), data.get("high")
    if value is None:
        return "-"
    text = f"{value:.{digits}f}{suffix}"
    if low is not None and high is not None:
        text += f" ({low:.{digits}f}-{high:.{digits}f})"
    return text
