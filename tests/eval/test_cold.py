"""The cold-item and cold-user protocols: what is hidden, who is evaluated, no leakage."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from recmind.eval.cold import cold_item_split, cold_user_split
from recmind.eval.splits import Holdout, positions_from_end
from recmind.rec.interactions import Interactions


@pytest.fixture(scope="module")
def data(skewed: Interactions) -> Interactions:
    return skewed


def target_pairs(holdout: Holdout) -> set[tuple[int, int]]:
    rows, cols = holdout.targets.nonzero()
    return {(int(holdout.users[r]), int(c)) for r, c in zip(rows, cols, strict=True)}


def train_pairs(holdout: Holdout) -> set[tuple[int, int]]:
    t = holdout.train
    return set(zip(t.user_index.tolist(), t.item_index.tolist(), strict=True))


def all_pairs(data: Interactions) -> set[tuple[int, int]]:
    return set(zip(data.user_index.tolist(), data.item_index.tolist(), strict=True))


def cold_items_of(holdout: Holdout) -> set[int]:
    return {int(c) for c in holdout.targets.indices}


def decoys_of(holdout: Holdout, data: Interactions) -> set[int]:
    """Items someone touched in ``data`` that nobody touches in training and nobody is
    asked to find: the cold-item protocol's decoys."""
    touched = data.item_popularity() > 0
    hidden = touched & (holdout.train.item_popularity() == 0)
    return set(np.flatnonzero(hidden).tolist()) - cold_items_of(holdout)


# -- cold-item ------------------------------------------------------------------------


def test_cold_items_have_no_training_interactions(data: Interactions) -> None:
    split = cold_item_split(data, seed=3)
    cold = cold_items_of(split.test)
    assert len(cold) == split.info["cold items"] == round(0.1 * split.info["eligible items"])
    assert not set(split.test.train.item_index.tolist()) & cold
    assert split.test.train.item_popularity()[list(cold)].sum() == 0
    val_cold = cold_items_of(split.validation)
    assert val_cold and not val_cold & cold  # disjoint draws
    assert not set(split.validation.train.item_index.tolist()) & (cold | val_cold)


def test_cold_item_targets_are_every_interaction_with_a_cold_item(data: Interactions) -> None:
    split = cold_item_split(data, seed=3)
    cold = cold_items_of(split.test)
    with_history = set(split.test.train.user_index.tolist())
    expected = {(u, i) for u, i in all_pairs(data) if i in cold and u in with_history}
    assert target_pairs(split.test) == expected
    hidden = cold | decoys_of(split.test, data)  # the decoys' pairs leave training too
    assert train_pairs(split.test) == {(u, i) for u, i in all_pairs(data) if i not in hidden}
    assert split.info["cold targets"] == len(expected)
    # validation sees nothing of the test: its training data lies inside the test's
    assert train_pairs(split.validation) <= train_pairs(split.test)
    assert not target_pairs(split.validation) & target_pairs(split.test)


def test_cold_items_are_drawn_among_items_with_enough_users(data: Interactions) -> None:
    split = cold_item_split(data, seed=0, share=0.25, min_users=20)
    popularity = data.item_popularity()
    for holdout in (split.test, split.validation):
        assert (popularity[list(cold_items_of(holdout))] >= 20).all()
    assert split.info["eligible items"] == int((popularity >= 20).sum())


def test_cold_item_split_is_seeded(data: Interactions) -> None:
    first, again = cold_item_split(data, seed=5), cold_item_split(data, seed=5)
    assert cold_items_of(first.test) == cold_items_of(again.test)
    assert (first.test.targets != again.test.targets).nnz == 0
    others = {frozenset(cold_items_of(cold_item_split(data, seed=s).test)) for s in range(6)}
    assert len(others) > 1


def test_cold_item_rejects_bad_input(data: Interactions) -> None:
    with pytest.raises(ValueError, match="cold share"):
        cold_item_split(data, seed=0, share=0.6)
    with pytest.raises(ValueError, match=r"cold share must be in \(0, 0.25\]"):
        cold_item_split(data, seed=0, share=0.3)  # 4 draws of 0.3 do not fit
    with pytest.raises(ValueError, match="at least 4 items"):
        cold_item_split(data, seed=0, min_users=10_000)


# -- cold-user ------------------------------------------------------------------------


def test_cold_users_keep_one_or_two_latest_events(data: Interactions) -> None:
    split = cold_user_split(data, seed=4)
    test = split.test
    history = np.diff(test.exclude().indptr)
    assert set(history.tolist()) == {1, 2}
    assert split.info["with 1 event"] + split.info["with 2 events"] == test.n_users
    from_end, _ = positions_from_end(data, 4)
    position = {
        (int(u), int(i)): int(p)
        for u, i, p in zip(data.user_index, data.item_index, from_end, strict=True)
    }
    train = train_pairs(test)
    for row, user in enumerate(test.users):
        (target,) = test.targets.indices[test.targets.indptr[row] : test.targets.indptr[row + 1]]
        assert position[(int(user), int(target))] == 0  # the last pair is the target
        kept = sorted(position[(int(user), int(i))] for u, i in train if u == user)
        assert kept == list(range(1, history[row] + 1))  # the latest ones before it


