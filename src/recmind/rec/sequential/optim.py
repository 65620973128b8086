"""AdamW in a few lines.

``torch.optim`` imports ``torch._dynamo`` (and sympy) the first time an optimiser is built:
5 to 10 s per process on the 2-core machines, longer than a whole fit on small data. This
is the same update (Loshchilov & Hutter 2019, as in ``torch.optim.AdamW``) without it.
"""

from __future__ import annotations

from collections.abc import Iterable

import torch


class AdamW:
    """Decoupled weight decay Adam over a fixed list of parameters."""

    def __init__(
        self,
        params: Iterable[torch.nn.Parameter],
        *,
        lr: float,
        weight_decay: float = 0.0,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
    ) -> None:
        self.params = [p for p in params if p.requires_grad]
        self.lr, self.weight_decay, self.betas, self.eps = lr, weight_decay, betas, eps
        self.steps = 0
        self.first = [torch.zeros_like(p) for p in self.params]
        self.second = [torch.zeros_like(p) for p in self.params]

    def zero_grad(self) -> None:
        for p in self.params:
            p.grad = None

    @torch.no_grad()
    def step(self) -> None:
        self.steps += 1
        beta1, beta2 = self.betas
        correction1 = 1.0 - beta1**self.steps
        correction2 = 1.0 - beta2**self.steps
        step_size = self.lr / correction1
        for p, m, v in zip(self.params, self.first, self.second, strict=True):
            if p.grad is None:
                continue
            grad = p.grad
            if self.weight_decay:
                p.mul_(1.0 - self.lr * self.weight_decay)
            m.mul_(beta1).add_(grad, alpha=1.0 - beta1)
            v.mul_(beta2).addcmul_(grad, grad, value=1.0 - beta2)
            denominator = (v / correction2).sqrt_().add_(self.eps)
            p.addcdiv_(m, denominator, value=-step_size)
