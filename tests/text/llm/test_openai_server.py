"""``RECMIND_LLM__BACKEND=openai`` against a real OpenAI-compatible server on loopback.

The server is llama-cpp-python's own (``python -m llama_cpp.server``) serving SmolLM2-135M.
Its access log is the proof that a request arrived: every completion it serves adds a
``POST /v1/chat/completions ... 200`` line.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pandas as pd
import pytest

from recmind.config import Settings
from recmind.data.bundle import DataBundle
from recmind.profiles.build import build_profile
from recmind.text.llm.factory import create_generator
from recmind.text.llm.openai_http import OpenAICompatibleGenerator

pytestmark = pytest.mark.llm

SERVED_NAME = "smollm2-on-loopback"
COMPLETION = re.compile(r'"POST /v1/chat/completions HTTP/1\.1" 200')


@dataclass(frozen=True)
class LlamaServer:
    base_url: str
    log: Path

    def completions(self) -> int:
        """Chat completions the server has answered so far."""
        return len(COMPLETION.findall(self.log.read_text(encoding="utf-8", errors="replace")))

    def wait_for_completions(self, count: int, timeout_s: float = 10.0) -> int:
        """The number of completions once it reaches ``count`` (or after ``timeout_s``): the
        access line is written when the streamed answer has been sent."""
        deadline = time.monotonic() + timeout_s
        while self.completions() < count and time.monotonic() < deadline:
            time.sleep(0.1)
        return self.completions()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def llama_server(
    smollm_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LlamaServer]:
    """llama-cpp-python's OpenAI-compatible server with SmolLM2, on a free loopback port."""
    for module in ("llama_cpp", "sse_starlette", "starlette_context"):
        if importlib.util.find_spec(module) is None:
            pytest.skip(f"{module} is not installed (`make` installs it from requirements.lock)")
    port = free_port()
    log = tmp_path_factory.mktemp("llama-server") / "server.log"
    command = [
        sys.executable,
        "-m",
        "llama_cpp.server",
        "--model",
        str(smollm_path),
        "--model_alias",
        SERVED_NAME,
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--n_ctx",
        "1024",
        "--n_threads",
        "1",
    ]
    with log.open("wb") as sink:
        process = subprocess.Popen(command, stdout=sink, stderr=subprocess.STDOUT)
    base_url = f"http://127.0.0.1:{port}/v1"
    try:
        deadline = time.monotonic() + 120
        while True:
            if process.poll() is not None:
                pytest.fail(f"llama_cpp.server exited early:\n{log.read_text()[-3000:]}")
            try:
                if httpx.get(f"{base_url}/models", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"llama_cpp.server did not start in 120 s:\n{log.read_text()[-3000:]}")
            time.sleep(0.25)
        yield LlamaServer(base_url, log)
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def recmind_env(home: Path, **llm: str) -> dict[str, str]:
    """This process's environment without any RECMIND_ variable, plus ``home`` and the
    given ``RECMIND_LLM__<NAME>`` values."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("RECMIND_")}
    env["RECMIND_HOME"] = str(home)
    env.update({f"RECMIND_LLM__{name.upper()}": value for name, value in llm.items()})
    return env


def recmind(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """The installed ``recmind`` command."""
    executable = Path(sys.executable).with_name("recmind")
    return subprocess.run(
        [str(executable), *args], check=False, env=env, capture_output=True, text=True, timeout=300
    )


def test_recmind_generate_reaches_the_configured_server(
    llama_server: LlamaServer, tmp_path: Path
) -> None:
    before = llama_server.completions()
    env = recmind_env(tmp_path, backend="openai", base_url=llama_server.base_url, model=SERVED_NAME)
    done = recmind(
        "generate", "Name one colour.", "--max-tokens", "12", "--temperature", "0", env=env
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip(), "the server answered no text"
    assert f"model {SERVED_NAME}" in " ".join(done.stderr.split())
    assert llama_server.wait_for_completions(before + 1) == before + 1
    # The same question again is answered from the generation cache, not the server.
    again = recmind(
        "generate", "Name one colour.", "--max-tokens", "12", "--temperature", "0", env=env
    )
    assert again.returncode == 0 and "(cached)" in again.stderr
    assert again.stdout == done.stdout
    assert llama_server.completions() == before + 1


def tiny_bundle() -> DataBundle:
    items = pd.DataFrame(
        {
            "item_id": ["1", "2", "3"],
            "title": ["Star Wars (1977)", "Return of the Jedi (1983)", "Fargo (1996)"],
            "category": ["Action|Sci-Fi", "Action|Sci-Fi", "Crime|Drama"],
        }
    )
    events = pd.DataFrame(
        {
            "event_id": ["e1", "e2", "e3"],
            "user_id": ["u1", "u1", "u1"],
            "item_id": ["1", "2", "3"],
            "event_type": "rating",
            "timestamp": [1.7e9, 1.7e9 + 86_400, 1.7e9 + 2 * 86_400],
            "value": [5.0, 4.0, 4.5],
        }
    )
    users = pd.DataFrame({"user_id": ["u1"], "attributes": [{}]})
    return DataBundle(name="tiny", items=items, users=users, events=events)


def test_a_portrait_through_the_settings_object_uses_the_server(
    llama_server: LlamaServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in recmind_env(
        tmp_path, backend="openai", base_url=llama_server.base_url, model=SERVED_NAME, cache="0"
    ).items():
        if name.startswith("RECMIND_"):
            monkeypatch.setenv(name, value)
    generator = create_generator(Settings())
    assert isinstance(generator, OpenAICompatibleGenerator)
    assert generator.base_url == llama_server.base_url and generator.model == SERVED_NAME
    before = llama_server.completions()
    profile = build_profile(tiny_bundle(), "u1", generator, max_attempts=2, max_tokens=24)
    attempts = len(profile.portrait_reports)
    assert attempts >= 1 and profile.portrait
    assert llama_server.wait_for_completions(before + attempts) == before + attempts


@pytest.mark.slow
def test_recmind_profile_writes_the_portrait_with_the_server(
    llama_server: LlamaServer, tmp_path: Path
) -> None:
    env = recmind_env(tmp_path, backend="openai", base_url=llama_server.base_url, model=SERVED_NAME)
    before = llama_server.completions()
    done = recmind("profile", "--dataset", "movielens-100k", "--user", "1", "--json", env=env)
    assert done.returncode == 0, done.stderr
    profile = json.loads(done.stdout)
    assert profile["user_id"] == "1" and profile["portrait"]
    assert llama_server.wait_for_completions(before + 1) > before


def test_an_unreachable_base_url_is_a_clear_error(tmp_path: Path) -> None:
    env = recmind_env(
        tmp_path, backend="openai", base_url=f"http://127.0.0.1:{free_port()}/v1", model="m"
    )
    done = recmind("generate", "hello", "--max-tokens", "4", env=env)
    assert done.returncode == 1
    message = " ".join(done.stderr.split())
    assert "error: cannot reach http://127.0.0.1:" in message and "Connection refused" in message
    assert "Traceback" not in done.stderr + done.stdout
