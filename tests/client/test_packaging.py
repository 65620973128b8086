"""``pip install recmind`` gives the typed client without the heavy libraries.

recmind's wheel is built from this checkout and installed into a fresh virtual environment
together with exactly its base requirements and what they require in turn (copied from this
environment's installed files: no network). There ``from recmind.client import Client``
talks to a live server while ``import torch`` fails, and the ``recmind`` command says which
extra it needs instead of printing a traceback.
"""

from __future__ import annotations

import importlib.metadata
import json
import shutil
import subprocess
import sys
import textwrap
import threading
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from recmind.api.app import create_app
from recmind.config import Settings
from recmind.data.api_keys import create_key
from recmind.data.store import Store

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("torch", "lightgbm", "faiss", "sentence_transformers", "implicit", "llama_cpp")
"""What an engineer who only calls the API must not need."""
SECRET = "a-packaging-test-secret"


def run(*command: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(part) for part in command],
        cwd=cwd,
        check=False,
        capture_output=True,
        text=True,
        timeout=600,
    )


def build_wheel(tmp_path: Path) -> Path:
    """recmind's wheel, built from a copy of the sources (the checkout stays clean)."""
    source = tmp_path / "source"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, source / name)
    shutil.copytree(
        ROOT / "src", source / "src", ignore=shutil.ignore_patterns("__pycache__", "*.egg-info")
    )
    out = tmp_path / "wheels"
    done = run(
        sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
        "--no-index", "-w", out, source,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    (wheel,) = out.glob("recmind-*.whl")
    return wheel


def base_requirements(wheel: Path) -> list[Requirement]:
    """The wheel's requirements that no extra asks for."""
    with zipfile.ZipFile(wheel) as archive:
        (name,) = [n for n in archive.namelist() if n.endswith(".dist-info/METADATA")]
        metadata = archive.read(name).decode()
    requirements = [
        Requirement(line.split(":", 1)[1].strip())
        for line in metadata.splitlines()
        if line.startswith("Requires-Dist:")
    ]
    return [r for r in requirements if r.marker is None or r.marker.evaluate({"extra": ""})]


def closure(requirements: list[Requirement]) -> dict[str, importlib.metadata.Distribution]:
    """Every installed distribution these requirements need, recursively (extras of
    dependencies included where a requirement names them)."""
    found: dict[str, importlib.metadata.Distribution] = {}
    queue = [(r, "") for r in requirements]
    while queue:
        requirement, extra = queue.pop()
        if requirement.marker is not None and not requirement.marker.evaluate({"extra": extra}):
            continue
        key = canonicalize_name(requirement.name)
        if key in found and not requirement.extras:
            continue
        distribution = importlib.metadata.distribution(requirement.name)
        found[key] = distribution
        for line in distribution.requires or []:
            nested = Requirement(line)
            for wanted in requirement.extras or {""}:
                queue.append((nested, wanted))
    return found


def copy_installed(distribution: importlib.metadata.Distribution, site: Path) -> None:
    """The distribution's installed files (its RECORD) into ``site``."""
    for file in distribution.files or []:
        if file.parts[0] == ".." or "__pycache__" in file.parts:
            continue
        source = Path(str(distribution.locate_file(file)))
        if source.is_file():
            target = site / file
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)


@pytest.fixture
def client_only_python(tmp_path: Path) -> Path:
    """The python of a fresh venv holding recmind's wheel and its base requirements only."""
    wheel = build_wheel(tmp_path)
    names = {canonicalize_name(r.name) for r in base_requirements(wheel)}
    assert names == {"httpx", "pydantic"}, f"base requirements grew: {sorted(names)}"
    venv = tmp_path / "venv"
    assert run(sys.executable, "-m", "venv", "--without-pip", venv).returncode == 0
    python = venv / "bin" / "python"
    (site,) = (venv / "lib").glob("python3*/site-packages")
    for distribution in closure(base_requirements(wheel)).values():
        copy_installed(distribution, site)
    pip = [sys.executable, "-m", "pip", "--python", str(python)]
    done = run(*pip, "install", "--no-deps", "--no-index", "--disable-pip-version-check", wheel)
    assert done.returncode == 0, done.stdout + done.stderr
    check = run(*pip, "check", "--disable-pip-version-check")
    assert check.returncode == 0, f"the copied requirements are incomplete: {check.stdout}"
    return python


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, str]]:
    """A live recmind server (this environment's) and an API key for it."""
    settings = Settings(home=tmp_path / "home", api={"secret": SECRET}, encoder="minilm-onnx")
    store = Store.from_settings(settings)
    store.migrate()
    key = create_key(store, SECRET, ["ingest", "read"]).key
    config = uvicorn.Config(create_app(settings), host="127.0.0.1", port=0, log_level="warning")
    uvicorn_server = uvicorn.Server(config)
    thread = threading.Thread(target=uvicorn_server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not uvicorn_server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the server did not start"
        time.sleep(0.02)
    port = uvicorn_server.servers[0].sockets[0].getsockname()[1]
    yield f"http://127.0.0.1:{port}", key
    uvicorn_server.should_exit = True
    thread.join(timeout=30)
    store.close()


CLIENT_SCRIPT = """
    import importlib.util, json, sys

    from recmind.client import Client

    url, key = sys.argv[1], sys.argv[2]
    out = {}
    with Client(url, key) as api:
        out["health"] = api.health()
        out["title"] = api.put_item("sku-1", title="Rain jacket", price=59.0).title
        sent = api.send_events(
            [{"user_id": "u1", "item_id": "sku-1", "event_type": "view", "timestamp": 1732000000}]
        )
        out["accepted"] = sent.accepted
        out["user"] = api.get_user("u1").user_id
    try:
        import torch  # noqa: F401
        out["torch"] = "imported"
    except ModuleNotFoundError:
        out["torch"] = "missing"
    out["installed"] = [m for m in HEAVY if importlib.util.find_spec(m) is not None]
    out["imported"] = sorted({m.split(".")[0] for m in sys.modules} & {"pandas", "numpy"})
    print(json.dumps(out))
"""


def test_the_client_works_without_the_heavy_libraries(
    client_only_python: Path, server: tuple[str, str], tmp_path: Path
) -> None:
    script = tmp_path / "use_client.py"
    body = textwrap.dedent(CLIENT_SCRIPT).replace("HEAVY", repr(HEAVY))
    script.write_text(body, encoding="utf-8")
    url, key = server
    done = run(client_only_python, "-I", script, url, key)
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out == {
        "health": True,
        "title": "Rain jacket",
        "accepted": 1,
        "user": "u1",
        "torch": "missing",
        "installed": [],
        "imported": [],
    }
    command = run(client_only_python.with_name("recmind"), "--help")
    assert command.returncode == 2 and "Traceback" not in command.stderr
    assert "pip install 'recmind[all]'" in command.stderr


def test_importing_the_client_imports_no_server_library() -> None:
    """Even where everything is installed, the client loads only httpx and pydantic."""
    probe = (
        "import sys, recmind.client; "
        "print(' '.join(sorted({m.split('.')[0] for m in sys.modules})))"
    )
    done = run(sys.executable, "-c", probe)
    assert done.returncode == 0, done.stderr
    loaded = set(done.stdout.split())
    assert {"httpx", "pydantic", "recmind"} <= loaded
    server_side = {"pandas", "numpy", "sqlalchemy", "fastapi", "pydantic_settings", *HEAVY}
    assert loaded & server_side == set()
