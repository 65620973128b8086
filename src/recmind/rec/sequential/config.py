"""Hyperparameters of the sequential (SASRec-style) recommender."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from recmind.rec.base import ModelConfig


class SequentialConfig(ModelConfig):
    """Architecture, loss and training schedule of :class:`SequentialRecommender`.

    The defaults were chosen on the *validation* holdout of MovieLens 100K (leave-last-out)
    and are meant to work without per-dataset tuning; ``benchmarks/sequential.py`` records
    the ablations behind them.
    """

    max_len: int = Field(
        default=50,
        ge=2,
        description="Most recent events fed to the model (50, 100 and 200 scored alike on "
        "MovieLens 100K validation; 50 is the cheapest).",
    )
    shuffle_ties: bool = Field(
        default=True,
        description="Reshuffle events that share a timestamp at every epoch (their order is "
        "unknown: MovieLens users rate many films in the same second), so the model does not "
        "learn one arbitrary order.",
    )
    random_windows: bool = Field(
        default=False,
        description="Histories longer than max_len + 1 train on a window ending at a random "
        "event each epoch instead of always the most recent one.",
    )
    hidden: int = Field(default=64, ge=4, description="Width of item vectors and hidden states.")
    blocks: int = Field(default=2, ge=1, description="Causal self-attention blocks.")
    heads: int = Field(default=1, ge=1, description="Attention heads (must divide hidden).")
    ff_mult: int = Field(default=4, ge=1, description="Feed-forward width as a multiple of hidden.")
    dropout: float = Field(default=0.2, ge=0.0, lt=1.0, description="Dropout everywhere.")
    loss: Literal["auto", "ce", "sce", "gbce", "bce"] = Field(
        default="auto",
        description="'ce': full softmax over the catalogue at every position; 'sce': "
        "sampled softmax with popularity-drawn negatives and log-Q correction, for large "
        "catalogues; 'gbce': gSASRec's calibrated binary loss; 'bce': original SASRec, one "
        "sampled negative; 'auto': ce up to ce_max_items items, sce beyond (see losses.py).",
    )
    ce_max_items: int = Field(
        default=5000,
        ge=1,
        description="With loss 'auto', the largest catalogue trained with the full softmax "
        "(its cost grows with positions x items).",
    )
    negatives: int = Field(
        default=512, ge=1, description="Sampled negatives per batch for sce and gbce."
    )
    gbce_t: float = Field(default=0.75, ge=0.0, le=1.0, description="gSASRec calibration t.")
    batch_size: int = Field(default=64, ge=1, description="Sequences per optimiser step.")
    lr: float = Field(default=1e-3, gt=0.0, description="AdamW learning rate.")
    weight_decay: float = Field(default=0.0, ge=0.0, description="AdamW decoupled decay.")
    plateau_decay: float = Field(
        default=1.0,
        gt=0.0,
        le=1.0,
        description="Multiply the learning rate by this after every monitor check that does "
        "not improve (1.0: constant rate).",
    )
    max_epochs: int = Field(default=200, ge=1, description="Upper bound on training epochs.")
    patience: int = Field(
        default=3,
        ge=0,
        description="Stop after this many checks without a better monitor NDCG@10 (0: never "
        "stop early, train max_epochs and keep the last weights).",
    )
    eval_every: int | None = Field(
        default=None,
        ge=1,
        description="Epochs between monitor checks; None: about every check_steps optimiser "
        "steps (at least every epoch), so small and large data sets get similar schedules.",
    )
    check_steps: int = Field(
        default=60,
        ge=1,
        description="Optimiser steps between monitor checks when eval_every is None (every 4 "
        "epochs on MovieLens 100K, where the monitor still rose until about epoch 40).",
    )
    monitor_users: int = Field(
        default=2000,
        ge=0,
        description="Users whose last training event is held out of the loss to pick the "
        "epoch (early stopping); 0 disables the monitor.",
    )
    text_fusion: bool = Field(
        default=True,
        description="Add a learned projection of item text embeddings to every item vector "
        "(when text vectors are available), so items never seen in training still get one.",
    )
    encoder: str | None = Field(
        default=None,
        description="Text encoder for fusion (minilm, minilm-onnx, e5); None uses "
        "settings.encoder (RECMIND_ENCODER).",
    )
    cache_embeddings: bool = Field(
        default=True,
        description="Keep item vectors in the on-disk embedding cache (<home>/cache/embeddings).",
    )
    id_dropout: float = Field(
        default=0.3,
        ge=0.0,
        lt=1.0,
        description="With text fusion: chance, per item and training step, that the item is "
        "represented by its text alone (its ID embedding dropped), so items nobody has "
        "touched yet, which only have text, score on the same scale as known ones. On "
        "MovieLens 100K 0.3 lifted cold-item HR@10 from 0.003 to 0.130 (0.1: 0.068, 0.5: "
        "0.130) for a validation NDCG@10 of 0.105 instead of 0.107 (0.5: 0.096).",
    )
    threads: int = Field(
        default=1,
        ge=1,
        description="torch CPU threads while fitting and scoring. One is the default: on a "
        "shared 2-core machine two OpenMP threads spin against other processes and ran 4-8x "
        "slower (measured), and one thread is bitwise reproducible.",
    )
