"""Hot swap and rollback: a version published by another writer is served within the
reload interval, and no request fails or mixes versions while it happens."""

from __future__ import annotations

import threading
import time

import pytest
from tests.serving.shop import publish

from recmind.config import Settings
from recmind.data.store import Store
from recmind.rec.artifacts import ArtifactIntegrityError, ModelStore
from recmind.serving.engine import ServingEngine


def wait_for(predicate: object, timeout: float = 15.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():  # type: ignore[operator]
            return True
        time.sleep(0.05)
    return False


def test_no_request_fails_while_a_new_version_is_published(
    engine: ServingEngine, shop_settings: Settings, shop_store: Store
) -> None:
    """The new version's cache is warmed in a child process (the default), as in a server."""
    engine.settings = shop_settings.model_copy(
        update={"serving": shop_settings.serving.model_copy(update={"warm_in_child": True})}
    )
    first = engine.version
    seen: list[tuple[str, str]] = []
    failures: list[BaseException] = []
    stop = threading.Event()

    def load() -> None:
        while not stop.is_set():
            try:
                result = engine.recommend("b-user01", k=5)
                assert len(result.items) == 5
                seen.append((result.model, result.version))
            except BaseException as exc:  # every failure counts
                failures.append(exc)

    thread = threading.Thread(target=load)
    thread.start()
    try:
        time.sleep(0.2)
        info = publish(shop_store, shop_settings, "itemknn")  # another writer publishes
        assert wait_for(lambda: engine.version == info.version)
        time.sleep(0.2)
    finally:
        stop.set()
        thread.join()
    assert not failures, failures[:3]
    assert ("ease", first) in seen and ("itemknn", info.version) in seen
    # one model per answer, and never back once the new one served
    switch = seen.index(("itemknn", info.version))
    assert all(v == info.version for _, v in seen[switch:])
    assert all(v == first for _, v in seen[:switch])
    state = engine.state
    assert state is not None and len(state.resources.cache) >= 30  # warmed by the child


def test_rollback_by_the_registry_is_picked_up(
    engine: ServingEngine, shop_settings: Settings, shop_store: Store
) -> None:
    first = engine.version
    assert first is not None
    second = publish(shop_store, shop_settings, "popular")
    assert wait_for(lambda: engine.version == second.version)
    ModelStore(shop_settings.models_dir).set_latest(first)  # what `recmind models use` does
    assert wait_for(lambda: engine.version == first)
    assert engine.model_name == "ease"


def test_use_version_serves_at_once_and_moves_latest(
    engine: ServingEngine, shop_settings: Settings, shop_store: Store
) -> None:
    engine.stop()  # only the explicit call may change the version here
    first = engine.version
    assert first is not None
    second = publish(shop_store, shop_settings, "popular")
    assert engine.version == first
    engine.use_version(second.version)
    assert engine.version == second.version and engine.model_name == "popular"
    engine.use_version(first)
    assert engine.version == first
    assert ModelStore(shop_settings.models_dir).latest().version == first  # type: ignore[union-attr]
    with pytest.raises(ValueError, match="unknown model version"):
        engine.use_version("v9999-20260101T000000Z")
    assert engine.version == first


def test_a_broken_version_keeps_the_current_one(
    engine: ServingEngine, shop_settings: Settings, shop_store: Store
) -> None:
    """A version whose file cannot be loaded is logged and skipped; serving goes on (it is
    retried with back-off: tests/serving/test_lifecycle.py)."""
    first = engine.version
    second = publish(shop_store, shop_settings, "popular")
    engine.stop()
    (second.path / "model.pkl").write_bytes(b"not a pickle")
    with pytest.raises(Exception):  # noqa: B017 - whatever unpickling raises
        engine.reload()
    assert engine.version == first
    assert engine.reload() is False  # not retried before its back-off has passed
    assert len(engine.recommend("b-user00", k=3).items) == 3


def test_a_tampered_version_is_refused_by_name_and_the_current_one_kept(
    engine: ServingEngine, shop_settings: Settings, shop_store: Store
) -> None:
    """One flipped byte in a published model file: the checksum written at publish time
    refuses it before unpickling, naming the version and the file."""
    first = engine.version
    second = publish(shop_store, shop_settings, "popular")
    engine.stop()
    path = second.path / "model.pkl"
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))
    with pytest.raises(ArtifactIntegrityError, match=rf"{second.version}: .*model\.pkl"):
        engine.reload()
    assert engine.version == first
    assert len(engine.recommend("b-user00", k=3).items) == 3
    with pytest.raises(ArtifactIntegrityError, match=second.version):
        engine.use_version(second.version)  # a rollback to it is refused too
    assert engine.version == first
