"""The training loop on a sequence pattern a next-item model must learn: every user walks
a cycle of items (item j is always followed by item j + 1)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from recmind.rec.sequential.config import SequentialConfig
from recmind.rec.sequential.data import Sequences
from recmind.rec.sequential.model import SASRec
from recmind.rec.sequential.train import check_interval, monitor_ndcg, pick_monitor_users, train

N_ITEMS = 24


def cycle_sequences(n_users: int = 60, seed: int = 0) -> Sequences:
    rng = np.random.default_rng(seed)
    rows = []
    for _ in range(n_users):
        start, length = int(rng.integers(N_ITEMS)), int(rng.integers(4, 12))
        rows.append((start + np.arange(length)) % N_ITEMS + 1)
    indptr = np.concatenate(([0], np.cumsum([len(r) for r in rows])))
    return Sequences(indptr=indptr.astype(np.int64), tokens=np.concatenate(rows).astype(np.int64))


def fresh_model(config: SequentialConfig, text: torch.Tensor | None = None) -> SASRec:
    torch.manual_seed(0)
    return SASRec(
        N_ITEMS + 1,
        max_len=config.max_len,
        hidden=config.hidden,
        blocks=config.blocks,
        heads=config.heads,
        ff_mult=config.ff_mult,
        dropout=config.dropout,
        text=text,
    )


def config(**overrides: object) -> SequentialConfig:
    base: dict[str, object] = {
        "max_len": 16,
        "hidden": 16,
        "dropout": 0.1,
        "batch_size": 16,
        "lr": 5e-3,
        "max_epochs": 30,
        "eval_every": 5,
        "patience": 0,
        "monitor_users": 20,
    }
    return SequentialConfig(**{**base, **overrides})


@pytest.mark.parametrize(("loss", "epochs"), [("ce", 30), ("sce", 30), ("bce", 30), ("gbce", 30)])
def test_every_loss_learns_the_cycle(loss: str, epochs: int) -> None:
    sequences = cycle_sequences()
    cfg = config(loss=loss, negatives=16, max_epochs=epochs)
    model = fresh_model(cfg)
    users = pick_monitor_users(sequences, 20, np.random.default_rng(0))
    before = monitor_ndcg(model, sequences, users)
    log = train(model, sequences, cfg, seed=0)
    assert log.epochs == epochs and log.best_epoch == epochs
    assert np.isfinite(log.last_loss)
    after = monitor_ndcg(model, sequences, users)
    assert after > 0.8 > before


def test_monitor_targets_are_not_trained_on() -> None:
    """Held-out last events never enter the loss: a user whose only transition is the
    held-out one contributes no training row."""
    sequences = Sequences(indptr=np.array([0, 3]), tokens=np.array([1, 2, 3]))
    cfg = config(monitor_users=1)
    log = train(fresh_model(cfg), sequences, cfg, seed=0)
    assert log.epochs > 0  # one transition (1 -> 2) is left for training
    short = Sequences(indptr=np.array([0, 2]), tokens=np.array([1, 2]))
    assert train(fresh_model(cfg), short, config(monitor_users=0, max_epochs=1), 0).epochs == 1


def test_early_stopping_keeps_the_best_check() -> None:
    sequences = cycle_sequences()
    cfg = config(max_epochs=40, eval_every=2, patience=2, lr=2e-2)
    model = fresh_model(cfg)
    log = train(model, sequences, cfg, seed=3)
    best_epoch, best_score = max(log.checks, key=lambda check: check[1])
    assert log.best_epoch == best_epoch
    users = pick_monitor_users(sequences, cfg.monitor_users, np.random.default_rng(3))
    assert monitor_ndcg(model, sequences, users) == pytest.approx(best_score)
    misses_at_end = len(log.checks) - 1 - [e for e, _ in log.checks].index(best_epoch)
    assert log.epochs == 40 or misses_at_end == cfg.patience


@pytest.mark.parametrize("id_dropout", [0.0, 0.5])
def test_text_fusion_trains_the_projection(id_dropout: float) -> None:
    sequences = cycle_sequences()
    text = torch.randn(N_ITEMS + 1, 8, generator=torch.Generator().manual_seed(2))
    cfg = config(max_epochs=5, id_dropout=id_dropout)
    model = fresh_model(cfg, text)
    assert model.text_proj is not None
    before = model.text_proj.weight.detach().clone()
    train(model, sequences, cfg, seed=0)
    assert not torch.equal(before, model.text_proj.weight)


def test_same_seed_same_weights() -> None:
    sequences = cycle_sequences()
    cfg = config(max_epochs=3)
    first, second = fresh_model(cfg), fresh_model(cfg)
    train(first, sequences, cfg, seed=4)
    train(second, sequences, cfg, seed=4)
    for a, b in zip(first.state_dict().values(), second.state_dict().values(), strict=True):
        assert torch.equal(a, b)


def test_check_interval_in_optimiser_steps() -> None:
    """About check_steps steps between checks: 943 MovieLens users in batches of 64 make
    15 steps an epoch, so every 4 epochs; a large data set is checked every epoch."""
    cfg = SequentialConfig(check_steps=60, batch_size=64)
    assert check_interval(cfg, 943) == 4
    assert check_interval(cfg, 100_000) == 1
    assert check_interval(cfg, 10) == 60
    assert check_interval(SequentialConfig(eval_every=3), 943) == 3
