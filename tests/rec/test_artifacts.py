"""Versioned model artefacts: save, list, load, roll back, and nothing half-written."""

from __future__ import annotations

import hashlib
import json
import re
import threading
from pathlib import Path

import numpy as np
import pytest

from recmind.rec.artifacts import ArtifactIntegrityError, ModelStore, data_fingerprint
from recmind.rec.base import Recommender
from recmind.rec.interactions import Interactions, ItemCatalog
from recmind.rec.registry import create_model


@pytest.fixture()
def fitted(interactions: Interactions, catalog: ItemCatalog) -> Recommender:
    return create_model("ease", {"l2": 10.0}, seed=2).fit(interactions, catalog)


def snapshot(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def test_save_and_load_give_identical_recommendations(
    tmp_path: Path, fitted: Recommender, interactions: Interactions
) -> None:
    store = ModelStore(tmp_path / "models")
    fingerprint = data_fingerprint(interactions)
    info = store.save(fitted, metrics={"ndcg@10": 0.07}, data_fingerprint=fingerprint)
    assert re.fullmatch(r"v0001-\d{8}T\d{6}Z", info.version)
    assert info.path == tmp_path / "models" / info.version
    assert (info.name, info.params, info.metrics) == (
        "ease",
        {"l2": 10.0, "dropout": 0.0},
        {"ndcg@10": 0.07},
    )
    assert (info.n_users, info.n_items) == (interactions.n_users, interactions.n_items)
    assert info.data_fingerprint == fingerprint and info.created_at.endswith("+00:00")
    loaded, loaded_info = store.load()
    assert loaded_info == info == store.latest()
    users = [*map(str, interactions.user_ids), "stranger"]
    before, after = fitted.recommend(users, k=7), loaded.recommend(users, k=7)
    np.testing.assert_array_equal(before.item_ids, after.item_ids)
    np.testing.assert_array_equal(before.scores, after.scores)
    meta = json.loads((info.path / "meta.json").read_text())
    assert meta["seed"] == 2 and meta["version"] == info.version


def test_versions_latest_and_rollback(tmp_path: Path, interactions: Interactions) -> None:
    store = ModelStore(tmp_path)
    assert store.latest() is None and store.versions() == []
    infos = [
        store.save(
            create_model(name, seed=1).fit(interactions), metrics={"i": i}, data_fingerprint="x"
        )
        for i, name in enumerate(["popular", "itemknn", "popular"])
    ]
    counters = [int(info.version[1:5]) for info in infos]
    assert counters == [1, 2, 3]
    assert [v.version for v in store.versions()] == [i.version for i in infos]
    assert store.latest() == infos[-1]
    assert (tmp_path / "LATEST").read_text().strip() == infos[-1].version

    store.set_latest(infos[1].version)
    model, info = store.load()
    assert info == infos[1] and model.name == "itemknn"
    older, older_info = store.load(infos[0].version)
    assert older_info == infos[0] and older.name == "popular"
    # a new save still gets a fresh, higher number and becomes the latest
    newest = store.save(model, metrics={}, data_fingerprint="x")
    assert newest.version.startswith("v0004-") and store.latest() == newest


def test_unknown_version_is_a_clear_error(tmp_path: Path, fitted: Recommender) -> None:
    store = ModelStore(tmp_path)
    with pytest.raises(FileNotFoundError, match="no model saved"):
        store.load()
    info = store.save(fitted, metrics={}, data_fingerprint="x")
    for bad in ("v9999-20260101T000000Z", "../etc", "LATEST"):
        with pytest.raises(ValueError, match=f"unknown model version.*{info.version}"):
            store.set_latest(bad)
        with pytest.raises(ValueError, match="unknown model version"):
            store.load(bad)
    assert store.latest() == info


def test_failed_save_leaves_nothing_visible(tmp_path: Path, fitted: Recommender) -> None:
    store = ModelStore(tmp_path)
    first = store.save(fitted, metrics={}, data_fingerprint="x")
    before = snapshot(tmp_path)
    fitted.lock_ = threading.Lock()  # type: ignore[attr-defined]  # cannot be pickled
    with pytest.raises(TypeError, match="pickle"):
        store.save(fitted, metrics={}, data_fingerprint="x")
    del fitted.lock_  # type: ignore[attr-defined]
    for metrics in ({"loss": float("nan")}, {"when": object()}):
        with pytest.raises((TypeError, ValueError)):
            store.save(fitted, metrics=metrics, data_fingerprint="x")
    assert snapshot(tmp_path) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["LATEST", first.version]
    assert store.versions() == [first] and store.latest() == first


def test_interrupted_save_is_invisible(tmp_path: Path, fitted: Recommender) -> None:
    """A crash leaves at most a hidden staging directory: never listed, never loaded."""
    store = ModelStore(tmp_path)
    first = store.save(fitted, metrics={}, data_fingerprint="x")
    staging = tmp_path / ".tmp-crashed"
    staging.mkdir()
    (staging / "model.pkl").write_bytes(b"\x80\x05half a pick")
    assert store.versions() == [first] and store.latest() == first
    second = store.save(fitted, metrics={}, data_fingerprint="x")
    assert second.version.startswith("v0002-")


def test_fingerprint_tracks_the_data(interactions: Interactions) -> None:
    fingerprint = data_fingerprint(interactions)
    assert re.fullmatch(r"[0-9a-f]{64}", fingerprint)
    assert data_fingerprint(interactions) == fingerprint
    fewer = interactions.subset(np.arange(len(interactions)) > 0)
    assert data_fingerprint(fewer) != fingerprint
    later = Interactions(
        interactions.user_ids,
        interactions.item_ids,
        interactions.user_index,
        interactions.item_index,
        interactions.timestamps + 1.0,
        interactions.weights,
    )
    assert data_fingerprint(later) != fingerprint
    renamed = Interactions(
        np.asarray([f"x{u}" for u in interactions.user_ids], dtype=object),
        interactions.item_ids,
        interactions.user_index,
        interactions.item_index,
        interactions.timestamps,
        interactions.weights,
    )
    assert data_fingerprint(renamed) != fingerprint


def _flip_byte(path: Path, offset: int) -> None:
    data = bytearray(path.read_bytes())
    data[offset] ^= 0x01
    path.write_bytes(bytes(data))


def test_publishing_writes_the_model_files_checksum(tmp_path: Path, fitted: Recommender) -> None:
    store = ModelStore(tmp_path)
    info = store.save(fitted, metrics={}, data_fingerprint="x")
    digest = hashlib.sha256((info.path / "model.pkl").read_bytes()).hexdigest()
    assert info.checksums == {"model.pkl": digest} and info.model_file == "model.pkl"
    assert json.loads((info.path / "meta.json").read_text())["checksums"] == info.checksums
    assert store.verify(info) is True


@pytest.mark.parametrize("damage", ["flip", "truncate"])
def test_a_changed_model_file_is_refused_by_name(
    tmp_path: Path, fitted: Recommender, damage: str
) -> None:
    store = ModelStore(tmp_path)
    good = store.save(fitted, metrics={}, data_fingerprint="x")
    bad = store.save(fitted, metrics={}, data_fingerprint="x")
    path = bad.path / "model.pkl"
    if damage == "flip":
        _flip_byte(path, path.stat().st_size // 2)
    else:
        path.write_bytes(path.read_bytes()[:-100])
    with pytest.raises(ArtifactIntegrityError, match=rf"{bad.version}: .*model\.pkl is not the"):
        store.load()
    with pytest.raises(ArtifactIntegrityError, match=bad.version):
        store.load(bad.version)
    model, info = store.load(good.version)  # the others still load
    assert info == good and model.name == fitted.name


def test_a_version_published_before_checksums_still_loads(
    tmp_path: Path, fitted: Recommender
) -> None:
    store = ModelStore(tmp_path)
    info = store.save(fitted, metrics={}, data_fingerprint="x")
    meta_path = info.path / "meta.json"
    meta = json.loads(meta_path.read_text())
    del meta["checksums"], meta["model_file"]
    meta_path.write_text(json.dumps(meta))
    model, loaded = store.load()
    assert loaded.checksums == {} and store.verify(loaded) is False
    assert model.name == fitted.name


def test_rewrite_keeps_the_version_and_switches_files_whole(
    tmp_path: Path, fitted: Recommender, interactions: Interactions
) -> None:
    store = ModelStore(tmp_path)
    first = store.save(fitted, metrics={"m": 1}, data_fingerprint="x")
    second = store.save(fitted, metrics={}, data_fingerprint="x")
    fewer = interactions.subset(interactions.user_index != 0)
    refit = create_model("ease", {"l2": 10.0}, seed=2).fit(fewer)
    note = {"at": "now", "reason": "erasure", "people": 1}
    info = store.rewrite(first.version, refit, data_fingerprint="y", note=note)
    assert (info.version, info.metrics, info.created_at) == (
        first.version,
        {"m": 1},
        first.created_at,
    )
    assert info.model_file == "model-r1.pkl" and info.rewrites == (note,)
    assert info.data_fingerprint == "y" and set(info.checksums) == {"model-r1.pkl"}
    assert sorted(p.name for p in info.path.iterdir()) == ["meta.json", "model-r1.pkl"]
    store.set_latest(first.version)  # a rollback to the rewritten version works
    model, loaded = store.load()
    assert loaded == info and model.seen_[0].nnz == 0
    assert store.latest() == info and store.info(second.version) == second


def test_delete_refuses_latest_and_removes_others(tmp_path: Path, fitted: Recommender) -> None:
    store = ModelStore(tmp_path)
    first = store.save(fitted, metrics={}, data_fingerprint="x")
    second = store.save(fitted, metrics={}, data_fingerprint="x")
    with pytest.raises(ValueError, match="is LATEST"):
        store.delete(second.version)
    store.delete(first.version)
    assert store.versions() == [second]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["LATEST", second.version]
