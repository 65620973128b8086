"""Retention: keep N versions, and no kept version holds an erased person's history."""

from __future__ import annotations

import hashlib
import json
import pickle
from pathlib import Path

import numpy as np
import pytest

from recmind.data.tombstones import Erasures, subject_of
from recmind.rec.artifacts import ModelStore
from recmind.rec.interactions import Interactions, ItemCatalog
from recmind.rec.registry import create_model
from recmind.rec.retention import (
    enforce,
    forget_erased,
    held_rows,
    history,
    prune,
    without_rows,
)

SECRET = "retention-test-secret"
GONE = "u03"
"""The erased person (has 3-9 interactions in the shared data)."""


def _erasures(at: float, *user_ids: str) -> Erasures:
    return Erasures(SECRET, {subject_of(u, SECRET): at for u in user_ids})


def _save(store: ModelStore, interactions: Interactions, catalog: ItemCatalog, name: str) -> str:
    model = create_model(name, seed=3).fit(interactions, catalog)
    return store.save(model, metrics={}, data_fingerprint="x").version


def test_without_rows_drops_emptied_users_from_the_id_space(interactions: Interactions) -> None:
    drop = interactions.user_ids[interactions.user_index] == GONE
    fewer = without_rows(interactions, drop)
    assert GONE not in set(fewer.user_ids) and fewer.n_users == interactions.n_users - 1
    assert len(fewer) == len(interactions) - int(drop.sum())
    # every remaining pair is the same (user id, item id, time) as before
    before = {
        (interactions.user_ids[u], i, t)
        for u, i, t in zip(
            interactions.user_index, interactions.item_index, interactions.timestamps, strict=True
        )
        if interactions.user_ids[u] != GONE
    }
    after = {
        (fewer.user_ids[u], i, t)
        for u, i, t in zip(fewer.user_index, fewer.item_index, fewer.timestamps, strict=True)
    }
    assert after == before


def test_prune_keeps_the_newest_and_latest(
    tmp_path: Path, interactions: Interactions, catalog: ItemCatalog
) -> None:
    store = ModelStore(tmp_path)
    versions = [_save(store, interactions, catalog, "popular") for _ in range(5)]
    store.set_latest(versions[0])  # rolled back to the oldest
    assert prune(store, 2) == versions[1:3]
    assert [v.version for v in store.versions()] == [versions[0], *versions[3:]]
    assert [e["action"] for e in history(store)] == ["pruned", "pruned"]
    with pytest.raises(ValueError, match="keep must be >= 1"):
        prune(store, 0)


def test_versions_holding_an_erased_person_are_refitted_without_them(
    tmp_path: Path, interactions: Interactions, catalog: ItemCatalog
) -> None:
    store = ModelStore(tmp_path)
    old = _save(store, interactions, catalog, "ease")
    rollback_to = _save(store, interactions, catalog, "itemknn")
    # the newest was trained after the erasure: it never saw GONE
    clean = interactions.subset(interactions.user_ids[interactions.user_index] != GONE)
    newest = _save(store, clean, catalog, "popular")
    newest_bytes = (tmp_path / newest / "model.pkl").read_bytes()
    erased_at = float(interactions.timestamps.max()) + 1.0
    erasures = _erasures(erased_at, GONE)

    report = forget_erased(store, erasures)

    assert report.rewritten == (old, rollback_to) and report.deleted == ()
    assert (tmp_path / newest / "model.pkl").read_bytes() == newest_bytes  # untouched
    for version, name in ((old, "ease"), (rollback_to, "itemknn")):
        model, info = store.load(version)
        assert model.name == name and model.seed == 3 and info.version == version
        assert GONE not in set(model.interactions_.user_ids)
        assert not held_rows(model, erasures).any()
        assert info.rewrites[0]["people"] == 1 and info.rewrites[0]["reason"] == "erasure"
        # the same config and seed on the same data minus the person: the same model
        expected = create_model(name, seed=3).fit(
            without_rows(interactions, _gone(interactions)), catalog
        )
        users = [str(u) for u in expected.interactions_.user_ids]
        np.testing.assert_array_equal(
            model.recommend(users, 5).item_ids, expected.recommend(users, 5).item_ids
        )
        raw = (info.path / info.model_file).read_bytes()
        assert GONE.encode() not in raw and GONE.encode("utf-32-le") not in raw
    assert store.latest() is not None and store.latest().version == newest  # type: ignore[union-attr]
    assert [e["action"] for e in history(store)] == ["rewritten", "rewritten"]
    assert forget_erased(store, erasures).rewritten == ()  # nothing left to do


