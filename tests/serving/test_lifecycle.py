"""A version that fails to load is retried with exponential back-off (capped) while the
previous one keeps serving, and the failure is reported until it loads."""

from __future__ import annotations

import time

import pytest
from tests.serving.shop import publish

from recmind.config import Settings
from recmind.data.store import Store
from recmind.rec.artifacts import ModelStore
from recmind.serving.engine import ServingEngine
from recmind.serving.lifecycle import retry_delay


def test_retry_delay_doubles_up_to_the_cap() -> None:
    assert [retry_delay(n, 5.0, 300.0) for n in (1, 2, 3, 6, 7)] == [5, 10, 20, 160, 300]
    assert retry_delay(10_000, 5.0, 300.0) == 300.0  # no overflow after many failures


def test_a_broken_version_is_retried_with_back_off(
    shop_settings: Settings, shop_store: Store
) -> None:
    serving = shop_settings.serving.model_copy(
        update={"load_retry_seconds": 0.4, "load_retry_max_seconds": 0.6}
    )
    settings = shop_settings.model_copy(update={"serving": serving})
    first = publish(shop_store, settings, "ease")
    engine = ServingEngine(settings, shop_store)  # not started: reloads are driven here
    assert engine.reload() and engine.version == first.version
    second = publish(shop_store, settings, "popular")
    artefact = second.path / "model.pkl"
    good = artefact.read_bytes()
    artefact.write_bytes(b"not a pickle")

    before = time.time()
    with pytest.raises(Exception):  # noqa: B017 - whatever unpickling raises
        engine.reload()
    failure = engine.load_failure
    assert failure is not None
    assert (failure.version, failure.attempts) == (second.version, 1)
    assert failure.error.startswith("ArtifactIntegrityError")  # the checksum refuses it
    assert before + 0.3 < failure.next_retry_at < time.time() + 0.5
    assert engine.reload() is False  # inside the back-off: not tried
    assert engine.version == first.version
    assert len(engine.recommend("b-user00", k=3).items) == 3  # the previous one serves

    time.sleep(0.45)
    with pytest.raises(Exception):  # noqa: B017
        engine.reload()
    again = engine.load_failure
    assert again is not None and again.attempts == 2
    assert again.next_retry_at - time.time() == pytest.approx(0.6, abs=0.15)  # capped

    artefact.write_bytes(good)  # repaired: the next try loads it
    time.sleep(0.65)
    assert engine.reload() is True
    assert engine.version == second.version and engine.load_failure is None


def test_latest_moving_on_clears_the_failure(shop_settings: Settings, shop_store: Store) -> None:
    first = publish(shop_store, shop_settings, "ease")
    engine = ServingEngine(shop_settings, shop_store)
    assert engine.reload()
    second = publish(shop_store, shop_settings, "popular")
    (second.path / "model.pkl").write_bytes(b"not a pickle")
    with pytest.raises(Exception):  # noqa: B017
        engine.reload()
    assert engine.load_failure is not None
    ModelStore(shop_settings.models_dir).set_latest(first.version)  # rolled back
    assert engine.reload() is False
    assert engine.load_failure is None and engine.version == first.version
