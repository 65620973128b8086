"""Likely buyers: who will buy the target items in the next N days, as of a moment.

Every person with an event before ``as_of`` is scored from recommender features
(:mod:`~recmind.marketing.audiences.recscore`) and purchase-propensity features
(:mod:`~recmind.marketing.audiences.features`). How to combine them is learned inside the
past: at inner cuts before ``as_of`` the label is whether a person bought a target in the
window after the cut; the candidates (:data:`~recmind.marketing.audiences.combiner.CANDIDATES`)
are fitted on the earlier cuts and compared on the latest by the share of buyers among
the top, the winner is refitted on all cuts and scores everyone at ``as_of``. Nothing at
or after ``as_of`` is read: the log is cut there first.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from recmind.marketing.audiences.audience import Audience
from recmind.marketing.audiences.combiner import (
    CANDIDATES,
    Candidate,
    make_scorer,
    precision_at,
    rank,
    tie_keys,
)
from recmind.marketing.audiences.features import (
    PROPENSITY_FEATURES,
    Target,
    bought,
    propensity_features,
)
from recmind.marketing.audiences.log import SECONDS_PER_DAY, EventLog, positions
from recmind.marketing.audiences.recscore import (
    REC_FEATURES,
    RecommenderSpec,
    recommender_features,
)

FEATURES = PROPENSITY_FEATURES + REC_FEATURES
Progress = Callable[[str, int, int | None], None]
"""``(label, done, total)``: how far :func:`likely_buyers` is (the CLI draws a bar)."""
PROGRESS_LABEL = "likely buyers"


@dataclass(frozen=True)
class BuyersConfig:
    """How likely buyers are found (defaults suit a shop with weeks of history)."""

    window_days: float
    """The horizon: buyers in ``[as_of, as_of + window_days)``."""
    top: int
    """How many people to return."""
    candidates: tuple[Candidate, ...] = CANDIDATES
    recommender: RecommenderSpec = field(default_factory=RecommenderSpec)
    min_history_days: float = 28.0
    """History every inner cut needs before it."""
    min_label_days: float = 7.0
    """Shortest label window an inner cut may use when history is short."""
    max_train_cuts: int = 3
    min_positives: int = 10
    """Fewer buyers at the inner cuts than this: the recency rule, nothing learned."""
    seed: int = 0

    def __post_init__(self) -> None:
        if not self.window_days > 0:
            raise ValueError(f"window_days must be positive, got {self.window_days}")
        if self.top < 1:
            raise ValueError(f"top must be at least 1, got {self.top}")
        if not self.candidates:
            raise ValueError("candidates: give at least one")


@dataclass(frozen=True)
class InnerCuts:
    """Where the combination is learned: the label window and the cut moments, latest
    (validation) first. No cuts: the history is too short to learn from."""

    label_days: float
    cuts: tuple[float, ...]


def inner_cuts(log: EventLog, as_of: float, config: BuyersConfig) -> InnerCuts:
    """The validation cut ``as_of - L`` and up to ``max_train_cuts`` earlier ones, ``L``
    apart, each with ``min_history_days`` of history before it; ``L`` is the window, shrunk
    (not below ``min_label_days``) so that at least two cuts fit."""
    span = (as_of - log.start) / SECONDS_PER_DAY - config.min_history_days
    label = min(config.window_days, span / 2.0)
    if label < config.min_label_days:
        label = min(config.window_days, span)
        if label < config.min_label_days:
            return InnerCuts(label_days=0.0, cuts=())
    step = label * SECONDS_PER_DAY
    earliest = log.start + config.min_history_days * SECONDS_PER_DAY
    cuts = [as_of - step * (j + 1) for j in range(config.max_train_cuts + 1)]
    return InnerCuts(label_days=label, cuts=tuple(c for c in cuts if c >= earliest - 1e-6))


@dataclass(frozen=True)
class CutRows:
    """The people active before one moment (user codes, in id order), their features
    then, their labels (when the moment is an inner cut) and their tie-break keys."""

    people: np.ndarray
    features: np.ndarray
    labels: np.ndarray
    keys: np.ndarray


def cut_rows(
    log: EventLog,
    target: Target,
    moment: float,
    config: BuyersConfig,
    label_seconds: float = 0.0,
) -> CutRows:
    """Features of the people active before ``moment`` (and, with ``label_seconds``,
    whether they bought a target in the window after it). People come in the order of
    their ids, so nothing depends on the order the log was read in."""
    people = np.flatnonzero(log.active_users(moment))
    people = people[np.argsort(log.user_ids[people].astype(str), kind="stable")]
    features = np.column_stack(
        [
            propensity_features(log, target, moment),
            recommender_features(log, target, moment, config.recommender),
        ]
    )
    labels = (
        bought(log, target, moment, moment + label_seconds)[people]
        if label_seconds > 0
        else np.zeros(len(people), dtype=bool)
    )
    return CutRows(
        people=people,
        features=features[people],
        labels=labels.astype(np.int64),
        keys=tie_keys(log.user_ids[people], config.seed),
    )


def likely_buyers(
    log: EventLog,
    target: Target,
    as_of: float,
    config: BuyersConfig,
    progress: Progress | None = None,
) -> Audience:
    """The ``config.top`` people most likely to buy a target item in the
    ``config.window_days`` after ``as_of``, from the events strictly before ``as_of``
    (``target``'s masks cover ``log``'s items)."""
    if len(target.items) != log.n_items:
        raise ValueError(f"the target covers {len(target.items)} items, the log {log.n_items}")
    past = log.before(as_of)
    if past.n_items != log.n_items:
        where = positions(log.item_ids, past.item_ids)
        target = Target(items=target.items[where], related=target.related[where])
    log = past
    plan = inner_cuts(log, as_of, config)
    total = len(plan.cuts) + len(config.candidates) + 2
    done = 0

    def step(count: int = 1) -> None:
        nonlocal done
        done += count
        if progress is not None:
            progress(PROGRESS_LABEL, done, total)

    label_seconds = plan.label_days * SECONDS_PER_DAY
    rows: list[CutRows] = []
    for cut in plan.cuts:
        rows.append(cut_rows(log, target, cut, config, label_seconds))
        step()
    now = cut_rows(log, target, as_of, config)
    step()
    chosen, validation = choose(rows, config, len(now.people), step)
    if not validation:  # nothing was compared
        step(len(config.candidates))
    scorer = make_scorer(chosen, FEATURES, config.seed)
    if chosen.kind != "rule":
        scorer.fit(np.vstack([r.features for r in rows]), np.concatenate([r.labels for r in rows]))
    scores = scorer.predict(now.features) if len(now.people) else np.zeros(0)
    order = rank(scores, now.keys)[: config.top]
    step()
    return Audience(
        as_of=as_of,
        user_ids=[str(u) for u in log.user_ids[now.people[order]]],
        scores=[float(s) for s in scores[order]],
        model=chosen.name,
        details={
            "label_days": plan.label_days,
            "inner_cuts": len(plan.cuts),
            "inner_positives": [int(r.labels.sum()) for r in rows],
            "validation_precision": validation,
            "candidates": len(now.people),
            "target_items_touched": int(np.count_nonzero(target.items)),
        },
    )


def choose(
    rows: list[CutRows], config: BuyersConfig, n_now: int, step: Callable[[], None]
) -> tuple[Candidate, dict[str, float]]:
    """The candidate with the most buyers among the top on the validation cut (the first
    of ``rows``) when fitted on the others; the recency rule (or the first candidate) when
    there is too little to learn from."""
    fallback = next((c for c in config.candidates if c.kind == "rule"), config.candidates[0])
    if len(rows) < 2:
        return fallback, {}
    validation, train = rows[0], rows[1:]
    x_train = np.vstack([r.features for r in train])
    y_train = np.concatenate([r.labels for r in train])
    positives = int(y_train.sum())
    if positives < config.min_positives or positives == len(y_train) or not validation.labels.any():
        return fallback, {}
    k = max(1, round(config.top * len(validation.labels) / max(n_now, 1)))
    results: dict[str, float] = {}
    for candidate in config.candidates:
        scorer = make_scorer(candidate, FEATURES, config.seed)
        scorer.fit(x_train, y_train)
        predicted = scorer.predict(validation.features)
        results[candidate.name] = precision_at(predicted, validation.labels, k, validation.keys)
        step()
    best = max(config.candidates, key=lambda c: (results[c.name], c.kind == "rule"))
    return best, results
