"""The small AdamW against torch.optim.AdamW."""

from __future__ import annotations

import pytest
import torch

from recmind.rec.sequential.optim import AdamW


@pytest.mark.parametrize("weight_decay", [0.0, 0.1])
def test_matches_torch_adamw(weight_decay: float) -> None:
    torch.manual_seed(0)
    ours, theirs = torch.nn.Linear(5, 3), torch.nn.Linear(5, 3)
    theirs.load_state_dict(ours.state_dict())
    mine = AdamW(ours.parameters(), lr=0.01, weight_decay=weight_decay)
    reference = torch.optim.AdamW(theirs.parameters(), lr=0.01, weight_decay=weight_decay)
    for step in range(20):
        x = torch.randn(8, 5, generator=torch.Generator().manual_seed(step))
        for model, optimiser in ((ours, mine), (theirs, reference)):
            optimiser.zero_grad()
            (model(x) ** 2).mean().backward()
            optimiser.step()
    for a, b in zip(ours.parameters(), theirs.parameters(), strict=True):
        torch.testing.assert_close(a, b, rtol=1e-5, atol=1e-6)


def test_parameters_without_gradient_stay() -> None:
    frozen = torch.nn.Parameter(torch.ones(3))
    optimiser = AdamW([frozen], lr=0.1, weight_decay=0.5)
    optimiser.step()
    assert torch.equal(frozen, torch.ones(3))
