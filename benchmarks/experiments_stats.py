"""The readout's statistics checked against what they promise: the sample-ratio check flags a
planted 49/51 split of 100,000 people and passes a true 50/50 one; the Bayesian numbers
agree with a closed form and with Monte Carlo to 3 decimals; Holm's correction holds the
false-alarm rate of several variants.

1. **Sample-ratio mismatch**, three ways: (a) 10,000 seeded binomial splits of 100,000
   people, planted at 49/51 and true at 50/50 (and a true 1:1:1 three-way split), beside
   the exact chance of a flag (the binomial probability of every count the check flags: a
   split drawn at 49% lands close enough to 50% to pass about once in 800); (b) the
   real sticky assignment (:func:`recmind.marketing.experiments.assignment.sticky_variant`)
   of 100,000 ids under ``--hash-seeds`` salts, once with the weights it claims (50/50) and
   once with a planted 49/51 that the check is told is 50/50; (c) end to end: 100,000
   exposures written to a SQLite store and read out (:func:`~recmind.marketing.
   experiments.readout.compute_readout`): the planted split's readout is blocked, the true
   one's is not.
2. **Bayesian readout**: for a grid of cases (small and large samples, close and distant
   rates, two and three arms), the probability to beat the control, the expected losses and
   each arm's probability of being best, by numerical integration, against the closed form
   of P(B > A) (Evan Miller's sum, integer parameters) and against ``--draws`` Monte Carlo
   draws (:func:`~recmind.marketing.experiments.stats.bayesian.monte_carlo`).
3. **Multiple comparisons**: A/A/A/A tests (four arms with one true rate, three
   comparisons against the control, 10,000 people per arm): the share of tests that call
   any variant significant at 95%, with and without Holm's correction.

    .venv/bin/python benchmarks/experiments_stats.py [--srm-seeds 10000] [--hash-seeds 100]
        [--draws 20000000] [--aa-tests 2000]

Writes ``benchmarks/results/experiments_stats.json`` and ``.md``.
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
from scipy.special import betaln
from scipy.stats import binom
from sqlalchemy import insert

import figures.experiments  # noqa: F401  (registers its renderers wherever the README lists them)
from figures import write_results
from harness import finished, provenance
from recmind.data.schema import experiment_exposures
from recmind.data.store import Store
from recmind.marketing.experiments.assignment import sticky_variant
from recmind.marketing.experiments.definition import ExperimentDefinition
from recmind.marketing.experiments.readout import compute_readout
from recmind.marketing.experiments.repository import (
    Experiment,
    create_experiment,
    get_experiment,
)
from recmind.marketing.experiments.stats.bayesian import (
    Posterior,
    compare_to_control,
    monte_carlo,
    probability_best,
)
from recmind.marketing.experiments.stats.frequentist import ArmStats, conversion_test, holm
from recmind.marketing.experiments.stats.srm import srm_check

NAME = "experiments_stats"
PEOPLE = 100_000
THRESHOLD = 0.001
CASES: list[tuple[str, list[tuple[int, int]]]] = [
    ("small, close", [(12, 200), (15, 210)]),
    ("small, apart", [(3, 40), (11, 45)]),
    ("medium, close", [(480, 10_000), (510, 10_000)]),
    ("large, close", [(5_000, 100_000), (5_120, 100_000)]),
    ("large, equal", [(5_000, 100_000), (5_000, 100_000)]),
    ("high rate", [(620, 1_000), (655, 1_000)]),
    ("three arms", [(480, 10_000), (530, 10_000), (505, 10_000)]),
    ("three arms, large", [(5_000, 100_000), (5_150, 100_000), (4_990, 100_000)]),
]


def closed_form_beats(b: Posterior, a: Posterior) -> float:
    """P(p_B > p_A) for integer alpha_B: sum_{i < alpha_B} B(alpha_A + i, beta_A + beta_B) /
    ((beta_B + i) B(1 + i, beta_B) B(alpha_A, beta_A))."""
    i = np.arange(int(b.alpha))
    terms = (
        betaln(a.alpha + i, a.beta + b.beta)
        - np.log(b.beta + i)
        - betaln(1 + i, b.beta)
        - betaln(a.alpha, a.beta)
    )
    return float(np.exp(terms).sum())


def srm_binomial(seeds: int) -> dict[str, Any]:
    rng = np.random.default_rng(20_261_207)
    flags = {"planted 49/51": 0, "true 50/50": 0, "true 1:1:1": 0}
    p_planted = []
    for _ in range(seeds):
        first = int(rng.binomial(PEOPLE, 0.49))
        check = srm_check([first, PEOPLE - first], [1, 1], THRESHOLD)
        flags["planted 49/51"] += check.mismatch
        p_planted.append(check.p_value)
        first = int(rng.binomial(PEOPLE, 0.5))
        flags["true 50/50"] += srm_check([first, PEOPLE - first], [1, 1], THRESHOLD).mismatch
        three = rng.multinomial(PEOPLE, [1 / 3] * 3).tolist()
        flags["true 1:1:1"] += srm_check(three, [1, 1, 1], THRESHOLD).mismatch
    exact = srm_check([49_000, 51_000], [1, 1], THRESHOLD)
    return {
        "seeds": seeds,
        "flag_rate": {k: v / seeds for k, v in flags.items()},
        "planted_max_p": float(np.max(p_planted)),
        "planted_median_p": float(np.median(p_planted)),
        "exact_49000_51000_p": exact.p_value,
        "power": {"planted 49/51": flag_chance(0.49), "true 50/50": flag_chance(0.5)},
    }


def flag_chance(share: float) -> float:
    """The exact chance that the check flags a split whose first arm gets each of the
    100,000 people with probability ``share``: the binomial probability of every count
    the check flags."""
    counts = np.arange(PEOPLE // 2 - 2_500, PEOPLE // 2 + 2_501)
    flagged = np.array(
        [srm_check([int(c), PEOPLE - int(c)], [1, 1], THRESHOLD).mismatch for c in counts]
    )
    return float(
        binom.pmf(counts[flagged], PEOPLE, share).sum()
        + binom.cdf(counts[0] - 1, PEOPLE, share)
        + binom.sf(counts[-1], PEOPLE, share)
    )


def _experiment(salt: str, weights: tuple[float, float]) -> Experiment:
    definition = ExperimentDefinition.model_validate(
        {
            "name": "srm",
            "salt": salt,
            "variants": [{"name": "a", "weight": weights[0]}, {"name": "b", "weight": weights[1]}],
        }
    )
    return Experiment(
        "srm",
        "srm",
        "ab",
        tuple(definition.normalised_variants()),
        salt,
        "running",
        definition.metrics,
        None,
        None,
        0.0,
        0.0,
        0.0,
        None,
    )


def srm_hashing(seeds: int) -> dict[str, Any]:
    people = [f"user-{n}" for n in range(PEOPLE)]
    flags = {"planted 49/51": 0, "true 50/50": 0}
    shares = []
    started = time.perf_counter()
    for seed in range(seeds):
        salt = f"salt-{seed}"
        for label, weights in (("true 50/50", (1.0, 1.0)), ("planted 49/51", (49.0, 51.0))):
            experiment = _experiment(salt, weights)
            first = sum(sticky_variant(experiment, p).name == "a" for p in people)
            flags[label] += srm_check([first, PEOPLE - first], [1, 1], THRESHOLD).mismatch
            if label == "true 50/50":
                shares.append(first / PEOPLE)
    return {
        "seeds": seeds,
        "flag_rate": {k: v / seeds for k, v in flags.items()},
        "true_share_min": float(min(shares)),
        "true_share_max": float(max(shares)),
        "seconds": time.perf_counter() - started,
    }


def _stored_readout(store: Store, label: str, weights: tuple[float, float]) -> dict[str, Any]:
    """Write one experiment's 100,000 exposures (split by ``weights``, checked as 50/50)
    and read it out."""
    experiment_id = label.split(maxsplit=1)[0]
    definition = {
        "name": label,
        "experiment_id": experiment_id,
        "salt": "store",
        "variants": [{"name": "a"}, {"name": "b"}],
    }
    create_experiment(store, ExperimentDefinition.model_validate(definition), start=True, now=0.0)
    split = _experiment("store", weights)
    rows = [
        {
            "exposure_id": f"{experiment_id}-{n}",
            "experiment_id": experiment_id,
            "decision_key": f"user-{n}",
            "user_id": f"user-{n}",
            "variant": sticky_variant(split, f"user-{n}").name,
            "at": 1.0,
            "propensity": 0.5,
        }
        for n in range(PEOPLE)
    ]
    with store.engine.begin() as connection:
        for start in range(0, PEOPLE, 10_000):
            connection.execute(insert(experiment_exposures), rows[start : start + 10_000])
    started = time.perf_counter()
    readout = compute_readout(store, get_experiment(store, experiment_id), now=2.0)
    assert readout.srm is not None
    return {
        "people": [a.people for a in readout.arms],
        "p_value": readout.srm.p_value,
        "blocked": readout.blocked,
        "readout_seconds": time.perf_counter() - started,
    }


def srm_store() -> dict[str, Any]:
    """100,000 exposures per experiment through a SQLite store and its readout."""
    with (
        tempfile.TemporaryDirectory() as folder,
        Store.from_url(f"sqlite:///{Path(folder) / 'srm.db'}") as store,
    ):
        store.migrate()
        return {
            label: _stored_readout(store, label, weights)
            for label, weights in (("true 50/50", (1.0, 1.0)), ("planted 49/51", (49.0, 51.0)))
        }


def bayesian(draws: int) -> list[dict[str, Any]]:
    rows = []
    for label, arms in CASES:
        posteriors = [Posterior.of(x, n) for x, n in arms]
        started = time.perf_counter()
        best = probability_best(posteriors)
        compared = [compare_to_control(str(k), p, posteriors[0]) for k, p in enumerate(posteriors)][
            1:
        ]
        seconds = time.perf_counter() - started
        reference = monte_carlo(posteriors, draws=draws, seed=len(rows) + 1)
        control_loss_mc = [
            monte_carlo([p, posteriors[0]], draws=draws // 4, seed=100 + k).expected_loss[1]
            for k, p in enumerate(posteriors[1:])
        ]
        numbers: dict[str, tuple[list[float], list[float]]] = {
            "probability_best": (best, reference.probability_best),
            "probability_beats_control": (
                [c.probability_beats_control for c in compared],
                reference.probability_beats[1:],
            ),
            "expected_loss": ([c.expected_loss for c in compared], reference.expected_loss[1:]),
            "control_loss": ([c.control_loss for c in compared], control_loss_mc),
        }
        differences = {
            key: float(np.max(np.abs(np.array(ours) - np.array(theirs))))
            for key, (ours, theirs) in numbers.items()
        }
        closed = (
            [closed_form_beats(p, posteriors[0]) for p in posteriors[1:]]
            if len(arms) == 2
            else None
        )
        rows.append(
            {
                "case": label,
                "arms": [list(a) for a in arms],
                "ours": {k: v[0] for k, v in numbers.items()},
                "monte_carlo": {k: v[1] for k, v in numbers.items()},
                "max_abs_difference": differences,
                "closed_form_beats": closed,
                "closed_form_difference": None
                if closed is None
                else float(abs(closed[0] - compared[0].probability_beats_control)),
                "agrees_to_3_decimals": all(d < 5e-4 for d in differences.values()),
                "seconds": seconds,
            }
        )
    return rows


def holm_aa(tests: int, arms: int = 4, people: int = 10_000, rate: float = 0.05) -> dict[str, Any]:
    rng = np.random.default_rng(7)
    raw, corrected = 0, 0
    for _ in range(tests):
        counts = rng.binomial(people, rate, size=arms)
        control = ArmStats("control", people, int(counts[0]))
        found = [
            conversion_test(ArmStats(f"v{k}", people, int(counts[k])), control, 0.95)
            for k in range(1, arms)
        ]
        raw += any(t is not None and t.p_value < 0.05 for t in found)
        corrected += any(t is not None and t.significant for t in holm(found, 0.95))
    return {
        "tests": tests,
        "arms": arms,
        "people_per_arm": people,
        "rate": rate,
        "any_significant_uncorrected": raw / tests,
        "any_significant_holm": corrected / tests,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--srm-seeds", type=int, default=10_000)
    parser.add_argument("--hash-seeds", type=int, default=100)
    parser.add_argument("--draws", type=int, default=20_000_000)
    parser.add_argument("--aa-tests", type=int, default=2_000)
    parser.add_argument("--no-write", action="store_true", help="print only")
    args = parser.parse_args()
    record: dict[str, Any] = {"provenance": provenance(), "people": PEOPLE, "threshold": THRESHOLD}
    record["srm_binomial"] = srm_binomial(args.srm_seeds)
    print("binomial", record["srm_binomial"]["flag_rate"])
    record["srm_hashing"] = srm_hashing(args.hash_seeds)
    print("hashing", record["srm_hashing"]["flag_rate"])
    record["srm_store"] = srm_store()
    print("store", record["srm_store"])
    record["draws"] = args.draws
    record["bayesian"] = bayesian(args.draws)
    print("bayes", [r["max_abs_difference"] for r in record["bayesian"]])
    record["holm"] = holm_aa(args.aa_tests)
    print("holm", record["holm"])
    record["provenance"] = finished(record["provenance"])
    if not args.no_write:
        print(write_results(NAME, record))


if __name__ == "__main__":
    main()
