"""``POST /v1/segments/draft`` over a real server on loopback, through the typed client:
the marketing scope, a 422 naming the text, a 503 when no model can be had, and a real
(smallest) model's draft coming back validated with its live count."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from tests.api.conftest import SECRET, LiveServer, start_server
from tests.marketing.drafting import shop

from recmind.client import ApiError
from recmind.config import Settings
from recmind.marketing.segments.preview import count_members
from recmind.marketing.segments.repository import check_for, rules_lookup


def _server(home: Path, model: str) -> tuple[LiveServer, Any]:
    settings = Settings(
        home=home,
        api={"secret": SECRET, "key_cache_seconds": 1.0},
        encoder="minilm-onnx",
        llm={"model": model, "n_threads": 1, "models_dir": home / "llm"},
    )
    return start_server(settings)


@pytest.fixture
def no_model(tmp_path: Path) -> Iterator[LiveServer]:
    """A server whose configured model's packages are not installed."""
    server, running = _server(tmp_path / "home", "qwen2.5-coder-0.5b")
    yield server
    running.stop()
    server.store.close()


def test_drafting_needs_the_marketing_scope_and_a_text(no_model: LiveServer) -> None:
    with no_model.client("read") as client, pytest.raises(ApiError) as caught:
        client.draft_segment("anyone")
    assert caught.value.status == 403
    with no_model.client("marketing") as client, pytest.raises(ApiError) as caught:
        client.draft_segment("")
    assert caught.value.status == 422
    assert caught.value.detail[0]["loc"] == ["body", "text"]


def test_no_model_is_a_503_saying_so(no_model: LiveServer) -> None:
    with no_model.client("marketing") as client, pytest.raises(ApiError) as caught:
        client.draft_segment("customers who agreed to receive emails")
    assert caught.value.status == 503
    assert "no language model to draft with" in str(caught.value.detail)


@pytest.mark.llm
def test_a_real_draft_comes_back_validated_with_its_count(tmp_path: Path) -> None:
    server, running = _server(tmp_path / "home", "smollm2-135m")
    try:
        shop.fill(server.store)
        with server.client("marketing", timeout=600) as client:
            drafted = client.draft_segment(
                "customers who bought comedies in the last 30 days", as_of=shop.AS_OF
            )
        rule = check_for(server.store, drafted.rule)
        assert drafted.count == count_members(
            server.store, rule, as_of=shop.AS_OF, rules_of=rules_lookup(server.store)
        )
        assert drafted.in_words and drafted.attempts in (1, 2)
        assert drafted.model.startswith("smollm2")
    finally:
        running.stop()
        server.store.close()


def test_the_api_and_the_drafter_accept_the_same_request_length() -> None:
    from recmind.api import schemas_drafting
    from recmind.marketing.drafting import draft

    assert schemas_drafting.MAX_REQUEST_CHARS == draft.MAX_REQUEST_CHARS
