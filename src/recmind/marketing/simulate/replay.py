"""The replay: campaigns sent at moments inside a real dataset's held-out period, each
policy choosing from the past alone, each scored on what people really bought next.

The held-out period starts at the temporal protocol's cut (the ``quantile`` of the item
events' times, :func:`recmind.eval.splits.temporal_split`); campaigns go out at the first
midnight after it and every ``step_days`` while their ``window_days`` window lies inside
the data. At each moment every audience rule picks the same number of people, every item
policy picks ``k`` items for each of them (a person's list is the same whichever audience
reached them), and a campaign *converts* when its person buys one of its items in the
window. Policies read :class:`~recmind.marketing.simulate.log.Past` only, which refuses
an event at or after the moment; the outcome is read after every choice is made.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from recmind.marketing.audiences import iso_moment
from recmind.marketing.simulate.audiences import AUDIENCES, audience_size, choose_audience
from recmind.marketing.simulate.items import (
    Lists,
    best_sellers,
    last_items,
    lists_cover,
    random_items,
    replenish_items,
    tune_best_sellers,
)
from recmind.marketing.simulate.log import DAY, LeakError, Past, ReplayLog, campaign_moments
from recmind.marketing.simulate.outcome import conversions
from recmind.marketing.simulate.personal import (
    PersonalModel,
    Tuned,
    fit_personal,
    personal_items,
    tune_personal,
)

logger = logging.getLogger(__name__)

POLICIES = ("recmind", "bestsellers", "random", "last", "replenish")
"""Item policies: recmind's personalised items, the tuned best-sellers, random items on
sale, the person's last items, recmind's replenishment (repeat buys allowed only)."""
Progress = Callable[[str, int, int | None], None]
"""``(label, done, total)``, as the CLI's progress bars take it."""


@dataclass(frozen=True)
class ReplayConfig:
    """How campaigns are replayed (defaults: weekly 7-day campaigns of 5 items)."""

    k: int = 5
    """Items promoted to each person."""
    window_days: float = 7.0
    """A buy of a promoted item this many days after the moment is a conversion."""
    step_days: float = 7.0
    """Days between campaign moments."""
    quantile: float = 0.8
    """Where the held-out period starts among the item events' times."""
    start: float | None = None
    """The held-out period's start (epoch seconds) instead of the ``quantile``."""
    max_moments: int | None = None
    """At most this many campaign moments (the first ones)."""
    audience_share: float = 0.2
    """Audience size as a share of the people with a buy before the moment."""
    max_audience: int | None = 1000
    """Cap on the audience size (keeps a run bounded; the rules still rank everyone)."""
    policies: tuple[str, ...] = POLICIES
    audiences: tuple[str, ...] = AUDIENCES
    new_only: bool = True
    """True: no policy may promote what the person bought before the moment (conversions
    are first purchases); false: repeat purchases count for every policy."""
    model: str = "hybrid"
    """The personalised model (the served family; ``recmind train``'s default)."""
    refit_days: float | None = None
    """Refit the model (same tuned hyperparameters) once it is this many days old at a
    moment; ``None``: fitted once at the first moment, as a model published then would
    serve the whole period (histories are still read live at every moment)."""
    seed: int = 42

    def __post_init__(self) -> None:
        if self.k < 1:
            raise ValueError(f"k must be at least 1, got {self.k}")
        if not 0.0 < self.audience_share <= 1.0:
            raise ValueError(f"audience_share must be in (0, 1], got {self.audience_share}")
        if not 0.0 < self.quantile < 1.0:
            raise ValueError(f"quantile must lie strictly between 0 and 1, got {self.quantile}")
        for name in self.policies:
            if name not in POLICIES:
                raise ValueError(f"unknown policy {name!r}; choose from {', '.join(POLICIES)}")
        for name in self.audiences:
            if name not in AUDIENCES:
                raise ValueError(f"unknown audience {name!r}; choose from {', '.join(AUDIENCES)}")
        if "recmind" not in self.audiences:
            raise ValueError("the audiences must include recmind's")


