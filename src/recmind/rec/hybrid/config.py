"""Hyperparameters of the hybrid recommender: which candidate sources, how many candidates
each, and how the LightGBM LambdaRank ranker is trained."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from recmind.rec.base import ModelConfig

KNOWN_SOURCES = (
    "ease",
    "als",
    "itemknn",
    "transitions",
    "semantic",
    "popular",
    "trending",
    "sequential",
)
"""Every source the hybrid knows (``sources`` may name any of them, in any order)."""
DEFAULT_SOURCES = ("ease", "als", "itemknn", "transitions", "semantic", "popular", "trending")
"""What ``sources=None`` uses, skipping ``semantic`` when no text encoder loads. The SASRec
``sequential`` source is left out by default: on MovieLens 100K it took ~10x the rest of
the hybrid's fit and did not move its NDCG@10 (0.0996 with it, 0.0983 without, same
split), because the ``transitions`` source already carries the order of events."""


class HybridConfig(ModelConfig):
    """Hyperparameters of :class:`~recmind.rec.hybrid.recommender.HybridRecommender`.

    Fixed defaults that are meant to work on any dataset without tuning: the sources use
    literature values, and the ranker picks its own number of trees by early stopping on
    users held out of its internal split.
    """

    sources: tuple[str, ...] | None = Field(
        default=None,
        description="Candidate sources by name (any of KNOWN_SOURCES); None uses "
        "DEFAULT_SOURCES, skipping the text source when no encoder can load.",
    )
    source_params: dict[str, dict[str, Any]] = Field(
        default_factory=dict,
        description="Hyperparameters per source, overriding the built-in defaults (for "
        'example {"ease": {"l2": 250}}).',
    )
    candidates: int = Field(
        default=50, ge=1, description="Top items taken from every source; the union is ranked."
    )
    label_quantiles: tuple[float, ...] = Field(
        default=(0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9),
        description="Internal time cuts the ranker learns from, as quantiles of the "
        "pairs' first-event times: at each cut the sources are fitted on what came before "
        "it and the labels are the items each person took up from it on (the question a "
        "server is asked). More cuts: more queries, more source fits.",
    )
    cut_budget: float = Field(
        default=6e6,
        gt=0,
        description="Bound on the work of the internal cuts: each costs about pairs + "
        "items**2 / 100 (its source fits: EASE inverts an items x items matrix), and the "
        "latest cuts that fit in the budget are kept (at least min_cuts).",
    )
    min_cuts: int = Field(default=3, ge=1, description="Fewest internal cuts kept by cut_budget.")
    label_window: float = Field(
        default=0.2,
        gt=0.0,
        le=1.0,
        description="Labels of a cut are the pairs first seen in the next label_window "
        "share of all pairs after it (the temporal protocol's test period is the last "
        "fifth); 1.0: everything after the cut.",
    )
    cold_share: float = Field(
        default=0.05,
        ge=0.0,
        lt=1.0,
        description="Share of the items (with at least cold_min_users users) whose every "
        "interaction becomes a label of a second internal split, the sources fitted again "
        "without them: a second ranker learns which items nobody has touched yet (known by "
        "their text and category only) suit a person. 0: none (no second fit; such items "
        "rank as the main ranker puts them, last).",
    )
    cold_min_users: int = Field(
        default=5, ge=1, description="Fewest users of an item drawn for cold_share."
    )
    cold_from: int = Field(
        default=5,
        ge=1,
        description="Position of the first slot for items nobody has touched: the best "
        "cold_from - 1 candidates with interactions come first.",
    )
    cold_slots: int = Field(
        default=5,
        ge=0,
        description="Most items nobody has touched placed from cold_from on (the cold "
        "ranker's best); the others follow every candidate with interactions.",
    )
    max_queries: int = Field(
        default=20_000,
        ge=1,
        description="Most labelled queries the ranker trains on, over all cuts (a seeded "
        "sample beyond it), bounding its memory on large data.",
    )
    trees: int = Field(default=300, ge=1, description="Most boosting rounds of the ranker.")
    learning_rate: float = Field(default=0.05, gt=0, description="Ranker shrinkage.")
    num_leaves: int = Field(
        default=7,
        ge=2,
        description="Leaves per ranker tree. Small trees: the ranker learns from a few "
        "hundred to a few thousand labelled users; on MovieLens 100K 7 leaves beat 31 on "
        "the leave-last-out validation target by NDCG@10 0.004 (mean of 6 ranker seeds on "
        "2 splits) with a third of the spread across ranker seeds, and on the temporal "
        "one by 0.008-0.016.",
    )
    min_child_samples: int = Field(
        default=50, ge=1, description="Fewest (user, candidate) pairs in a ranker leaf."
    )
    early_stopping: int = Field(
        default=30,
        ge=1,
        description="Stop when the held-out users' NDCG@10 has not improved for this many rounds.",
    )
    folds: int = Field(
        default=3,
        ge=2,
        description="Boosters in the ranker: each is early-stopped on one fold of the "
        "labelled users and trained on the others; their scores are averaged.",
    )
    use_trees: bool = Field(
        default=True,
        description="Score with the ranker's trees; false ranks by its starting order (the "
        "best single source or their fusion) alone. Read only when scoring, so the "
        "validation target chooses it without a second fit.",
    )
    boost_from_best: bool = Field(
        default=True,
        description="Start boosting from the best single ranking on the labelled users "
        "(one source's order, or all sources fused) and keep no tree unless trees beat it "
        "on held-out users; false starts from nothing.",
    )
    threads: int = Field(
        default=1,
        ge=1,
        description="LightGBM threads. One is the default: on a shared 2-core machine two "
        "OpenMP threads spun against other processes and trained 10x slower (measured); "
        "results do not depend on it.",
    )
