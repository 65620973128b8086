"""The sample-ratio-mismatch check: do the arms hold the shares they were meant to?

A split meant to be 50/50 that came out 49/51 over 100,000 people is not chance (the
chi-square test's p-value is about 2e-10): something between the assignment and the log
dropped or added people in one arm (a redirect that loses some, a bot filter, a crash in
one variant's code path), and whatever did so may also change who converts. No comparison
of such arms can be trusted, so a readout whose p-value is below the threshold (0.001 by
default: rare enough that a true split passes 999 times in 1,000) is **blocked**: it shows
the counts and the check, and no verdict. The test is Pearson's chi-square goodness of fit
(:func:`scipy.stats.chisquare`) of the counts against the shares of the weights.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from scipy.stats import chisquare

DEFAULT_THRESHOLD = 0.001


@dataclass(frozen=True)
class SrmCheck:
    """The counts, what the weights expected, the test and its verdict."""

    observed: list[int]
    expected: list[float]
    chi2: float
    p_value: float
    threshold: float

    @property
    def mismatch(self) -> bool:
        """True: the split is not what was asked for, and the readout is blocked."""
        return self.p_value < self.threshold

    def to_dict(self) -> dict[str, Any]:
        return {
            "observed": self.observed,
            "expected": self.expected,
            "chi2": self.chi2,
            "p_value": self.p_value,
            "threshold": self.threshold,
            "mismatch": self.mismatch,
        }


def srm_check(
    counts: Sequence[int], weights: Sequence[float], threshold: float = DEFAULT_THRESHOLD
) -> SrmCheck:
    """Chi-square test of ``counts`` (people per arm) against shares proportional to
    ``weights``. With nobody yet there is nothing to test (p-value 1)."""
    if len(counts) != len(weights) or len(counts) < 2:
        raise ValueError("give one count and one weight per arm, at least two arms")
    if any(w <= 0 for w in weights):
        raise ValueError("weights must be positive")
    total = sum(counts)
    expected = [total * w / sum(weights) for w in weights]
    if total == 0:
        return SrmCheck(list(counts), expected, 0.0, 1.0, threshold)
    result = chisquare(list(counts), expected)
    return SrmCheck(
        observed=[int(c) for c in counts],
        expected=expected,
        chi2=float(result.statistic),
        p_value=float(result.pvalue),
        threshold=threshold,
    )
