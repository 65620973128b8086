"""Cold-start protocols: items nobody has touched, and people with one or two events.

``cold-item``
    A seeded share (default 10%) of the items with at least ``min_users`` users (default 5)
    becomes *cold*: every interaction with them is removed from training, so a model knows
    them only by their catalogue entry (text, category). A user's targets are all the cold
    items they engaged with; only users with training history left are evaluated. This is
    the usual item cold-start set-up (all interactions of held-out items are the test
    set), with one difference that makes it harder and closer to a live catalogue: the
    model ranks *every* item the user has not touched, old and new together, not only the
    cold ones, so it must decide that a new item beats the familiar ones. Popularity
    cannot recommend a cold item (it has no count) and a random ranking finds one at the
    rate cold targets occur among unseen items; text-aware models must do better.

``cold-user``
    Leave-last-out, but a seeded share (default 20%) of the users with 2 or more pairs has
    its training history cut to the last ``n`` pairs before its target, ``n`` drawn
    uniformly from 1 to ``max_events`` (default 2) per user; those users, and only they,
    are evaluated on their last pair. Everybody else keeps their whole history as
    training data, like the known customers of a shop where a newcomer just arrived.

In both, the validation holdout repeats the construction on a disjoint draw of items or
users inside the test holdout's training data, so hyperparameters are chosen for the cold
task without seeing a test target.
"""

from __future__ import annotations

import numpy as np

from recmind.eval.splits import Holdout, ProtocolSplit, _holdout, positions_from_end
from recmind.rec.interactions import Interactions

DEFAULT_ITEM_SHARE = 0.1
DEFAULT_USER_SHARE = 0.2
MIN_ITEM_USERS = 5
MAX_COLD_EVENTS = 2
_ITEM_STREAM = 101
_USER_STREAM = 202
"""Separate random streams, so the draws do not repeat the tie-breaking shuffle's."""


MAX_ITEM_SHARE = 0.25
"""Test cold items, their decoys, and validation's cold items and decoys are 4 disjoint
draws of this share."""


def _check_share(share: float, limit: float = 0.5) -> None:
    if not 0.0 < share <= limit:
        raise ValueError(
            f"cold share must be in (0, {limit:g}] (validation draws as many again"
            f"{', and decoys as many as the cold items' if limit < 0.5 else ''}), got {share}"
        )