@dataclass
class MomentRecord:
    """What happened at one campaign moment."""

    moment: float
    candidates: int
    audience: int
    audience_models: dict[str, str]
    coverage: dict[str, int]
    window_buyers: int
    seconds: dict[str, float] = field(default_factory=dict)
    best_sellers: dict[str, Any] = field(default_factory=dict)
    model_age_days: float | None = None


@dataclass
class Replay:
    """Every campaign sent (``campaigns``: one row per moment, audience, item policy and
    person, with the items promoted and what they earned) and what each moment did."""

    dataset: str
    config: ReplayConfig
    cut: float
    buy_type: str
    revenue: bool
    campaigns: pd.DataFrame
    moments: list[MomentRecord]
    tuned: Tuned | None
    fits: list[dict[str, float]]


class _Model:
    """The personalised model across moments: tuned at the first moment it is asked for,
    fitted then and refitted once ``refit_days`` old. Every fit is kept, so a second replay
    over the same moments (the other ``new_only`` setting) gets, at each moment, the fit a
    first one used there."""

    def __init__(self, config: ReplayConfig, progress: Progress | None) -> None:
        self.config = config
        self.progress = progress
        self.tuned: Tuned | None = None
        self.tuned_at = float("inf")
        self.fitted: list[PersonalModel] = []
        self.fits: list[dict[str, float]] = []

    def at(self, past: Past) -> PersonalModel:
        cfg = self.config
        if self.tuned is None:
            steps = 0

            def on_step(_: str) -> None:
                nonlocal steps
                steps += 1
                if self.progress is not None:
                    self.progress("tuning recmind's model", steps, None)

            self.tuned, self.tuned_at = (
                tune_personal(past, cfg.model, cfg.seed, on_step),
                past.moment,
            )
        if past.moment < self.tuned_at:
            raise LeakError(f"the model was tuned at {self.tuned_at}, after {past.moment}")
        usable = [f for f in self.fitted if f.fitted_at <= past.moment]
        latest = max(usable, key=lambda f: f.fitted_at, default=None)
        stale = (
            latest is not None
            and cfg.refit_days is not None
            and past.moment - latest.fitted_at >= cfg.refit_days * DAY
        )
        if latest is None or stale:
            latest = fit_personal(past, cfg.model, self.tuned.params, cfg.seed)
            self.fitted.append(latest)
            self.fits.append({"moment": past.moment, "seconds": latest.fit_seconds})
        return latest


class ReplayCache:
    """What replays of one log may share (both settings of ``new_only``, say): the tuned
    and fitted model per (model, seed, refit) and the audiences per (rule, moment, size,
    window, seed), none of which depends on the setting."""

    def __init__(self) -> None:
        self.models: dict[tuple[str, int, float | None], _Model] = {}
        self.audiences: dict[tuple[str, float, int, float, int], tuple[list[str], str]] = {}

    def model(self, config: ReplayConfig, progress: Progress | None) -> _Model:
        key = (config.model, config.seed, config.refit_days)
        if key not in self.models:
            self.models[key] = _Model(config, progress)
        found = self.models[key]
        found.config, found.progress = config, progress
        return found

    def audience(self, name: str, past: Past, n: int, cfg: ReplayConfig) -> tuple[list[str], str]:
        key = (name, past.moment, n, cfg.window_days, cfg.seed)
        if key not in self.audiences:
            self.audiences[key] = choose_audience(
                name, past, n, window_days=cfg.window_days, seed=cfg.seed
            )
        return self.audiences[key]


def held_out_cut(log: ReplayLog, quantile: float) -> float:
    """The temporal protocol's cut: the ``quantile`` of the item events' times."""
    return float(np.quantile(log.events["timestamp"].to_numpy(dtype=np.float64), quantile))


