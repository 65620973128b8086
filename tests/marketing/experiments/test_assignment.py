"""Assignment: sticky by hashing, shares by weight, the global holdout never in an arm,
nothing logged while not running, bandit decisions logged once with their propensity, and
rewards settled from the events that followed."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from tests.marketing.experiments.shop import DAY, T0, experiment, purchases
from tests.marketing.policy.people import policy_settings

from recmind.data.schema import experiment_exposures
from recmind.data.store import Store
from recmind.marketing.experiments.assignment import (
    assign,
    bandit_posteriors,
    hash_point,
    sticky_variant,
)
from recmind.marketing.experiments.bandit import thompson_probabilities
from recmind.marketing.experiments.exposures import (
    Exposure,
    decision_log,
    log_exposure,
    settle_rewards,
)
from recmind.marketing.experiments.repository import (
    exposure_counts,
    get_experiment,
    stop_experiment,
)
from recmind.marketing.experiments.stats.bayesian import Posterior
from recmind.marketing.experiments.stats.srm import srm_check
from recmind.marketing.policy.holdout import in_holdout


def _rows(store: Store) -> int:
    with store.engine.connect() as connection:
        return int(
            connection.execute(select(func.count()).select_from(experiment_exposures)).scalar() or 0
        )


def test_sticky_hashing_follows_the_weights(store: Store) -> None:
    found = experiment(
        store, variants=[{"name": "a"}, {"name": "b", "weight": 2}, {"name": "c", "weight": 1}]
    )
    people = [f"u{n}" for n in range(40_000)]
    picks = [sticky_variant(found, p).name for p in people]
    counts = [picks.count(n) for n in "abc"]
    assert not srm_check(counts, [1, 2, 1]).mismatch
    assert picks == [sticky_variant(found, p).name for p in people]
    other = found.__class__(**{**found.__dict__, "salt": "other"})
    again = [sticky_variant(other, p).name for p in people]
    same = sum(x == y for x, y in zip(picks, again, strict=True)) / len(people)
    assert 0.35 < same < 0.40  # independent splits agree 1/16 + 4/16 + 1/16 = 37.5%
    assert all(0 <= hash_point("s", p) < 1 for p in people[:100])


def test_assignments_are_logged_once_per_person(store: Store) -> None:
    settings = policy_settings()
    found = experiment(store)
    first = assign(store, settings, found, "u1", now=T0 + 10, context={"step": "ab"})
    again = assign(store, settings, found, "u1", now=T0 + 99, key="ignored for A/B")
    assert first.reason == "assigned" and first.new and not again.new
    assert first.variant == again.variant == sticky_variant(found, "u1").name
    assert first.propensity == 0.5 and again.exposure is not None
    assert again.exposure.at == T0 + 10 and again.exposure.context == {"step": "ab"}
    assert _rows(store) == 1


def test_the_global_holdout_is_never_in_an_arm(store: Store) -> None:
    settings = policy_settings(holdout_percent=10.0)
    found = experiment(store)
    people = [f"p{n}" for n in range(600)]
    results = {p: assign(store, settings, found, p, now=T0) for p in people}
    held = {p for p in people if in_holdout(p, settings)}
    assert 30 < len(held) < 90
    assert {p for p, r in results.items() if r.variant is None} == held
    assert all(results[p].reason == "holdout" for p in held)
    counts = exposure_counts(store, "subjects")
    assert counts["holdout"] == len(held)
    assert counts["control"] + counts["short"] == len(people) - len(held)


def test_nothing_is_logged_unless_running(store: Store) -> None:
    settings = policy_settings()
    draft = experiment(store, start=False)
    assert assign(store, settings, draft, "u1", now=T0).variant == "control"
    running = experiment(store, experiment_id="other")
    assign(store, settings, running, "u1", now=T0)
    stopped = stop_experiment(store, "other", winner="short")
    result = assign(store, settings, stopped, "u2", now=T0)
    assert (result.variant, result.reason, result.exposure) == ("short", "not_running", None)
    assert _rows(store) == 1


def test_bandit_decisions_and_their_rewards(store: Store) -> None:
    settings = policy_settings()
    found = experiment(
        store,
        kind="bandit",
        variants=[{"name": "a"}, {"name": "b"}, {"name": "c"}],
        metrics={"min_share": 0.1, "window_days": 2},
    )
    decisions = [
        assign(store, settings, found, f"u{n % 50}", now=T0 + n, key=f"message-{n}")
        for n in range(150)
    ]
    assert len({d.exposure.exposure_id for d in decisions if d.exposure}) == 150
    assert all(d.propensity == pytest.approx(1 / 3) for d in decisions)  # nothing learnt yet
    repeat = assign(store, settings, found, "u7", now=T0 + 500, key="message-7")
    assert not repeat.new and repeat.variant == decisions[7].variant
    # u0..u9 buy a day later: their decisions (made before) are rewarded
    purchases(store, [(f"u{n}", T0 + DAY, None) for n in range(10)])
    assert settle_rewards(store, found, now=T0 + 1.5 * DAY) == 30  # 3 decisions each
    assert settle_rewards(store, found, now=T0 + 1.5 * DAY) == 0
    assert settle_rewards(store, found, now=T0 + 3 * DAY) == 120  # windows over: zeros
    log = decision_log(store, "subjects")
    assert sum(d.reward or 0 for d in log) == 30 and len(log) == 150
    posteriors = bandit_posteriors(store, get_experiment(store, "subjects"), now=T0 + 3 * DAY)
    assert sum(p.alpha - 1 for p in posteriors) == 30
    assert sum(p.alpha + p.beta - 2 for p in posteriors) == 150


def test_a_bandit_learns_and_keeps_the_minimum_share(store: Store) -> None:
    settings = policy_settings()
    found = experiment(
        store,
        kind="bandit",
        variants=[{"name": "a"}, {"name": "b"}],
        metrics={"min_share": 0.1, "window_days": 1},
    )
    for n in range(20):  # b converts 8 of 20 times, a never
        log_exposure(store, Exposure(f"a{n}", "subjects", f"ka{n}", f"a{n}", "a", T0, 0.5, None))
        log_exposure(store, Exposure(f"b{n}", "subjects", f"kb{n}", f"b{n}", "b", T0, 0.5, None))
    purchases(store, [(f"b{n}", T0 + 10, None) for n in range(8)])
    chosen = [assign(store, settings, found, f"new{n}", now=T0 + 2 * DAY) for n in range(40)]
    expected = thompson_probabilities([Posterior(1, 21), Posterior(9, 13)], 0.1)
    assert expected[0] == pytest.approx(0.1, abs=1e-3) and expected[1] > 0.89
    for one in chosen:
        index = found.names.index(one.variant or "")
        assert one.propensity == pytest.approx(expected[index])
    assert 25 <= sum(one.variant == "b" for one in chosen) <= 40


def test_erasing_a_person_erases_their_exposures(store: Store) -> None:
    from tests.marketing.policy.people import add_users

    from recmind.data.privacy import erase_rows

    settings = policy_settings()
    found = experiment(store)
    add_users(store, "u1", "u2")
    assign(store, settings, found, "u1", now=T0)
    assign(store, settings, found, "u2", now=T0)
    erase_rows(store, "u1", "secret")
    assert sum(exposure_counts(store, "subjects").values()) == 1