def _draw(
    candidates: np.ndarray, share: float, rng: np.random.Generator, count: int = 2
) -> list[np.ndarray]:
    """``count`` disjoint seeded draws of ``round(share * n)`` (at least 1) candidates
    each, sorted."""
    n = max(1, round(share * len(candidates)))
    n = min(n, len(candidates) // count) or min(1, len(candidates))
    order = rng.permutation(candidates)
    return [np.sort(order[i * n : (i + 1) * n]) for i in range(count)]


def _with_history(interactions: Interactions, train: np.ndarray, target: np.ndarray) -> np.ndarray:
    """``target`` restricted to users who keep at least one training pair."""
    has_history = np.bincount(interactions.user_index[train], minlength=interactions.n_users) > 0
    keep: np.ndarray = target & has_history[interactions.user_index]
    return keep


def _cold_items_holdout(
    interactions: Interactions, available: np.ndarray, cold: np.ndarray, decoys: np.ndarray
) -> Holdout:
    """Train on ``available`` pairs on neither a ``cold`` item nor a decoy; target the
    cold ones (the decoys' pairs are nobody's target)."""
    on_cold = np.isin(interactions.item_index, cold)
    hidden = on_cold | np.isin(interactions.item_index, decoys)
    train = available & ~hidden
    target = _with_history(interactions, train, available & on_cold)
    end = float(interactions.timestamps.max(initial=0.0))
    return _holdout(interactions, train, target, moment=end)


def cold_item_split(
    interactions: Interactions,
    *,
    seed: int,
    share: float = DEFAULT_ITEM_SHARE,
    min_users: int = MIN_ITEM_USERS,
) -> ProtocolSplit:
    """The ``cold-item`` protocol (see the module docstring).

    Args:
        interactions: All (user, item) pairs, in the full item index space.
        seed: Seeds which items become cold (test and validation draws).
        share: Share of the eligible items made cold for the test (and as many others
            as decoys, and the same again for validation); at most 0.25.
        min_users: An item is eligible when at least this many users touched it, so
            every cold item has people to be recommended to.

    Raises:
        ValueError: Fewer than 2 eligible items, or no user keeps history.
    """
    _check_share(share, MAX_ITEM_SHARE)
    popularity = interactions.item_popularity()
    eligible = np.flatnonzero(popularity >= min_users)
    if len(eligible) < 4:
        raise ValueError(
            f"cold-item needs at least 4 items with {min_users} or more users; "
            f"found {len(eligible)}"
        )
    rng = np.random.default_rng([seed, _ITEM_STREAM])
    test_cold, test_decoys, val_cold, val_decoys = _draw(eligible, share, rng, count=4)
    everything = np.ones(len(interactions), dtype=bool)
    test = _cold_items_holdout(interactions, everything, test_cold, test_decoys)
    if test.n_users == 0:
        raise ValueError("cold-item: no user with training history touched a cold item")
    test_train = ~np.isin(interactions.item_index, np.concatenate([test_cold, test_decoys]))
    validation = _cold_items_holdout(interactions, test_train, val_cold, val_decoys)
    never_touched = int(np.sum(test.train.item_popularity() == 0))
    return ProtocolSplit(
        protocol="cold-item",
        validation=validation,
        test=test,
        info={
            "cold items": len(test_cold),
            "decoy items": len(test_decoys),
            "never-touched items": never_touched,
            "eligible items": len(eligible),
            "cold share": share,
            "min users per cold item": min_users,
            "cold targets": int(test.targets.nnz),
            "validation cold items": len(val_cold),
        },
    )


def _cold_users_masks(
    interactions: Interactions,
    from_end: np.ndarray,
    users: np.ndarray,
    keep: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """(removed, target) pair masks: ``users`` lose their last pair (the target) and
    everything before their last ``keep[user]`` pairs."""
    chosen = np.zeros(interactions.n_users, dtype=bool)
    chosen[users] = True
    per_user = chosen[interactions.user_index]
    target = per_user & (from_end == 0)
    removed = target | (per_user & (from_end > keep[interactions.user_index]))
    return removed, target


def cold_user_split(
    interactions: Interactions,
    *,
    seed: int,
    share: float = DEFAULT_USER_SHARE,
    max_events: int = MAX_COLD_EVENTS,
) -> ProtocolSplit:
    """The ``cold-user`` protocol (see the module docstring).

    Args:
        interactions: All (user, item) pairs.
        seed: Seeds the tie-breaking of equal timestamps, which users are drawn and how
            many events each keeps.
        share: Share of the users with 2 or more pairs evaluated as cold users (and as
            many others for validation); at most 0.5.
        max_events: Most training pairs a cold user keeps (each keeps 1 to this many).

    Raises:
        ValueError: No user has 2 pairs, or ``max_events`` is below 1.
    """
    _check_share(share)
    if max_events < 1:
        raise ValueError(f"max_events must be at least 1, got {max_events}")
    from_end, _ = positions_from_end(interactions, seed)
    per_user = np.bincount(interactions.user_index, minlength=interactions.n_users)
    eligible = np.flatnonzero(per_user >= 2)
    if len(eligible) == 0:
        raise ValueError("cold-user needs users with at least 2 distinct items; none found")
    rng = np.random.default_rng([seed, _USER_STREAM])
    test_users, val_users = _draw(eligible, share, rng)
    keep = rng.integers(1, max_events + 1, size=interactions.n_users)
    test_removed, test_target = _cold_users_masks(interactions, from_end, test_users, keep)
    val_removed, val_target = _cold_users_masks(interactions, from_end, val_users, keep)
    test = _holdout(interactions, ~test_removed, test_target)
    validation = _holdout(interactions, ~test_removed & ~val_removed, val_target)
    history = np.diff(test.exclude().indptr)
    by_length = {
        f"with {n} event{'s' if n > 1 else ''}": int(np.sum(history == n))
        for n in range(1, max_events + 1)
    }
    return ProtocolSplit(
        protocol="cold-user",
        validation=validation,
        test=test,
        info={
            "cold users": test.n_users,
            "eligible users": len(eligible),
            "cold share": share,
            "max training events": max_events,
            **by_length,
            "all pairs": len(interactions),
        },
    )
