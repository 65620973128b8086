"""Loss selection, the sampling distribution of the sampled softmax, and what the binary
losses' logit offset does and does not touch."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from recmind.rec.sequential.config import SequentialConfig
from recmind.rec.sequential.data import Sequences
from recmind.rec.sequential.losses import next_item_loss, proposal, resolve_loss
from recmind.rec.sequential.model import SASRec


def test_auto_loss_by_catalogue_size() -> None:
    cfg = SequentialConfig(ce_max_items=100)
    assert resolve_loss(cfg, 100) == "ce"
    assert resolve_loss(cfg, 101) == "sce"
    assert resolve_loss(SequentialConfig(loss="bce", ce_max_items=1), 10_000) == "bce"


def test_proposal_follows_training_frequency() -> None:
    sequences = Sequences(indptr=np.array([0, 4, 6]), tokens=np.array([1, 1, 1, 2, 1, 2]))
    allowed = torch.tensor([False, True, True, False])
    q = proposal(sequences, allowed)
    assert q[0] == 0 and q[3] == 0
    torch.testing.assert_close(q[1:3], torch.tensor([5.0, 3.0]) / 8.0)


def tiny_model(n_tokens: int = 9) -> SASRec:
    torch.manual_seed(0)
    return SASRec(n_tokens, max_len=6, hidden=8, blocks=1, heads=1, ff_mult=2, dropout=0.0)


@pytest.mark.parametrize("loss", ["ce", "sce", "gbce", "bce"])
def test_losses_are_finite_and_reach_the_item_vectors(loss: str) -> None:
    model = tiny_model()
    inputs = torch.tensor([[0, 1, 2, 3], [4, 5, 6, 7]])
    targets = torch.tensor([[0, 2, 3, 4], [5, 6, 7, 8]])
    sampling = torch.full((9,), 1.0 / 8)
    sampling[0] = 0.0
    config = SequentialConfig(loss=loss, negatives=4)
    value = next_item_loss(
        model, inputs, targets, config, generator=torch.Generator(), sampling=sampling
    )
    assert torch.isfinite(value)
    value.backward()  # type: ignore[no-untyped-call]
    assert model.item_emb.weight.grad is not None
    assert model.item_emb.weight.grad[1:].abs().sum() > 0
    bias_grad = model.logit_bias.grad
    if loss in ("ce", "sce"):  # softmax losses do not see a common offset
        assert bias_grad is None or float(bias_grad) == 0.0
    else:
        assert bias_grad is not None and float(bias_grad) != 0.0
