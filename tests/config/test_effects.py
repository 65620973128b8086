"""Variables that do more than parse: each one changes what the program does.

``RECMIND_ENCODER`` picks the encoder that embeds text, ``RECMIND_LLM__MODEL`` (with
``MODELS_DIR``, ``N_CTX``, ``N_THREADS``, ``CACHE_DIR``) picks and shapes the model
``recmind generate`` runs, and ``RECMIND_API__HOST``/``PORT``/``SECRET``/``CORS_ORIGINS``
decide where and how ``recmind serve`` answers.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import numpy as np
import pytest

from recmind.config import get_settings
from recmind.text.embed import query_embeddings, resolve_encoder
from recmind.text.encoders import E5Encoder, OnnxMiniLMEncoder
from recmind.text.llm.cache import CachingGenerator
from recmind.text.llm.factory import create_generator
from recmind.text.llm.gguf_assets import MODELS
from recmind.text.llm.local import LocalGGUFGenerator

RECMIND = str(Path(sys.executable).with_name("recmind"))


@pytest.fixture
def environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    """A clean RECMIND_ environment (home in ``tmp_path``) for this process and its children;
    the cached process settings are rebuilt from it."""
    for name in list(os.environ):
        if name.startswith("RECMIND_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("RECMIND_HOME", str(tmp_path / "home"))
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def test_recmind_encoder_picks_the_encoder(
    environment: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RECMIND_ENCODER", "minilm-onnx")
    get_settings.cache_clear()
    onnx = resolve_encoder(None, cache=False)
    assert isinstance(onnx, OnnxMiniLMEncoder)
    english = query_embeddings(["a quiet film about the sea"])
    monkeypatch.setenv("RECMIND_ENCODER", "e5")
    get_settings.cache_clear()
    assert isinstance(resolve_encoder(None, cache=False), E5Encoder)
    multilingual = query_embeddings(["a quiet film about the sea"])
    assert english.shape == multilingual.shape == (1, 384)
    assert not np.allclose(english, multilingual), "both settings gave the same vectors"


def test_recmind_llm_model_picks_the_model(
    environment: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("RECMIND_LLM__MODEL", "smollm2-135m")
    monkeypatch.setenv("RECMIND_LLM__MODELS_DIR", str(tmp_path / "models"))
    monkeypatch.setenv("RECMIND_LLM__N_CTX", "512")
    monkeypatch.setenv("RECMIND_LLM__N_THREADS", "1")
    monkeypatch.setenv("RECMIND_LLM__CACHE_DIR", str(tmp_path / "generations"))
    get_settings.cache_clear()
    generator = create_generator(get_settings())
    assert isinstance(generator, CachingGenerator)
    assert generator.cache.root == tmp_path / "generations"
    local = generator.inner
    assert isinstance(local, LocalGGUFGenerator)
    assert local.model_id == f"smollm2-135m@{MODELS['smollm2-135m'].sha256[:16]}"
    assert (local.n_ctx, local.n_threads) == (512, 1)
    assert (tmp_path / "models").is_dir()  # the verified-file stamp lives there


@pytest.mark.llm
def test_recmind_generate_runs_the_configured_model(
    environment: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("RECMIND_LLM__MODEL", "smollm2")
    monkeypatch.setenv("RECMIND_LLM__MODELS_DIR", str(tmp_path / "models"))
    monkeypatch.setenv("RECMIND_LLM__N_THREADS", "1")
    monkeypatch.setenv("RECMIND_LLM__CACHE_DIR", str(tmp_path / "generations"))
    done = subprocess.run(
        [RECMIND, "generate", "Name a fruit.", "--max-tokens", "6", "--temperature", "0"],
        check=False,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert "model smollm2-135m" in " ".join(done.stderr.split())
    assert list((tmp_path / "generations").glob("*/*.json")), "nothing cached where configured"
    monkeypatch.setenv("RECMIND_LLM__MODEL", "qwen2.5-1.5b")
    refused = subprocess.run(
        [RECMIND, "generate", "Name a fruit."],
        check=False,
        capture_output=True,
        text=True,
        timeout=120,
    )
    message = " ".join(refused.stderr.split())
    assert refused.returncode == 1 and "Traceback" not in refused.stderr
    assert "unknown LLM model 'qwen2.5-1.5b'; the packaged models are: qwen2.5-coder-1.5b" in (
        message
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_recmind_serve_listens_where_the_api_settings_say(
    environment: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    port = free_port()
    monkeypatch.setenv("RECMIND_API__HOST", "127.0.0.1")
    monkeypatch.setenv("RECMIND_API__PORT", str(port))
    monkeypatch.setenv("RECMIND_API__SECRET", "a-real-secret-from-the-environment")
    monkeypatch.setenv("RECMIND_API__CORS_ORIGINS", '["https://shop.example"]')
    process = subprocess.Popen(
        [RECMIND, "serve"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    try:
        deadline = time.monotonic() + 120
        response = None
        while response is None:
            if process.poll() is not None:
                pytest.fail(
                    f"recmind serve exited: {process.stderr.read() if process.stderr else ''}"
                )
            assert time.monotonic() < deadline, "recmind serve did not answer in 120 s"
            try:
                response = httpx.get(
                    f"http://127.0.0.1:{port}/healthz",
                    headers={"Origin": "https://shop.example"},
                    timeout=1,
                )
            except httpx.TransportError:
                time.sleep(0.2)
        assert response.status_code == 200
        assert response.headers["access-control-allow-origin"] == "https://shop.example"
        other = httpx.get(
            f"http://127.0.0.1:{port}/healthz", headers={"Origin": "https://elsewhere.example"}
        )
        assert "access-control-allow-origin" not in other.headers
    finally:
        process.terminate()
        process.wait(timeout=30)
