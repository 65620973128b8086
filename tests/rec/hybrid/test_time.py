"""The hybrid scores time-causally through one path (``score_histories_at``): an item
first taken up after a query's moment is never proposed, a known user ranks as their own
history at the end of the data, and every moment from the end of training on ranks alike
(so the server's clock and the harness's cut agree)."""

from __future__ import annotations

import time

import numpy as np
import pytest

from recmind.rec.base import Filters
from recmind.rec.hybrid import HybridRecommender
from recmind.rec.hybrid.queries import Queries
from recmind.rec.interactions import Interactions

NO_SEEN_FILTER = Filters(exclude_seen=False)


def end_of(data: Interactions) -> float:
    return float(data.timestamps.max())


def test_items_first_seen_after_the_moment_are_never_proposed(
    fitted: HybridRecommender, interactions: Interactions
) -> None:
    """Everyone's history as of a past moment: items first taken up after it score
    ``-inf``, are no candidate and are never recommended, even though the sources (fitted
    on all the data) know them."""
    first_seen = interactions.item_first_seen()
    moment = float(np.quantile(first_seen, 0.6))
    future = first_seen > moment
    assert 0 < future.sum() < len(future)
    past = interactions.before(moment)
    every = past.histories(fitted.seed)
    people = np.flatnonzero([len(h) > 0 for h in every])
    histories = [every[int(u)] for u in people]
    last_seen = past.user_last_seen()[people]
    scores = fitted.score_histories_at(histories, moment, last_seen=last_seen)
    assert np.isneginf(scores[:, future]).all()
    assert np.isfinite(scores[:, ~future]).all()
    queries = Queries(histories, np.full(len(people), moment), last_seen)
    candidates, _ = fitted.scorer_.candidates(queries)
    assert not future[candidates.items].any()
    top, _ = fitted.recommend_histories_at(
        histories, moment, interactions.n_items, last_seen=last_seen
    )
    assert not future[top[top >= 0]].any()
    # at the end of the data the same items are proposed to somebody
    later, _ = fitted.scorer_.candidates(
        Queries(histories, np.full(len(people), end_of(interactions)), last_seen)
    )
    assert future[later.items].any()


def test_known_users_rank_as_their_own_history_at_the_end(
    fitted: HybridRecommender, interactions: Interactions
) -> None:
    """``score_users`` of a known user is ``score_histories_at`` of their training
    history (seeded time order) at the end of the data, last seen at their latest event:
    same scores, same top 10."""
    users = np.arange(interactions.n_users)
    histories = interactions.histories(fitted.seed)
    last_seen = interactions.user_last_seen()
    by_user = fitted.score_users(users)
    by_history = fitted.score_histories_at(histories, end_of(interactions), last_seen=last_seen)
    np.testing.assert_array_equal(by_history, by_user)
    recs = fitted.recommend([str(u) for u in interactions.user_ids], k=10)
    top, scores = fitted.recommend_histories_at(
        histories, end_of(interactions), 10, last_seen=last_seen
    )
    np.testing.assert_array_equal(recs.item_ids, interactions.item_ids[top])
    np.testing.assert_array_equal(recs.scores, scores)


@pytest.mark.parametrize("with_last_seen", [True, False])
def test_every_moment_after_training_ranks_alike(
    fitted: HybridRecommender, interactions: Interactions, with_last_seen: bool
) -> None:
    """Time is measured in pairs, so nothing moves after the last training pair: the
    harness's cut, a server's clock a day or years later, and the wall clock give equal
    scores."""
    histories = interactions.histories(fitted.seed)
    last_seen = interactions.user_last_seen() if with_last_seen else None
    end = end_of(interactions)
    at_end = fitted.score_histories_at(histories, end, last_seen=last_seen)
    for later in (end + 1.0, end + 86_400.0, end + 3e8, time.time()):
        np.testing.assert_array_equal(
            fitted.score_histories_at(histories, later, last_seen=last_seen), at_end
        )
    if not with_last_seen:
        # score_histories is the wall clock, with everyone active now
        np.testing.assert_array_equal(fitted.score_histories(histories), at_end)
        np.testing.assert_array_equal(
            fitted.score_histories_at(histories, end, last_seen=np.full(len(histories), end)),
            at_end,
        )


def test_last_seen_moves_only_the_idle_time(
    fitted: HybridRecommender, interactions: Interactions
) -> None:
    """A person last seen long ago and one active now: the same candidates, other
    orders possible; a last-seen time after the moment is read as the moment."""
    history = interactions.histories(fitted.seed)[:1]
    end = end_of(interactions)
    start = float(interactions.timestamps.min())
    active = fitted.score_histories_at(history, end, last_seen=[end])
    idle = fitted.score_histories_at(history, end, last_seen=[start])
    proposed = active > -1e8
    np.testing.assert_array_equal(proposed, idle > -1e8)
    np.testing.assert_array_equal(active[~proposed], idle[~proposed])
    np.testing.assert_array_equal(
        fitted.score_histories_at(history, end, last_seen=[end + 1e6]), active
    )


def test_per_history_moments_score_like_single_calls(
    fitted: HybridRecommender, interactions: Interactions
) -> None:
    histories = interactions.histories(fitted.seed)[:4]
    times = np.quantile(interactions.first_times, [0.3, 0.6, 0.9, 1.0])
    together = fitted.score_histories_at(histories, times)
    for row, (history, moment) in enumerate(zip(histories, times, strict=True)):
        alone = fitted.score_histories_at([history], float(moment))[0]
        np.testing.assert_array_equal(together[row], alone)
    with pytest.raises(ValueError, match="moments"):
        fitted.score_histories_at(histories, times[:2])


def test_a_past_moment_ranks_differently_from_the_end(
    fitted: HybridRecommender, interactions: Interactions
) -> None:
    """Features are read at the moment: the same history asked at a past moment gets
    other scores for items that existed then (counts, ages and trends were others)."""
    history = interactions.histories(fitted.seed)[:1]
    moment = float(np.quantile(interactions.first_times, 0.7))
    then = fitted.score_histories_at(history, moment)[0]
    now = fitted.score_histories_at(history, end_of(interactions))[0]
    existed = np.isfinite(then)
    assert not np.array_equal(then[existed], now[existed])
