"""The training loop: next-item loss at every position, early stopping on held-out last
events of the training sequences (never on any evaluation target)."""

from __future__ import annotations

import copy
import logging
import math
import time
from dataclasses import dataclass, field

import numpy as np
import torch

from recmind.rec.sequential.config import SequentialConfig
from recmind.rec.sequential.data import Sequences, iterate_batches, training_rows
from recmind.rec.sequential.losses import next_item_loss, proposal
from recmind.rec.sequential.model import SASRec, last_states
from recmind.rec.sequential.optim import AdamW

logger = logging.getLogger(__name__)

MONITOR_K = 10
MONITOR_BLOCK = 256
"""Monitor users scored at once (bounds the users x items score matrix)."""
MIN_MONITOR_LENGTH = 3
"""A monitor user keeps at least two events (one training transition) after the held-out one."""


@dataclass
class TrainLog:
    """What happened during training: the monitor NDCG@10 per check, the epoch whose weights
    were kept, epochs run, seconds and final mean loss."""

    checks: list[tuple[int, float]] = field(default_factory=list)
    best_epoch: int = 0
    epochs: int = 0
    seconds: float = 0.0
    last_loss: float = float("nan")


def check_interval(config: SequentialConfig, n_rows: int) -> int:
    """Epochs between monitor checks: ``eval_every``, or the epochs that make up about
    ``check_steps`` optimiser steps."""
    if config.eval_every is not None:
        return config.eval_every
    steps_per_epoch = max(1, math.ceil(n_rows / config.batch_size))
    return max(1, round(config.check_steps / steps_per_epoch))


def pick_monitor_users(sequences: Sequences, count: int, rng: np.random.Generator) -> np.ndarray:
    """Up to ``count`` users with enough history, drawn at random, sorted."""
    eligible = np.flatnonzero(sequences.lengths() >= MIN_MONITOR_LENGTH)
    if count <= 0 or len(eligible) == 0:
        return np.zeros(0, dtype=np.int64)
    chosen = rng.choice(eligible, size=min(count, len(eligible)), replace=False)
    return np.sort(chosen)


def monitor_ndcg(model: SASRec, sequences: Sequences, users: np.ndarray) -> float:
    """NDCG@10 of each monitor user's held-out last event, ranked among every item seen in
    training that the user has not touched before it."""
    if len(users) == 0:
        return float("nan")
    prefixes = [torch.from_numpy(sequences.of(int(u))[:-1]) for u in users]
    targets = torch.tensor([int(sequences.of(int(u))[-1]) for u in users])
    ranks = torch.empty(len(users))
    with torch.no_grad():
        states = last_states(model, prefixes)
        vectors = model.item_vectors()
        allowed = model.known.squeeze(1) > 0
        for start in range(0, len(users), MONITOR_BLOCK):
            stop = min(start + MONITOR_BLOCK, len(users))
            scores = (states[start:stop] @ vectors.T).masked_fill(~allowed, -torch.inf)
            for row, prefix in enumerate(prefixes[start:stop]):
                scores[row, prefix] = -torch.inf
            target_scores = scores.gather(1, targets[start:stop].unsqueeze(1))
            ranks[start:stop] = (scores > target_scores).sum(1).float()
    gains = torch.where(ranks < MONITOR_K, 1.0 / torch.log2(ranks + 2.0), torch.zeros_like(ranks))
    return float(gains.mean())


def train(model: SASRec, sequences: Sequences, config: SequentialConfig, seed: int) -> TrainLog:
    """Fit ``model`` in place; with a monitor, keep the weights of the best check.

    Everything random (batch order, dropout, negatives, monitor users) follows ``seed``;
    the process-wide torch generator is left as it was.
    """
    with torch.random.fork_rng():
        torch.manual_seed(seed)
        return _train(model, sequences, config, seed)


def _train(model: SASRec, sequences: Sequences, config: SequentialConfig, seed: int) -> TrainLog:
    rng = np.random.default_rng(seed)
    generator = torch.Generator().manual_seed(seed)
    monitor = pick_monitor_users(sequences, config.monitor_users, rng)
    trained = sequences.drop_last(monitor)
    rows = training_rows(trained)
    sampling = proposal(trained, model.known.squeeze(1))
    log = TrainLog()
    if not rows:
        return log
    optimiser = AdamW(model.parameters(), lr=config.lr, weight_decay=config.weight_decay)
    every = check_interval(config, len(rows))
    best_state = copy.deepcopy(model.state_dict())
    best = -1.0
    misses = 0
    started = time.perf_counter()
    for epoch in range(1, config.max_epochs + 1):
        model.train()
        total, batches = 0.0, 0
        if config.shuffle_ties and epoch > 1:
            rows = training_rows(trained.shuffle_ties(rng))
        batches_of_epoch = iterate_batches(
            rows,
            config.batch_size,
            rng,
            max_len=config.max_len,
            random_windows=config.random_windows,
        )
        for batch in batches_of_epoch:
            loss = next_item_loss(
                model,
                torch.from_numpy(batch.inputs),
                torch.from_numpy(batch.targets),
                config,
                generator=generator,
                sampling=sampling,
            )
            optimiser.zero_grad()
            loss.backward()  # type: ignore[no-untyped-call]
            optimiser.step()
            total += float(loss.detach())
            batches += 1
        log.epochs, log.last_loss = epoch, total / max(batches, 1)
        if len(monitor) == 0 or (epoch % every and epoch != config.max_epochs):
            continue
        score = monitor_ndcg(model, sequences, monitor)
        log.checks.append((epoch, score))
        logger.debug("epoch %d loss %.4f monitor ndcg@10 %.4f", epoch, log.last_loss, score)
        if score > best:
            best, misses, log.best_epoch = score, 0, epoch
            best_state = copy.deepcopy(model.state_dict())
        else:
            misses += 1
            optimiser.lr *= config.plateau_decay
            if config.patience and misses >= config.patience:
                break
    if len(monitor) and config.patience:
        model.load_state_dict(best_state)
    else:
        log.best_epoch = log.epochs
    log.seconds = time.perf_counter() - started
    logger.info(
        "sequential: %d epochs in %.1f s, kept epoch %d (monitor ndcg@10 %.4f)",
        log.epochs,
        log.seconds,
        log.best_epoch,
        best,
    )
    return log
