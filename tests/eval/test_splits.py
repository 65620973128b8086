"""The loo and temporal protocols: who is held out, ties, leakage."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from recmind.eval.splits import Holdout, leave_last_out, positions_from_end, temporal_split
from recmind.rec.interactions import Interactions


def frame(rows: list[tuple[str, str, float]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["user_id", "item_id", "timestamp"])


def targets_of(holdout: Holdout) -> dict[str, set[str]]:
    """External user id -> external target item ids."""
    out: dict[str, set[str]] = {}
    for row, user in enumerate(holdout.users):
        cols = holdout.targets.indices[
            holdout.targets.indptr[row] : holdout.targets.indptr[row + 1]
        ]
        out[str(holdout.train.user_ids[user])] = {str(holdout.train.item_ids[c]) for c in cols}
    return out


def pairs_of(inter: Interactions) -> set[tuple[str, str]]:
    return {
        (str(inter.user_ids[u]), str(inter.item_ids[i]))
        for u, i in zip(inter.user_index, inter.item_index, strict=True)
    }


LOO_EVENTS = frame(
    [
        ("a", "x", 1), ("a", "y", 2), ("a", "z", 3), ("a", "w", 4),
        ("b", "x", 1), ("b", "y", 2),
        ("c", "z", 9),
        ("d", "x", 1), ("d", "y", 3), ("d", "x", 5),  # x again, last: the pair counts at t=5
    ]
)  # fmt: skip


def test_loo_holds_out_the_last_and_second_to_last() -> None:
    inter = Interactions.from_frame(LOO_EVENTS)
    split = leave_last_out(inter, seed=0)
    assert targets_of(split.test) == {"a": {"w"}, "b": {"y"}, "d": {"x"}}
    assert targets_of(split.validation) == {"a": {"z"}}  # b, d have 2 pairs: test only
    assert pairs_of(split.test.train) == pairs_of(inter) - {("a", "w"), ("b", "y"), ("d", "x")}
    assert pairs_of(split.validation.train) == pairs_of(split.test.train) - {("a", "z")}
    assert ("c", "z") in pairs_of(split.validation.train)  # 1 pair: training only


def test_loo_targets_are_never_in_training_and_come_last() -> None:
    rng = np.random.default_rng(3)
    events = frame(
        [
            (f"u{rng.integers(30)}", f"i{rng.integers(50)}", float(rng.integers(20)))
            for _ in range(600)
        ]
    )
    inter = Interactions.from_frame(events)
    split = leave_last_out(inter, seed=7)
    for holdout in (split.test, split.validation):
        train = holdout.train.matrix()[holdout.users]
        assert train.multiply(holdout.targets).nnz == 0
        assert np.all(np.diff(holdout.targets.indptr) == 1)
    # every test target is at least as late as everything the user kept for training
    last_train = pd.Series(split.test.train.timestamps).groupby(split.test.train.user_index).max()
    assert len(split.test.train) + split.test.n_users == len(inter)
    for row, user in enumerate(split.test.users):
        item = split.test.targets.indices[row]
        t = inter.timestamps[(inter.user_index == user) & (inter.item_index == item)][0]
        assert t >= last_train[user]


def test_loo_ties_are_broken_by_seed_not_by_id() -> None:
    events = frame([("u", f"i{j}", 100.0) for j in range(10)])  # all at the same time
    inter = Interactions.from_frame(events)
    chosen = {next(iter(targets_of(leave_last_out(inter, seed=s).test)["u"])) for s in range(40)}
    assert len(chosen) > 3  # not always the first or last id
    again = [targets_of(leave_last_out(inter, seed=5).test) for _ in range(3)]
    assert again[0] == again[1] == again[2]


def test_positions_from_end_counts_per_user() -> None:
    inter = Interactions.from_frame(LOO_EVENTS)
    from_end, counts = positions_from_end(inter, seed=0)
    a = inter.user_index == 0
    assert sorted(from_end[a]) == [0, 1, 2, 3]
    assert set(counts[a]) == {4}


def test_loo_needs_a_user_with_two_items() -> None:
    with pytest.raises(ValueError, match="at least 2"):
        leave_last_out(Interactions.from_frame(frame([("a", "x", 1), ("b", "y", 2)])), seed=0)


TEMPORAL_EVENTS = frame(
    [
        ("a", "x", 1), ("a", "y", 5),              # y is new after the cut: a target
        ("b", "x", 1), ("b", "x", 6),              # only a repeat after the cut: no target
        ("c", "y", 7),                             # no history before the cut: not evaluated
        ("d", "y", 2), ("d", "z", 3), ("d", "x", 8), ("d", "z", 9),  # x new, z repeat
    ]
)  # fmt: skip


def test_temporal_targets_are_new_items_of_users_with_history() -> None:
    items = np.array(["x", "y", "z", "never"], dtype=object)
    split = temporal_split(TEMPORAL_EVENTS, items, cut=4.0)
    assert targets_of(split.test) == {"a": {"y"}, "d": {"x"}}
    assert split.test.train.n_items == 4  # the whole catalogue is rankable
    assert set(split.test.train.user_ids) == {"a", "b", "d"}


def test_temporal_nothing_after_the_cut_is_visible() -> None:
    items = np.array(["x", "y", "z"], dtype=object)
    split = temporal_split(TEMPORAL_EVENTS, items, cut=4.0)
    train = split.test.train
    assert train.timestamps.max() < 4.0
    # b touched x before and after the cut: training counts only the event before it
    b_x = (train.user_ids[train.user_index] == "b") & (train.item_ids[train.item_index] == "x")
    assert train.weights[b_x].tolist() == [1.0]
    val_cut = split.info["validation_cut"]
    assert isinstance(val_cut, float)
    assert val_cut < 4.0
    assert split.validation.train.timestamps.max() < val_cut


def test_temporal_default_cut_is_the_quantile_of_event_times() -> None:
    rng = np.random.default_rng(0)
    events = frame(
        [(f"u{rng.integers(20)}", f"i{rng.integers(30)}", float(t)) for t in rng.permutation(500)]
    )
    items = np.array([f"i{j}" for j in range(30)], dtype=object)
    split = temporal_split(events, items)
    assert split.info["cut"] == pytest.approx(np.quantile(np.arange(500), 0.8))
    assert split.test.train.timestamps.max() < split.info["cut"]  # type: ignore[operator]
    test_times = events["timestamp"] >= split.info["cut"]
    future = set(
        zip(events.loc[test_times, "user_id"], events.loc[test_times, "item_id"], strict=True)
    )
    for user, wanted in targets_of(split.test).items():
        assert all((user, item) in future for item in wanted)


def test_temporal_rejects_bad_input() -> None:
    items = np.array(["x", "y", "z"], dtype=object)
    with pytest.raises(ValueError, match="quantile"):
        temporal_split(TEMPORAL_EVENTS, items, quantile=1.0)
    with pytest.raises(ValueError, match="no events before"):
        temporal_split(TEMPORAL_EVENTS, items, cut=0.0)
    with pytest.raises(ValueError, match="new items"):
        temporal_split(TEMPORAL_EVENTS, items, cut=100.0)


# -- the moment each user is scored at (Holdout.now) ------------------------------------


def moments_of(holdout: Holdout) -> dict[str, float]:
    """External user id -> the moment the user is scored at."""
    return {
        str(holdout.train.user_ids[u]): float(t)
        for u, t in zip(holdout.users, holdout.moments(), strict=True)
    }


def test_loo_scores_each_user_when_their_target_came() -> None:
    """The target's first event, or the user's latest training event when that is later
    (d took x at 1 and again at 5: x is the target, d's training y came at 3)."""
    split = leave_last_out(Interactions.from_frame(LOO_EVENTS), seed=0)
    assert moments_of(split.test) == {"a": 4.0, "b": 2.0, "d": 3.0}
    assert moments_of(split.validation) == {"a": 3.0}
    for holdout in (split.test, split.validation):
        assert holdout.now is not None
        assert (holdout.moments() >= holdout.last_seen()).all()


def test_loo_moment_rule_on_random_data() -> None:
    rng = np.random.default_rng(5)
    events = frame(
        [
            (f"u{rng.integers(25)}", f"i{rng.integers(40)}", float(rng.integers(50)))
            for _ in range(500)
        ]
    )
    inter = Interactions.from_frame(events)
    split = leave_last_out(inter, seed=2)
    for holdout in (split.test, split.validation):
        train = holdout.train
        first = {
            (int(u), int(i)): float(f)
            for u, i, f in zip(inter.user_index, inter.item_index, inter.first_times, strict=True)
        }
        for row, user in enumerate(holdout.users):
            cols = holdout.targets.indices[
                holdout.targets.indptr[row] : holdout.targets.indptr[row + 1]
            ]
            target_time = min(first[(int(user), int(c))] for c in cols)
            last = float(train.timestamps[train.user_index == user].max())
            assert holdout.moments()[row] == max(target_time, last)
            assert holdout.last_seen()[row] == last


def test_temporal_scores_everyone_at_the_cut() -> None:
    items = np.array(["x", "y", "z"], dtype=object)
    split = temporal_split(TEMPORAL_EVENTS, items, cut=4.0)
    np.testing.assert_array_equal(split.test.moments(), np.full(split.test.n_users, 4.0))
    val_cut = split.info["validation_cut"]
    np.testing.assert_array_equal(
        split.validation.moments(), np.full(split.validation.n_users, val_cut)
    )
    # every training item existed at the cut: nothing a model knows is masked there
    first = split.test.train.item_first_seen()
    assert (first[np.isfinite(first)] < 4.0).all()


def test_holdout_histories_and_default_moment() -> None:
    inter = Interactions.from_frame(LOO_EVENTS)
    split = leave_last_out(inter, seed=0)
    test = split.test
    every = test.train.histories(7)
    for user, history in zip(test.users, test.histories(7), strict=True):
        np.testing.assert_array_equal(history, every[int(user)])
    bare = Holdout(train=test.train, users=test.users, targets=test.targets)
    np.testing.assert_array_equal(
        bare.moments(), np.full(test.n_users, test.train.timestamps.max())
    )
