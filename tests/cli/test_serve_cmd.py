"""``recmind serve``: refuses the default secret outside development mode; otherwise serves,
logging as JSON which store and model version it serves."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
from typer.testing import CliRunner

from recmind.cli.main import app
from recmind.config import Settings

RECMIND = str(Path(sys.executable).parent / "recmind")


def test_refuses_to_start_with_the_default_secret(settings: Settings) -> None:
    result = CliRunner().invoke(app, ["serve", "--port", "1"], env={"COLUMNS": "200"})
    assert result.exit_code == 2
    assert "refusing to start" in result.stderr
    assert "RECMIND_API__SECRET" in result.stderr


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def test_serves_in_dev_mode_and_logs_json(tmp_path: Path) -> None:
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("RECMIND_")}
    env.update(RECMIND_HOME=str(tmp_path / "home"), RECMIND_API__DEV_MODE="true")
    process = subprocess.Popen(
        [RECMIND, "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 120
        status = None
        while time.monotonic() < deadline and status != 200:
            assert process.poll() is None, process.stderr.read() if process.stderr else ""
            try:
                status = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code
            except httpx.HTTPError:
                time.sleep(0.2)
        assert status == 200
        response = httpx.get(
            f"http://127.0.0.1:{port}/v1/items", headers={"X-Request-ID": "cli-check"}
        )
        assert response.status_code == 401
    finally:
        process.send_signal(signal.SIGTERM)
        _, err = process.communicate(timeout=60)
    lines = [json.loads(line) for line in err.decode().splitlines() if line.startswith("{")]
    ready = next(line for line in lines if line["msg"] == "recmind API ready")
    assert ready["store"].startswith("sqlite:///") and ready["store"].endswith("recmind.db")
    assert ready["model_version"] is None  # nothing published yet: said plainly
    access = next(line for line in lines if line.get("request_id") == "cli-check")
    assert (access["route"], access["status"], access["method"]) == ("/v1/items", 401, "GET")
    # A graceful stop on SIGTERM (uvicorn re-raises the signal once it has shut down).
    assert any(line["msg"] == "Application shutdown complete." for line in lines)
    assert process.returncode in (0, -signal.SIGTERM)
