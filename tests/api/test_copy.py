"""``POST /v1/copy/generate`` on a real server (SQLite and PostgreSQL): the template at
once without the model, the model's copy through a background job (202, then 200 with the
same request), mistakes as 422 naming them, the marketing scope required; and the typed
client waiting for it."""

from __future__ import annotations

import importlib.util
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from tests.api.conftest import LiveServer, make_settings, start_server
from tests.marketing.copy.shop import build_shop

from recmind.client import ApiError
from recmind.text.claims import check
from recmind.text.llm.gguf_assets import ModelAssetsMissingError, ensure_model
from recmind.text.llm.local import LocalGGUFGenerator


@pytest.fixture(scope="module")
def smollm(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalGGUFGenerator]:
    if importlib.util.find_spec("llama_cpp") is None:
        pytest.skip("llama-cpp-python is not installed")
    try:
        path = ensure_model("smollm2-135m", models_dir=tmp_path_factory.mktemp("llm"))
    except ModelAssetsMissingError as exc:
        pytest.skip(str(exc))
    model = LocalGGUFGenerator(path, n_ctx=2048, n_threads=1, seed=7)
    yield model
    model.close()


@pytest.fixture
def shop(tmp_path: Path, backend: str | None, smollm: LocalGGUFGenerator) -> Iterator[LiveServer]:
    live, running = start_server(
        make_settings(tmp_path / "home", backend), make_generator=lambda: smollm
    )
    build_shop(live.store)
    yield live
    running.stop()
    live.store.close()


def test_without_the_model_the_checked_template_at_once(shop: LiveServer) -> None:
    with shop.client("marketing") as client:
        answer = client.raw(
            "POST",
            "/v1/copy/generate",
            json={
                "type": "email",
                "user_id": "li",
                "offer": {"discount_percent": 15, "code": "WOOL15"},
                "llm": False,
            },
        )
        assert answer.status_code == 200, answer.text
        body = answer.json()
        assert body["source"] == "fallback" and body["language"] == "zh"
        assert "WOOL15" in body["parts"]["preheader"]
        assert all(c["supported"] for c in body["claims"])
        copy = client.generate_copy("ad", item_ids=["tee"], language="en", llm=False)
        assert copy.parts["headline1"] == "Organic Cotton Tee"


def test_the_model_writes_in_the_background(shop: LiveServer) -> None:
    request: dict[str, Any] = {"type": "push", "item_ids": ["sweater"], "language": "en"}
    with shop.client("marketing") as client:
        first = client.raw("POST", "/v1/copy/generate", json=request)
        assert first.status_code == 202, first.text
        job = first.json()
        assert job["kind"] == "copy" and first.headers["location"] == job["status_url"]
        deadline = time.monotonic() + 300
        with shop.client("read") as reader:
            while reader.raw("GET", job["status_url"]).json()["status"] in ("queued", "running"):
                assert time.monotonic() < deadline
                time.sleep(0.2)
        done = client.raw("POST", "/v1/copy/generate", json=request)
        assert done.status_code == 200, done.text
        body = done.json()
        assert body["source"] in ("llm", "fallback") and body["attempts"] >= 1
        facts = {
            "brand": "Harbor & Pine",
            "items": [
                {"item_id": "sweater", "title": "Merino Crew Sweater", "price": 89.0, "stock": 4}
            ],
            "policies": {"free_shipping_over": 75, "returns_days": 30},
        }
        assert check(body["parts"]["text"], facts).ok
        again = client.generate_copy("push", item_ids=["sweater"], language="en", timeout=300)
        assert again.parts == body["parts"]
        other = client.generate_copy("slogan", item_ids=["tee"], timeout=300, poll=0.2)
        assert other.source in ("llm", "fallback") and other.parts["text"]


def test_mistakes_and_scope(shop: LiveServer) -> None:
    with shop.client("marketing") as client:
        with pytest.raises(ApiError) as caught:
            client.generate_copy("ad", item_ids=["nope"], llm=False)
        assert caught.value.status == 422 and "no item 'nope'" in str(caught.value)
        bad = client.raw("POST", "/v1/copy/generate", json={"type": "poem"})
        assert bad.status_code == 422
        reply = client.raw("POST", "/v1/copy/generate", json={"type": "review-reply", "llm": False})
        assert reply.status_code == 422 and "review" in reply.text
        for field, value in [("user_id", "\x00"), ("review_id", "a\x00"), ("item_ids", ["\x00"])]:
            nul = client.raw("POST", "/v1/copy/generate", json={"type": "email", field: value})
            assert nul.status_code == 422, (field, nul.text)
            assert nul.json()["detail"][0]["loc"][:2] == ["body", field]
    with shop.client("read") as client:
        assert client.raw("POST", "/v1/copy/generate", json={"type": "slogan"}).status_code == 403