def _item_lists(
    name: str, past: Past, people: list[str], *, model: _Model, record: MomentRecord
) -> Lists:
    cfg = model.config
    if name == "recmind":
        fitted = model.at(past)
        record.model_age_days = (past.moment - fitted.fitted_at) / DAY
        return personal_items(fitted, past, people, cfg.k, new_only=cfg.new_only, seed=cfg.seed)
    if name == "bestsellers":
        choice = tune_best_sellers(
            past, k=cfg.k, window_days=cfg.window_days, new_only=cfg.new_only
        )
        record.best_sellers = {
            "window_days": choice.window_days,
            "rank_by": choice.rank_by,
            "trials": choice.trials,
        }
        return best_sellers(past, people, cfg.k, choice, cfg.new_only)
    if name == "random":
        return random_items(past, people, cfg.k, cfg.seed, cfg.new_only)
    if name == "replenish":
        return replenish_items(past, people, cfg.k, cfg.new_only)
    return last_items(past, people, cfg.k, cfg.new_only)


def replay_moment(
    log: ReplayLog, moment: float, cfg: ReplayConfig, model: _Model, cache: ReplayCache
) -> tuple[pd.DataFrame, MomentRecord]:
    """Every campaign at one moment: the policies choose from the past, then the window's
    buys are counted."""
    past = log.past(moment)
    candidates = past.buyers()
    n = audience_size(len(candidates), cfg.audience_share, cfg.max_audience)
    record = MomentRecord(moment, len(candidates), n, {}, {}, 0)
    chosen: dict[str, list[str]] = {}
    for name in cfg.audiences:
        began = time.perf_counter()
        people, how = cache.audience(name, past, n, cfg)
        if len(people) != n:
            raise RuntimeError(f"audience {name} has {len(people)} people, not {n}")
        chosen[name], record.audience_models[name] = people, how
        record.seconds[f"audience {name}"] = time.perf_counter() - began
    union = sorted(set().union(*chosen.values()))
    lists: dict[str, Lists] = {}
    for name in cfg.policies:
        began = time.perf_counter()
        lists[name] = _item_lists(name, past, union, model=model, record=record)
        record.coverage[name] = lists_cover(lists[name])
        record.seconds[f"items {name}"] = time.perf_counter() - began
    window = log.outcome(moment, moment + cfg.window_days * DAY)  # read after every choice
    record.window_buyers = int(window["user_id"].nunique())
    frames = []
    for policy, per_person in lists.items():
        promoted = {u: per_person.get(u, []) for u in union}
        scored = conversions(promoted, window)
        scored["items"] = pd.Series([tuple(promoted[u]) for u in union], index=scored.index)
        for audience, people in chosen.items():
            rows = scored.loc[people].reset_index()
            frames.append(rows.assign(moment=moment, audience=audience, policy=policy))
    return pd.concat(frames, ignore_index=True), record


def replay(
    log: ReplayLog,
    config: ReplayConfig,
    progress: Progress | None = None,
    cache: ReplayCache | None = None,
) -> Replay:
    """Replay campaigns over ``log``'s held-out period (see the module docstring);
    ``cache`` shares the model and the audiences with other replays of the same log."""
    cut = held_out_cut(log, config.quantile) if config.start is None else float(config.start)
    moments = campaign_moments(
        log,
        cut,
        step_days=config.step_days,
        window_days=config.window_days,
        limit=config.max_moments,
    )
    if not moments:
        raise ValueError(
            f"{log.name}: the held-out period from {iso_moment(cut)} is shorter than one "
            f"{config.window_days:g}-day window"
        )
    cache = cache if cache is not None else ReplayCache()
    model = cache.model(config, progress)
    frames, records = [], []
    for number, moment in enumerate(moments, start=1):
        frame, record = replay_moment(log, moment, config, model, cache)
        frames.append(frame)
        records.append(record)
        logger.info("%s: moment %d/%d done", log.name, number, len(moments))
        if progress is not None:
            progress("campaign moments", number, len(moments))
    return Replay(
        dataset=log.name,
        config=config,
        cut=cut,
        buy_type=log.buy_type,
        revenue=log.revenue,
        campaigns=pd.concat(frames, ignore_index=True),
        moments=records,
        tuned=model.tuned,
        fits=model.fits,
    )
