"""The Bayesian readout by numerical integration agrees with Monte Carlo draws to 3
decimals, and with the closed form of P(B > A) for integer parameters to 1e-9."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.special import betaln

from recmind.marketing.experiments.stats.bayesian import (
    Posterior,
    compare_to_control,
    expected_loss,
    monte_carlo,
    probability_beats,
    probability_best,
)


def closed_form_beats(b: Posterior, a: Posterior) -> float:
    """P(p_B > p_A) for integer alpha_B (Evan Miller's sum)."""
    i = np.arange(int(b.alpha))
    terms = (
        betaln(a.alpha + i, a.beta + b.beta)
        - np.log(b.beta + i)
        - betaln(1 + i, b.beta)
        - betaln(a.alpha, a.beta)
    )
    return float(np.exp(terms).sum())


CASES = [
    (Posterior.of(50, 1000), Posterior.of(62, 1000)),
    (Posterior.of(5000, 100_000), Posterior.of(5120, 100_000)),
    (Posterior.of(3, 10), Posterior.of(0, 2)),
    (Posterior.of(400, 2000), Posterior.of(380, 1900)),
]


@pytest.mark.parametrize(("control", "variant"), CASES)
def test_probability_to_beat_matches_the_closed_form(
    control: Posterior, variant: Posterior
) -> None:
    assert probability_beats(variant, control) == pytest.approx(
        closed_form_beats(variant, control), abs=1e-9
    )


@pytest.mark.parametrize(("control", "variant"), CASES[:2])
def test_numbers_agree_with_monte_carlo_to_3_decimals(
    control: Posterior, variant: Posterior
) -> None:
    third = Posterior(control.alpha + 7, control.beta - 7)
    reference = monte_carlo([control, variant, third], draws=6_000_000, seed=42)
    best = probability_best([control, variant, third])
    assert sum(best) == pytest.approx(1.0, abs=1e-8)
    assert best == pytest.approx(reference.probability_best, abs=5e-4)
    compared = compare_to_control("v", variant, control)
    assert compared.probability_beats_control == pytest.approx(
        reference.probability_beats[1], abs=5e-4
    )
    assert compared.expected_loss == pytest.approx(reference.expected_loss[1], abs=5e-4)
    assert round(compared.expected_loss, 3) == round(reference.expected_loss[1], 3)
    mc_control_loss = monte_carlo([variant, control], draws=2_000_000, seed=5).expected_loss[1]
    assert compared.control_loss == pytest.approx(mc_control_loss, abs=5e-4)


def test_expected_loss_of_equal_arms_and_identities() -> None:
    a = Posterior.of(100, 1000)
    assert probability_beats(a, a) == pytest.approx(0.5, abs=1e-9)
    # E[max(a - b, 0)] - E[max(b - a, 0)] = E[a] - E[b]
    b = Posterior.of(130, 1000)
    assert expected_loss(a, b) - expected_loss(b, a) == pytest.approx(b.mean - a.mean, abs=1e-9)
    assert expected_loss(b, a) < 1e-4 < expected_loss(a, b)


def test_posterior_and_its_interval() -> None:
    p = Posterior.of(30, 100, prior=(1, 1))
    assert (p.alpha, p.beta) == (31, 71)
    low, high = p.interval(0.95)
    assert low < p.mean < high and 0.21 < low < 0.23 and 0.39 < high < 0.41
    with pytest.raises(ValueError, match="within"):
        Posterior.of(5, 4)
    assert probability_best([p]) == [1.0]
