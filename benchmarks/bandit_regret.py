"""Thompson sampling against a fixed A/B test, in a semi-synthetic environment fitted on the
real campaigns of 84.51° The Complete Journey; and off-policy estimates from its logs.

**The environment.** Every (campaign, household) pair the retailer targeted (6,589 pairs,
27 campaigns of types A, B and C) is a context: the household's spend in the 90 days before
the campaign started, from the real transactions. Whether it redeemed a coupon of that
campaign is the response. A logistic regression per campaign type on log(1 + spend)
(statsmodels GLM, binomial) gives each context a response probability per type. The
campaign types play the copy variants: an impression draws a real context at random, the
policy picks a variant, and the reward is Bernoulli with the fitted probability. The
arms' true means are the averages over the contexts, so regret is exact:
``sum_t (best mean - mean of the chosen arm)`` (pseudo-regret).

(Types also differed in whom the retailer targeted; here every variant meets the same
people, which is what an experiment over copy variants does. The rates are a fitted model
of real responses, not a replay.)

**The policies.** Thompson sampling is recmind's own
(:func:`recmind.marketing.experiments.bandit.thompson_choice` per impression, exact
propensities from :func:`~recmind.marketing.experiments.bandit.thompson_probabilities`),
Beta(1, 1) priors, a minimum share of 5% per arm, rewards fed back in batches of 1,000
impressions (a campaign's conversions arrive later, not at once). The A/B test splits
every impression evenly for the whole horizon. 100,000 impressions, 10 seeds each.
Environments: A vs B (the two types with the most targeted households: the bar), B vs C
(the hard case: close means) and A vs B vs C against an even three-way split.

**Off-policy evaluation.** From each Thompson-sampling log (context, arm, logged
propensity, reward): IPS and SNIPS estimates of other policies (each arm alone, a uniform
split, and the best arm per spend quartile) against their exact values under the model.

    .venv/bin/python benchmarks/bandit_regret.py [--seeds 10] [--impressions 100000]

Writes ``benchmarks/results/bandit_regret.json``, ``.md`` and ``.png``.
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import statsmodels.api as sm

import figures.experiments  # noqa: F401  (registers its renderers wherever the README lists them)
from figures import RESULTS, write_results
from harness import finished, provenance
from recmind.data.cj_campaigns import load_complete_journey_campaigns
from recmind.data.grocery_datasets import load_complete_journey
from recmind.marketing.experiments.bandit import thompson_choice, thompson_probabilities
from recmind.marketing.experiments.stats.bayesian import Posterior
from recmind.marketing.experiments.stats.offpolicy import ips, snips

NAME = "bandit_regret"
DAY = 86_400.0
PRE_DAYS = 90
TYPES = ("A", "B", "C")
ENVIRONMENTS = {"A vs B": ("A", "B"), "B vs C": ("B", "C"), "A vs B vs C": ("A", "B", "C")}
BAR_ENVIRONMENT = "A vs B"
BAR_RATIO = 0.5
MIN_SHARE = 0.05
BATCH = 1000
CURVE_EVERY = 1000


def fit_environment() -> dict[str, Any]:
    """The contexts (log spend before each targeted pair's campaign) and, per campaign
    type, the fitted response probability of every context."""
    campaigns = load_complete_journey_campaigns()
    events = load_complete_journey().events[["user_id", "timestamp", "value"]]
    pairs = campaigns.targets.merge(campaigns.descriptions, on="campaign_id")
    redeemed = campaigns.redemptions[["campaign_id", "user_id"]].drop_duplicates()
    pairs = pairs.merge(redeemed.assign(redeemed=1), on=["campaign_id", "user_id"], how="left")
    pairs["redeemed"] = pairs["redeemed"].fillna(0).astype(int)
    spend = np.zeros(len(pairs))
    grouped = {user: frame for user, frame in events.groupby("user_id")}
    for index, row in enumerate(pairs.itertuples()):
        bought = grouped.get(row.user_id)
        if bought is None:
            continue
        window = (bought["timestamp"] < row.start) & (
            bought["timestamp"] >= row.start - PRE_DAYS * DAY
        )
        spend[index] = float(bought.loc[window, "value"].sum())
    pairs["log_spend"] = np.log1p(spend)
    rates = np.zeros((len(pairs), len(TYPES)))
    fits = {}
    for k, kind in enumerate(TYPES):
        part = pairs[pairs["campaign_type"] == kind]
        design = sm.add_constant(part[["log_spend"]])
        model = sm.GLM(part["redeemed"], design, family=sm.families.Binomial()).fit()
        rates[:, k] = model.predict(sm.add_constant(pairs[["log_spend"]]))
        fits[kind] = {
            "pairs": len(part),
            "redeemed": int(part["redeemed"].sum()),
            "observed_rate": float(part["redeemed"].mean()),
            "intercept": float(model.params["const"]),
            "slope_log_spend": float(model.params["log_spend"]),
            "slope_p_value": float(model.pvalues["log_spend"]),
        }
    quartile = pd.qcut(pairs["log_spend"].rank(method="first"), 4, labels=False).to_numpy()
    return {
        "pairs": len(pairs),
        "households": int(pairs["user_id"].nunique()),
        "campaigns": int(pairs["campaign_id"].nunique()),
        "fits": fits,
        "rates": rates,
        "quartile": quartile.astype(int),
    }


def thompson_run(
    rates: np.ndarray, seed: int, impressions: int
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Regret curve and the decision log of one Thompson-sampling run over ``rates``
    (contexts x arms)."""
    rng = np.random.default_rng(seed)
    k = rates.shape[1]
    means = rates.mean(axis=0)
    wins, trials = np.zeros(k), np.zeros(k)
    contexts = np.empty(impressions, dtype=np.int64)
    arms = np.empty(impressions, dtype=np.int64)
    propensities = np.empty(impressions)
    rewards = np.empty(impressions)
    regret = np.empty(impressions)
    for start in range(0, impressions, BATCH):
        posteriors = [Posterior(1 + wins[a], 1 + trials[a] - wins[a]) for a in range(k)]
        chances = thompson_probabilities(posteriors, MIN_SHARE)
        for t in range(start, min(start + BATCH, impressions)):
            context = int(rng.integers(rates.shape[0]))
            arm = thompson_choice(posteriors, MIN_SHARE, rng)
            contexts[t], arms[t], propensities[t] = context, arm, chances[arm]
            rewards[t] = float(rng.random() < rates[context, arm])
            regret[t] = means.max() - means[arm]
        done = slice(start, min(start + BATCH, impressions))
        np.add.at(trials, arms[done], 1)
        np.add.at(wins, arms[done], rewards[done])
    log = {"context": contexts, "arm": arms, "propensity": propensities, "reward": rewards}
    return np.cumsum(regret), log


def ab_run(rates: np.ndarray, seed: int, impressions: int) -> np.ndarray:
    """Regret curve of a fixed even split (each impression's arm uniformly at random)."""
    rng = np.random.default_rng(seed)
    means = rates.mean(axis=0)
    arms = rng.integers(rates.shape[1], size=impressions)
    return np.cumsum(means.max() - means[arms])


def _policies(
    rates: np.ndarray, quartile: np.ndarray, names: tuple[str, ...]
) -> dict[str, Callable[[np.ndarray], np.ndarray]]:
    """Target policies: context indices -> probability of each arm (n x k)."""
    k = rates.shape[1]
    best_by_quartile = np.array(
        [int(np.argmax(rates[quartile == q].mean(axis=0))) for q in range(4)]
    )
    policies: dict[str, Callable[[np.ndarray], np.ndarray]] = {}
    for a in range(k):
        policies[f"always {names[a]}"] = lambda c, a=a: np.eye(k)[np.full(len(c), a)]
    policies["uniform"] = lambda c: np.full((len(c), k), 1.0 / k)
    policies["best arm per spend quartile"] = lambda c: np.eye(k)[best_by_quartile[quartile[c]]]
    return policies


def off_policy(
    rates: np.ndarray,
    quartile: np.ndarray,
    logs: list[dict[str, np.ndarray]],
    names: tuple[str, ...],
) -> list[dict[str, Any]]:
    out = []
    everyone = np.arange(rates.shape[0])
    for label, policy in _policies(rates, quartile, names).items():
        truth = float((policy(everyone) * rates).sum(axis=1).mean())
        found: dict[str, list[Any]] = {"ips": [], "snips": []}
        for log in logs:
            target = policy(log["context"])[np.arange(len(log["arm"])), log["arm"]]
            found["ips"].append(ips(log["reward"], log["propensity"], target))
            found["snips"].append(snips(log["reward"], log["propensity"], target))
        row: dict[str, Any] = {"policy": label, "truth": truth}
        for estimator, estimates in found.items():
            values = np.array([e.value for e in estimates])
            row[estimator] = {
                "mean": float(values.mean()),
                "bias": float(values.mean() - truth),
                "rmse": float(np.sqrt(np.mean((values - truth) ** 2))),
                "coverage": float(np.mean([e.ci_low <= truth <= e.ci_high for e in estimates])),
                "mean_ess": float(np.mean([e.effective_sample_size for e in estimates])),
            }
        out.append(row)
    return out


def run_environment(
    env: dict[str, Any], names: tuple[str, ...], seeds: int, impressions: int
) -> dict[str, Any]:
    columns = [TYPES.index(n) for n in names]
    rates = env["rates"][:, columns]
    means = rates.mean(axis=0)
    ts_curves, ab_curves, logs = [], [], []
    started = time.perf_counter()
    for seed in range(seeds):
        curve, log = thompson_run(rates, seed, impressions)
        ts_curves.append(curve)
        logs.append(log)
        ab_curves.append(ab_run(rates, 10_000 + seed, impressions))
    seconds = time.perf_counter() - started
    _, again_log = thompson_run(rates, 0, impressions)
    reproducible = bool(np.array_equal(again_log["arm"], logs[0]["arm"]))
    ts_final = np.array([c[-1] for c in ts_curves])
    ab_final = np.array([c[-1] for c in ab_curves])
    points = list(range(CURVE_EVERY - 1, impressions, CURVE_EVERY))
    best = int(np.argmax(means))
    return {
        "arms": list(names),
        "means": means.tolist(),
        "gap": float(np.sort(means)[-1] - np.sort(means)[-2]),
        "ts_regret": ts_final.tolist(),
        "ab_regret": ab_final.tolist(),
        "ts_mean": float(ts_final.mean()),
        "ab_mean": float(ab_final.mean()),
        "ratio": float(ts_final.mean() / ab_final.mean()),
        "ratio_worst_seed": float((ts_final / ab_final).max()),
        "min_share_floor": float(impressions * MIN_SHARE * (means.max() - means).sum()),
        "best_arm_share_last_10k": float(
            np.mean([np.mean(log["arm"][-10_000:] == best) for log in logs])
        ),
        "curve_impressions": [p + 1 for p in points],
        "ts_curve_mean": np.mean(ts_curves, axis=0)[points].tolist(),
        "ts_curve_max": np.max(ts_curves, axis=0)[points].tolist(),
        "ab_curve_mean": np.mean(ab_curves, axis=0)[points].tolist(),
        "reproducible": reproducible,
        "seconds": seconds,
        "off_policy": off_policy(rates, env["quartile"], logs, names),
    }


def plot(results: dict[str, Any], path: Any) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    environments = results["environments"]
    figure, axes = plt.subplots(1, len(environments), figsize=(4.6 * len(environments), 3.6))
    for axis, (label, found) in zip(np.atleast_1d(axes), environments.items(), strict=True):
        x = np.array(found["curve_impressions"]) / 1000
        axis.plot(x, found["ab_curve_mean"], color="#c04848", label="fixed even split (A/B)")
        axis.plot(x, found["ts_curve_mean"], color="#4878a8", label="Thompson sampling (mean)")
        axis.fill_between(
            x,
            0,
            found["ts_curve_max"],
            color="#4878a8",
            alpha=0.2,
            label="Thompson sampling (worst seed)",
        )
        means = ", ".join(
            f"{a} {100 * m:.1f}%" for a, m in zip(found["arms"], found["means"], strict=True)
        )
        axis.set_title(f"{label}: {means}", fontsize=9)
        axis.set_xlabel("impressions (thousands)")
        axis.set_ylabel("cumulative regret (conversions)")
        axis.legend(fontsize=7)
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--impressions", type=int, default=100_000)
    parser.add_argument("--no-write", action="store_true", help="print only")
    args = parser.parse_args()
    record: dict[str, Any] = {"provenance": provenance()}
    started = time.perf_counter()
    env = fit_environment()
    record["fit_seconds"] = time.perf_counter() - started
    record["data"] = {k: env[k] for k in ("pairs", "households", "campaigns", "fits")}
    record.update(
        seeds=args.seeds,
        impressions=args.impressions,
        min_share=MIN_SHARE,
        batch=BATCH,
        bar_environment=BAR_ENVIRONMENT,
        bar_ratio=BAR_RATIO,
        environments={},
    )
    for label, names in ENVIRONMENTS.items():
        record["environments"][label] = run_environment(env, names, args.seeds, args.impressions)
        found = record["environments"][label]
        print(f"{label}: TS {found['ts_mean']:.1f} vs A/B {found['ab_mean']:.1f}")
    record["provenance"] = finished(record["provenance"])
    if args.no_write:
        return
    plot(record, RESULTS / f"{NAME}.png")
    print(write_results(NAME, record))


if __name__ == "__main__":
    main()
