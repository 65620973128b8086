"""Renderers of the experiment benchmarks: the readout's statistics against their promises
(``experiments_stats``) and Thompson sampling against a fixed A/B test with off-policy
estimates (``bandit_regret``)."""

from __future__ import annotations

from typing import Any

from figures.base import Results, figure, provenance, table, verdict

TRUE_FLAG_LIMIT = 0.002
"""A true split may be flagged by chance at the threshold's rate (0.1%); more than twice
that would be a broken check."""


def _rate(value: float) -> str:
    return f"{100 * value:.2f}%"


@figure(
    "experiments_stats",
    title="Experiments: sample-ratio check, Bayesian readout, multiple comparisons",
    command=".venv/bin/python benchmarks/experiments_stats.py",
    pending=True,
)
def experiments_stats(data: Results) -> str:
    """SRM flag rates, Bayesian numbers against closed form and Monte Carlo, Holm."""
    people, threshold = data["people"], data["threshold"]
    binomial, hashing, stored = data["srm_binomial"], data["srm_hashing"], data["srm_store"]
    power = binomial["power"]
    srm_rows = [
        [
            f"binomial draws ({binomial['seeds']:,} seeds)",
            _rate(binomial["flag_rate"]["planted 49/51"]),
            _rate(binomial["flag_rate"]["true 50/50"]),
        ],
        [
            "exact chance of a flag (binomial)",
            _rate(power["planted 49/51"]),
            _rate(power["true 50/50"]),
        ],
        [
            f"sticky hashing of {people:,} ids ({hashing['seeds']:,} salts)",
            _rate(hashing["flag_rate"]["planted 49/51"]),
            _rate(hashing["flag_rate"]["true 50/50"]),
        ],
        [
            "end to end: exposures in SQLite, readout",
            "blocked" if stored["planted 49/51"]["blocked"] else "**not blocked**",
            "**blocked**" if stored["true 50/50"]["blocked"] else "passes",
        ],
    ]
    seeds = binomial["seeds"]

    def as_expected(rate: float, chance: float) -> bool:
        """Within 4 standard errors of the exact chance (or 1 run when that is wider)."""
        error = 4 * (chance * (1 - chance) / seeds) ** 0.5
        return abs(rate - chance) <= max(error, 1 / seeds)

    srm_met = (
        binomial["exact_49000_51000_p"] < threshold
        and as_expected(binomial["flag_rate"]["planted 49/51"], power["planted 49/51"])
        and as_expected(binomial["flag_rate"]["true 50/50"], power["true 50/50"])
        and stored["planted 49/51"]["blocked"]
        and not stored["true 50/50"]["blocked"]
        and hashing["flag_rate"]["true 50/50"] <= max(TRUE_FLAG_LIMIT, 1 / hashing["seeds"])
    )
    bayes_rows = []
    for row in data["bayesian"]:
        arms = " vs ".join(f"{x:,}/{n:,}" for x, n in row["arms"])
        diff = row["max_abs_difference"]
        closed = row["closed_form_difference"]
        bayes_rows.append(
            [
                row["case"],
                arms,
                f"{row['ours']['probability_beats_control'][0]:.4f}",
                f"{row['monte_carlo']['probability_beats_control'][0]:.4f}",
                "-" if closed is None else f"{closed:.1e}",
                f"{diff['probability_best']:.1e}",
                f"{diff['probability_beats_control']:.1e}",
                f"{max(diff['expected_loss'], diff['control_loss']):.1e}",
                "yes" if row["agrees_to_3_decimals"] else "**no**",
            ]
        )
    bayes_met = all(r["agrees_to_3_decimals"] for r in data["bayesian"])
    holm = data["holm"]
    lines = [
        f"**Sample-ratio mismatch** ({people:,} people, chi-square, blocked below p = "
        f"{threshold:g}): share of runs flagged.",
        "",
        *table(["split", "planted 49/51", "true 50/50"], srm_rows),
        "",
        f"The exact split 49,000 / 51,000 has p = {binomial['exact_49000_51000_p']:.1e}. "
        "A split drawn at 49% is sometimes close enough to 50% to pass (the exact chance of "
        "a flag is the test's power); the flag rates match it. "
        f"The planted split's largest p-value over the binomial seeds: "
        f"{binomial['planted_max_p']:.1e} (median {binomial['planted_median_p']:.1e}); a true "
        f"1:1:1 split was flagged in {_rate(binomial['flag_rate']['true 1:1:1'])} of them; the "
        f"hashed 50/50 splits held {_rate(hashing['true_share_min'])} to "
        f"{_rate(hashing['true_share_max'])} in the first arm. The end-to-end readouts' p-values: "
        f"{stored['planted 49/51']['p_value']:.1e} (planted) and "
        f"{stored['true 50/50']['p_value']:.2f} (true). Flags a planted 49/51 and passes a true "
        f"50/50: {verdict(srm_met)}.",
        "",
        f"**Bayesian readout** (Beta(1, 1) priors) by numerical integration against "
        f"{data['draws']:,} Monte Carlo draws and, for two arms, the closed form of P(B > A): "
        "largest absolute differences.",
        "",
        *table(
            [
                "case",
                "conversions",
                "P(beats control)",
                "Monte Carlo",
                "vs closed form",
                "P(best)",
                "P(beats)",
                "expected loss",
                "3 decimals",
            ],
            bayes_rows,
        ),
        "",
        f"Agrees with the references to 3 decimals in every case: {verdict(bayes_met)}.",
        "",
        f"**Several variants**: in {holm['tests']:,} A/A tests with {holm['arms']} arms of "
        f"{holm['people_per_arm']:,} people (one true rate, {holm['arms'] - 1} comparisons with "
        f"the control), some variant was called significant at 95% in "
        f"{_rate(holm['any_significant_uncorrected'])} of tests without a correction and in "
        f"{_rate(holm['any_significant_holm'])} with Holm's.",
        "",
        provenance(data, "experiments_stats"),
    ]
    return "\n".join(lines) + "\n"