def _gone(interactions: Interactions) -> np.ndarray:
    return np.asarray(interactions.user_ids[interactions.user_index] == GONE)


def test_a_returning_id_is_a_new_person(
    tmp_path: Path, interactions: Interactions, catalog: ItemCatalog
) -> None:
    """Rows after the erasure belong to a new person with the same id: kept."""
    store = ModelStore(tmp_path)
    version = _save(store, interactions, catalog, "popular")
    before = float(interactions.timestamps[_gone(interactions)].min()) - 1.0
    assert forget_erased(store, _erasures(before, GONE)).rewritten == ()
    assert store.info(version).rewrites == ()


def test_a_version_that_cannot_be_refitted_is_deleted(
    tmp_path: Path, interactions: Interactions, catalog: ItemCatalog
) -> None:
    store = ModelStore(tmp_path)
    kept = _save(store, interactions, catalog, "popular")
    only = create_model("popular", seed=3).fit(interactions.subset(_gone(interactions)), catalog)
    lone = store.save(only, metrics={}, data_fingerprint="x").version  # LATEST: only GONE
    report = forget_erased(store, _erasures(2e9, GONE))
    assert (report.rewritten, report.deleted) == ((kept,), (lone,))  # nobody left to fit on
    assert [v.version for v in store.versions()] == [kept]
    assert store.latest() == store.info(kept)  # LATEST moved to what remains
    assert [e["action"] for e in history(store)] == ["rewritten", "deleted"]


def test_a_damaged_version_is_deleted_when_erasures_are_checked(
    tmp_path: Path, interactions: Interactions, catalog: ItemCatalog
) -> None:
    store = ModelStore(tmp_path)
    damaged = _save(store, interactions, catalog, "popular")
    latest = _save(store, interactions, catalog, "popular")
    path = tmp_path / damaged / "model.pkl"
    path.write_bytes(path.read_bytes()[:-10])
    report = enforce(store, _erasures(1.0, "nobody"), keep=5)
    assert report.deleted == (damaged,) and [v.version for v in store.versions()] == [latest]


def test_unloadable_versions_are_reported_not_deleted(
    tmp_path: Path, interactions: Interactions, catalog: ItemCatalog
) -> None:
    store = ModelStore(tmp_path)
    version = _save(store, interactions, catalog, "popular")
    info = store.info(version)
    # an intact file holding a model whose code cannot be imported here (a missing
    # package, say): not checked, reported, and kept
    payload = pickle.dumps(_Unimportable(), protocol=5)
    (info.path / info.model_file).write_bytes(payload)
    meta = json.loads((info.path / "meta.json").read_text())
    meta["checksums"] = {info.model_file: hashlib.sha256(payload).hexdigest()}
    (info.path / "meta.json").write_text(json.dumps(meta))
    report = enforce(store, _erasures(1.0, "nobody"), keep=5)
    assert report.unchecked == (version,) and report.deleted == ()
    assert [v.version for v in store.versions()] == [version]
    assert history(store)[-1]["action"] == "unchecked"


class _Unimportable:
    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (_raise, ("no module named recmind_missing_plugin",))


def _raise(message: str) -> None:
    raise ModuleNotFoundError(message)
