"""The sample-ratio-mismatch check: a planted 49/51 split of 100,000 people is flagged
(p < 0.001) in seeded simulations as often as the test's power says (a split drawn at 49%
lands close enough to 50% to pass about once in 800), the exact 49,000/51,000 split
always; a true 50/50 split is flagged at the threshold's rate, 1 in 1,000."""

from __future__ import annotations

import numpy as np
import pytest

from recmind.marketing.experiments.stats.srm import srm_check

PEOPLE = 100_000
SEEDS = 1000


def _flags(share: float, weights: list[float], seed: int) -> int:
    rng = np.random.default_rng(seed)
    flagged = 0
    for _ in range(SEEDS):
        first = int(rng.binomial(PEOPLE, share))
        flagged += srm_check([first, PEOPLE - first], weights).mismatch
    return flagged


def test_a_planted_49_51_split_is_flagged() -> None:
    assert _flags(0.49, [1, 1], seed=1) >= SEEDS - 5  # power 0.9988: ~1 miss expected
    exact = srm_check([49_000, 51_000], [1, 1])
    assert exact.mismatch and exact.p_value < 1e-9
    assert exact.chi2 == pytest.approx(40.0)  # (1000^2 / 50000) * 2


def test_a_true_50_50_split_passes() -> None:
    flagged = _flags(0.5, [1, 1], seed=2)
    assert flagged <= 5  # the threshold's false-alarm rate is 1 in 1,000


def test_unequal_weights_and_several_arms() -> None:
    rng = np.random.default_rng(3)
    counts = rng.multinomial(PEOPLE, [0.5, 0.25, 0.25])
    assert not srm_check(counts.tolist(), [2, 1, 1]).mismatch
    assert srm_check(counts.tolist(), [1, 1, 1]).mismatch
    check = srm_check([50_000, 25_000, 25_000], [2, 1, 1])
    assert check.p_value == pytest.approx(1.0) and check.expected == [50_000, 25_000, 25_000]


def test_nobody_yet_and_bad_arguments() -> None:
    assert srm_check([0, 0], [1, 1]).p_value == 1.0
    with pytest.raises(ValueError, match="one count and one weight"):
        srm_check([1], [1])
    with pytest.raises(ValueError, match="positive"):
        srm_check([1, 2], [1, 0])


def test_the_threshold_is_a_setting() -> None:
    check = srm_check([4_900, 5_100], [1, 1], threshold=0.05)  # p ~ 0.046
    assert check.mismatch and 0.04 < check.p_value < 0.05
    assert not srm_check([4_900, 5_100], [1, 1]).mismatch
