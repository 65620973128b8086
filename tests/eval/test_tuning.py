"""Choosing hyperparameters on the validation holdout."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
import pytest

from recmind.data.bundle import DataBundle
from recmind.eval.metrics import accuracy
from recmind.eval.runner import item_space, split_bundle
from recmind.eval.scoring import fit_and_rank
from recmind.eval.specs import resolve_models
from recmind.eval.splits import leave_last_out
from recmind.eval.tuning import tune
from recmind.rec.base import ModelConfig, Recommender
from recmind.rec.interactions import Interactions, ItemCatalog


def test_picks_the_best_validation_ndcg(
    bundle: DataBundle, fake_registry: dict[str, type[Recommender]]
) -> None:
    items = item_space(bundle)
    catalog = ItemCatalog.from_frame(bundle.items, items)
    split = split_bundle(bundle, items, "loo", seed=1)
    (spec,) = resolve_models(["fakerandom"], fake_registry)
    steps: list[str] = []
    result = tune(spec, split.validation, catalog, seed=1, on_step=steps.append)
    assert len(result.trials) == 3
    assert len(steps) == 3
    scores = [score for _, score in result.trials]
    assert result.val_ndcg == max(scores)
    assert result.params == result.trials[int(np.argmax(scores))][0]
    # the reported score is what the chosen candidate really gets on validation
    ranking = fit_and_rank(spec, result.params, split.validation, catalog, k=10, seed=1)
    again = accuracy(ranking.recs, split.validation.targets, [10])["ndcg@10"]
    assert again == result.val_ndcg


def test_single_candidate_skips_fitting(
    bundle: DataBundle, fake_registry: dict[str, type[Recommender]]
) -> None:
    items = item_space(bundle)
    split = split_bundle(bundle, items, "loo", seed=1)
    (spec,) = resolve_models(["fakepopular"], fake_registry)
    result = tune(spec, split.validation, ItemCatalog.bare(items), seed=1)
    assert result.params == {}
    assert result.val_ndcg is None
    assert fake_registry["fakepopular"].fitted_on == []  # type: ignore[attr-defined]


def test_no_validation_users_falls_back_to_the_first_candidate(
    fake_registry: dict[str, type[Recommender]],
) -> None:
    events = pd.DataFrame(
        {"user_id": ["a", "a", "b", "b"], "item_id": ["x", "y", "x", "z"], "timestamp": [1.0] * 4}
    )
    items = np.array(["x", "y", "z"], dtype=object)
    split = leave_last_out(Interactions.from_frame(events, item_ids=items), seed=0)
    assert split.validation.n_users == 0  # two pairs each: test targets only
    (spec,) = resolve_models(["fakerandom"], fake_registry)
    steps: list[str] = []
    result = tune(spec, split.validation, ItemCatalog.bare(items), seed=0, on_step=steps.append)
    assert result.params == {"salt": 0}
    assert result.val_ndcg is None
    assert len(steps) == len(spec.candidates)  # the progress bar still completes


class _Scaled(Recommender):
    """Popularity times ``sign``: ``sign`` is read only when scoring; counts its fits."""

    class Config(ModelConfig):
        sign: float = 1.0
        salt: int = 0

    name = "scaled"
    scoring_params = frozenset({"sign"})
    fits = 0

    @classmethod
    def search_space(cls) -> list[dict[str, Any]]:
        return [{"sign": -1.0}, {"sign": 1.0}, {"salt": 1}, {"salt": 1, "sign": -1.0}]

    def _fit(self, interactions: Interactions) -> None:
        type(self).fits += 1
        self.popularity_ = interactions.item_popularity()

    def _score(self, user_index: np.ndarray) -> np.ndarray:
        sign = float(self.config.sign)  # type: ignore[attr-defined]
        return np.tile(sign * self.popularity_, (len(user_index), 1))

    def score_histories(self, histories: Sequence[Sequence[int]]) -> np.ndarray:
        sign = float(self.config.sign)  # type: ignore[attr-defined]
        return np.tile(sign * self.popularity_, (len(histories), 1)).astype(np.float64)


def test_candidates_differing_only_in_scoring_share_a_fit(bundle: DataBundle) -> None:
    items = item_space(bundle)
    split = split_bundle(bundle, items, "loo", seed=1)
    (spec,) = resolve_models(["scaled"], {"scaled": _Scaled})
    result = tune(spec, split.validation, ItemCatalog.bare(items), seed=1)
    assert _Scaled.fits == 2  # one per distinct salt, not one per candidate
    scores = dict((p.get("sign", 1.0), s) for p, s in result.trials[:2])
    assert scores[1.0] > scores[-1.0]  # the shared fit really scored with each sign
    assert result.params == {"sign": 1.0}
    fitted = spec.factory({}, 1).fit(split.validation.train, ItemCatalog.bare(items))
    with pytest.raises(ValueError, match="only \\['sign'\\] may change"):
        fitted.with_config(_Scaled.Config(salt=3))