def test_cold_user_targets_never_leak_and_others_keep_everything(data: Interactions) -> None:
    split = cold_user_split(data, seed=4)
    test = split.test
    assert not train_pairs(test) & target_pairs(test)
    cold = set(test.users.tolist())
    others = {(u, i) for u, i in all_pairs(data) if u not in cold}
    assert others <= train_pairs(test)
    per_user = np.bincount(data.user_index, minlength=data.n_users)
    assert test.n_users == round(0.2 * int((per_user >= 2).sum()))


def test_cold_user_validation_is_inside_the_test_training_data(data: Interactions) -> None:
    split = cold_user_split(data, seed=4)
    val = split.validation
    assert not set(val.users.tolist()) & set(split.test.users.tolist())
    assert train_pairs(val) | target_pairs(val) <= train_pairs(split.test)
    assert set(np.diff(val.exclude().indptr).tolist()) <= {1, 2}


def test_cold_user_split_is_seeded_and_respects_max_events(data: Interactions) -> None:
    first, again = cold_user_split(data, seed=8), cold_user_split(data, seed=8)
    np.testing.assert_array_equal(first.test.users, again.test.users)
    assert (first.test.targets != again.test.targets).nnz == 0
    assert train_pairs(first.test) == train_pairs(again.test)
    other = cold_user_split(data, seed=9)
    assert set(other.test.users.tolist()) != set(first.test.users.tolist())
    single = cold_user_split(data, seed=8, max_events=1, share=0.5)
    assert set(np.diff(single.test.exclude().indptr).tolist()) == {1}


def test_cold_user_rejects_bad_input(data: Interactions) -> None:
    with pytest.raises(ValueError, match="max_events"):
        cold_user_split(data, seed=0, max_events=0)
    with pytest.raises(ValueError, match="cold share"):
        cold_user_split(data, seed=0, share=0.0)
    lonely = Interactions.from_frame(
        pd.DataFrame({"user_id": ["a", "b"], "item_id": ["x", "y"], "timestamp": [1.0, 2.0]})
    )
    with pytest.raises(ValueError, match="at least 2"):
        cold_user_split(lonely, seed=0)


# -- cold-item decoys and moments --------------------------------------------------------


def test_cold_item_decoys_are_eligible_untouched_and_nobodys_target(data: Interactions) -> None:
    split = cold_item_split(data, seed=3, share=0.2, min_users=5)
    test = split.test
    cold = cold_items_of(test)
    decoys = decoys_of(test, data)
    assert len(decoys) == split.info["decoy items"] == split.info["cold items"] == len(cold)
    assert not decoys & cold
    assert not decoys & set(test.train.item_index.tolist())  # out of training
    assert not decoys & cold_items_of(split.validation)
    popularity = data.item_popularity()
    assert (popularity[list(decoys)] >= 5).all()  # drawn from the same eligible pool
    # the never-touched pool: cold targets, as many decoys, and what nobody ever took
    untouched = set(np.flatnonzero(test.train.item_popularity() == 0).tolist())
    assert untouched == cold | decoys | set(np.flatnonzero(popularity == 0).tolist())
    assert split.info["never-touched items"] == len(untouched) >= 2 * len(cold)


def test_cold_item_validation_hides_the_test_cold_items_and_decoys(data: Interactions) -> None:
    split = cold_item_split(data, seed=1, share=0.25)
    hidden = cold_items_of(split.test) | decoys_of(split.test, data)
    validation = split.validation
    assert not hidden & set(validation.train.item_index.tolist())
    assert not hidden & cold_items_of(validation)
    val_cold = cold_items_of(validation)
    val_decoys = decoys_of(validation, data) - hidden
    assert len(val_decoys) == len(val_cold) > 0
    assert not val_decoys & val_cold


def test_cold_item_scores_everyone_at_the_end_of_the_log(data: Interactions) -> None:
    split = cold_item_split(data, seed=2)
    end = float(data.timestamps.max())
    for holdout in (split.test, split.validation):
        np.testing.assert_array_equal(holdout.moments(), np.full(holdout.n_users, end))


def test_cold_item_needs_four_eligible_items() -> None:
    rows = [(f"u{u}", item, float(u)) for u in range(6) for item in ("a", "b", "c", "d")]
    rows += [("u0", "e", 9.0)]  # e has 1 user: not eligible with min_users=2
    four = Interactions.from_frame(pd.DataFrame(rows, columns=["user_id", "item_id", "timestamp"]))
    split = cold_item_split(four, seed=0, share=0.25, min_users=2)
    assert split.info["eligible items"] == 4
    assert split.info["cold items"] == split.info["decoy items"] == 1
    three = four.subset(four.item_index != int(np.flatnonzero(four.item_ids == "d")[0]))
    with pytest.raises(ValueError, match="at least 4 items with 2 or more users; found 3"):
        cold_item_split(three, seed=0, share=0.25, min_users=2)


def test_cold_user_scores_each_user_when_their_target_came(data: Interactions) -> None:
    split = cold_user_split(data, seed=4)
    for holdout in (split.test, split.validation):
        first = {
            (int(u), int(i)): float(f)
            for u, i, f in zip(data.user_index, data.item_index, data.first_times, strict=True)
        }
        for row, user in enumerate(holdout.users):
            (target,) = holdout.targets.indices[
                holdout.targets.indptr[row] : holdout.targets.indptr[row + 1]
            ]
            expected = max(first[(int(user), int(target))], holdout.last_seen()[row])
            assert holdout.moments()[row] == expected
