"""The global holdout: stable, uniform, nested as the percentage grows."""

from __future__ import annotations

from tests.marketing.policy.people import policy_settings

from recmind.marketing.policy.holdout import holdout_position, in_holdout


def test_the_share_is_within_half_a_point_on_100000_people() -> None:
    people = [f"user-{n}" for n in range(100_000)]
    for percent in (1.0, 5.0, 10.0, 50.0):
        settings = policy_settings(holdout_percent=percent)
        share = 100.0 * sum(in_holdout(p, settings) for p in people) / len(people)
        assert abs(share - percent) < 0.5, (percent, share)


def test_assignment_is_stable_nested_and_salted() -> None:
    people = [f"p{n}" for n in range(20_000)]
    five = policy_settings(holdout_percent=5.0)
    ten = policy_settings(holdout_percent=10.0)
    held5 = {p for p in people if in_holdout(p, five)}
    held10 = {p for p in people if in_holdout(p, ten)}
    assert held5 == {p for p in people if in_holdout(p, policy_settings(holdout_percent=5.0))}
    assert held5 < held10
    other = policy_settings(holdout_percent=5.0, holdout_salt="another-salt")
    held_other = {p for p in people if in_holdout(p, other)}
    assert len(held5 & held_other) < 0.2 * len(held5)  # independent draws: ~5% overlap
    assert not any(in_holdout(p, policy_settings(holdout_percent=0.0)) for p in people)
    assert all(0.0 <= holdout_position(p, "s") < 100.0 for p in people[:1000])