def _money(value: float) -> str:
    return f"{value:,.0f}"


def _ope_rows(environment: dict[str, Any]) -> list[list[object]]:
    rows: list[list[object]] = []
    for row in environment["off_policy"]:
        ips, snips = row["ips"], row["snips"]
        rows.append(
            [
                row["policy"],
                _rate(row["truth"]),
                f"{_rate(ips['mean'])} ({100 * ips['rmse']:.2f})",
                f"{_rate(snips['mean'])} ({100 * snips['rmse']:.2f})",
                f"{100 * ips['coverage']:.0f}% / {100 * snips['coverage']:.0f}%",
                f"{snips['mean_ess']:,.0f}",
            ]
        )
    return rows


@figure(
    "bandit_regret",
    title="Bandits: Thompson sampling vs a fixed A/B test, and off-policy estimates",
    command=".venv/bin/python benchmarks/bandit_regret.py",
    pending=True,
)
def bandit_regret(data: Results) -> str:
    """The fitted environment, regret per environment against the bar, OPE accuracy."""
    source = data["data"]
    fits = [
        [
            kind,
            f"{fit['pairs']:,}",
            f"{fit['redeemed']:,}",
            _rate(fit["observed_rate"]),
            f"{fit['slope_log_spend']:+.2f} (p {fit['slope_p_value']:.1e})",
        ]
        for kind, fit in source["fits"].items()
    ]
    regret_rows = []
    for label, found in data["environments"].items():
        means = ", ".join(
            f"{arm} {_rate(mean)}" for arm, mean in zip(found["arms"], found["means"], strict=True)
        )
        bar = label == data["bar_environment"]
        ratio = found["ratio"]
        regret_rows.append(
            [
                f"**{label}** (the bar)" if bar else label,
                means,
                f"{_money(found['ts_mean'])} (worst {_money(max(found['ts_regret']))})",
                _money(found["min_share_floor"]),
                _money(found["ab_mean"]),
                f"{100 * ratio:.0f}% (worst seed {100 * found['ratio_worst_seed']:.0f}%)",
                _rate(found["best_arm_share_last_10k"]),
                verdict(ratio < data["bar_ratio"]) if bar else "",
            ]
        )
    primary = data["environments"][data["bar_environment"]]
    reproducible = all(e["reproducible"] for e in data["environments"].values())
    lines = [
        f"Environment fitted on {source['pairs']:,} real (campaign, household) targetings of "
        f"{source['campaigns']} Complete Journey campaigns ({source['households']:,} "
        "households): per campaign type, a logistic regression of coupon redemption on "
        "log(1 + spend in the 90 days before the campaign).",
        "",
        *table(["type", "targeted pairs", "redeemed", "observed rate", "slope on log spend"], fits),
        "",
        f"{data['impressions']:,} impressions, {data['seeds']} seeds, minimum share "
        f"{100 * data['min_share']:.0f}% per arm, rewards fed back every {data['batch']:,} "
        "impressions. Regret in expected conversions lost against always showing the best "
        "variant. Most of Thompson sampling's regret is the floor its minimum share sets (each "
        "worse variant keeps its share for good): the price of logs from which any other "
        "policy can be evaluated.",
        "",
        *table(
            [
                "environment",
                "true conversion per variant",
                "Thompson sampling regret",
                "of it, the minimum share's floor",
                "fixed even split regret",
                "TS / A/B",
                "best variant's share, last 10k",
                f"< {100 * data['bar_ratio']:.0f}%",
            ],
            regret_rows,
        ),
        "",
        "![Cumulative regret per environment](/benchmarks/results/bandit_regret.png)",
        "",
        f"Decisions reproduce from the seed: {verdict(reproducible)}. **Off-policy "
        f"estimates** from the Thompson-sampling logs of {data['bar_environment']} (mean over "
        "seeds, RMSE in points; coverage of the 95% intervals; SNIPS effective sample size):",
        "",
        *table(
            ["target policy", "truth", "IPS", "SNIPS", "coverage IPS / SNIPS", "effective n"],
            _ope_rows(primary),
        ),
        "",
        "Three variants (A vs B vs C):",
        "",
        *table(
            ["target policy", "truth", "IPS", "SNIPS", "coverage IPS / SNIPS", "effective n"],
            _ope_rows(data["environments"]["A vs B vs C"]),
        ),
        "",
        provenance(data, "bandit_regret"),
    ]
    return "\n".join(lines) + "\n"
