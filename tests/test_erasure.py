"""Erasure everywhere, end to end, on SQLite and on PostgreSQL: import a shop with one
distinctive person, train and publish, serve (a real ``recmind serve`` process), write
their portrait with a real language model (SmolLM2) through the API, ask for their
recommendations with reasons, write generated texts about them from the command line,
erase them through the API, restart the server, retrain through the API; then search every
byte of the database files (SQLite; PostgreSQL through SQL) and of RECMIND_HOME, and every
API that could return them: nothing."""

from __future__ import annotations

import importlib.util
import os
import pickle
import signal
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
from sqlalchemy import inspect, text
from tests.serving.shop import HOUR, START, shop_events, shop_items

from recmind.client import Client
from recmind.data.store import Store
from recmind.text.llm.gguf_assets import ModelAssetsMissingError, ensure_model

RECMIND = str(Path(sys.executable).parent / "recmind")
PERSON = "zq-erase-person-5831"
EMAIL = "zq5831.erasable@example.net"
SECRET = "an-end-to-end-erasure-secret-not-the-default"
ENCODINGS = ("utf-8", "utf-16-le", "utf-32-le")
"""How an id can sit in a file: text and pickled str (UTF-8), numpy unicode (UTF-32)."""


@dataclass
class Home:
    """One installation: its folder, environment and store URL (None: SQLite)."""

    root: Path
    env: dict[str, str]
    db_url: str | None

    def run(self, *args: str, timeout: float = 900) -> str:
        done = subprocess.run(
            [RECMIND, *args],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        assert done.returncode == 0, f"recmind {' '.join(args)}:\n{done.stdout}\n{done.stderr}"
        return done.stdout

    def store(self) -> Store:
        url = self.db_url or f"sqlite:///{self.root / 'recmind.db'}"
        return Store.from_url(url)


@pytest.fixture(params=["sqlite", pytest.param("pg", marks=pytest.mark.pg)])
def home(
    request: pytest.FixtureRequest, tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> Home:
    if importlib.util.find_spec("llama_cpp") is None:
        pytest.skip("llama-cpp-python is not installed")
    try:
        model = ensure_model("smollm2-135m", models_dir=tmp_path_factory.mktemp("llm"))
    except ModelAssetsMissingError as exc:
        pytest.skip(f"SmolLM2 is not installed: {exc}")
    db_url: str | None = None
    if request.param == "pg":
        db_url = request.getfixturevalue("pg_url")
    env = {k: v for k, v in os.environ.items() if not k.startswith("RECMIND_")}
    env.update(
        RECMIND_HOME=str(tmp_path / "home"),
        RECMIND_API__SECRET=SECRET,
        RECMIND_ENCODER="minilm-onnx",
        RECMIND_LLM__MODEL_PATH=str(model),
        RECMIND_LLM__N_THREADS="1",
        RECMIND_SERVING__RELOAD_SECONDS="1",
        COLUMNS="200",
    )
    if db_url:
        env["RECMIND_DB_URL"] = db_url
    return Home(tmp_path / "home", env, db_url)


def _write_dataset(folder: Path) -> dict[str, Path]:
    """The shop, plus PERSON (row with email, six purchases, a review)."""
    folder.mkdir(parents=True)
    events = shop_events()
    person = pd.DataFrame(
        {
            "event_id": [f"zq{n}" for n in range(6)],
            "user_id": [PERSON] * 6,
            "item_id": ["b00", "b01", "b02", "b03", "m00", "m01"],
            "event_type": ["purchase"] * 6,
            "timestamp": [START + (300 + n) * HOUR for n in range(6)],
            "value": [None] * 6,
        }
    )
    users = pd.DataFrame(
        {
            "user_id": [PERSON, *sorted(set(events["user_id"]))],
            "email": [EMAIL] + [None] * events["user_id"].nunique(),
            "consent_email": [True] + [None] * events["user_id"].nunique(),
        }
    )
    reviews = pd.DataFrame(
        {
            "review_id": ["zq-r1"],
            "user_id": [PERSON],
            "item_id": ["b00"],
            "rating": [5.0],
            "text": ["Bakes well, zq5831 approves"],
            "timestamp": [START + 310 * HOUR],
        }
    )
    files = {
        "items": shop_items().drop(columns=["attributes"]),
        "users": users,
        "events": pd.concat([events, person], ignore_index=True),
        "reviews": reviews,
    }
    paths = {}
    for name, frame in files.items():
        paths[name] = folder / f"{name}.csv"
        frame.to_csv(paths[name], index=False)
    return paths


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    url: str

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        self.process.communicate(timeout=60)


def _serve(home: Home) -> Server:
    """``recmind serve`` on a free port, once it serves a model."""
    port = _free_port()
    process = subprocess.Popen(
        [RECMIND, "serve", "--port", str(port), "--log-level", "warning"],
        env=home.env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(process.stderr.read().decode() if process.stderr else "died")
        try:
            if httpx.get(f"{url}/readyz", timeout=2).status_code == 200:
                return Server(process, url)
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    process.kill()
    raise AssertionError("the server did not become ready")


@pytest.fixture
def servers() -> Iterator[list[Server]]:
    started: list[Server] = []
    yield started
    for server in started:
        if server.process.poll() is None:
            server.process.kill()
            server.process.wait(timeout=30)


def _files_naming(root: Path) -> list[str]:
    needles = [s.encode(c) for s in (PERSON, EMAIL) for c in ENCODINGS]
    return sorted(
        str(p.relative_to(root))
        for p in root.rglob("*")
        if p.is_file() and any(n in p.read_bytes() for n in needles)
    )


def _pickled_ids(root: Path) -> set[str]:
    """Every user id inside every model artefact, unpickled (not only as bytes)."""
    found: set[str] = set()
    for path in (root / "models").glob("v*/model*.pkl"):
        with open(path, "rb") as handle:
            model = pickle.load(handle)
        found.update(str(u) for u in model.interactions_.user_ids)
    return found


def _rows_naming(store: Store) -> dict[str, int]:
    found: dict[str, int] = {}
    with store.engine.connect() as connection:
        for table in inspect(connection).get_table_names():
            rows = connection.execute(text(f'SELECT * FROM "{table}"')).all()
            hits = sum(any(s in str(cell) for s in (PERSON, EMAIL) for cell in row) for row in rows)
            if hits:
                found[table] = hits
    return found


def _wait_for_job(client: Client, job_id: str) -> str:
    deadline = time.monotonic() + 900
    while time.monotonic() < deadline:
        job = client.job(job_id)
        if job.status != "running":
            assert job.status == "succeeded", job.error
            assert job.version is not None
            return job.version
        time.sleep(1)
    raise AssertionError("training did not finish")


@pytest.mark.slow
@pytest.mark.llm
def test_after_erase_restart_and_retrain_nothing_is_left(
    home: Home, tmp_path: Path, servers: list[Server]
) -> None:
    files = _write_dataset(tmp_path / "data")
    home.run(
        "import",
        *("--items", str(files["items"]), "--users", str(files["users"])),
        *("--events", str(files["events"]), "--reviews", str(files["reviews"])),
    )
    home.run("train")  # the default model, published as v0001
    key = home.run("keys", "create", "--scope", "admin", "--scope", "read").strip()

    servers.append(_serve(home))
    with Client(servers[-1].url, key, timeout=900.0) as client:
        profile = client.profile(PERSON, generate=True)
        assert profile.n_events == 7  # six purchases and a review
        if profile.portrait_source == "llm":  # the 135M model passed the grounding check
            assert list((home.root / "cache" / "portraits").glob("*.json"))
        listed = client.recommend(PERSON, k=5, explain=True)
        assert listed.personalized and all(i.reason for i in listed.items)
        assert client.export_user(PERSON).user is not None
    # generated texts about them from the command line too (the generation cache)
    home.run("profile", "--user", PERSON)
    home.run("explain", "--user", PERSON, "--k", "2", "--sentence")
    assert _files_naming(home.root)  # the store, the models (and caches) hold them
    assert PERSON in _pickled_ids(home.root)
    llm_cache = home.root / "cache" / "llm"
    assert list(llm_cache.glob("*/*.json")), "the CLI wrote no generation"

    with Client(servers[-1].url, key) as client:
        erased = client.erase_user(PERSON)
    assert (erased.user_row, erased.events, erased.reviews) == (True, 6, 1)
    assert not list(llm_cache.glob("*/*.json"))  # every generation held their data

    servers[-1].stop()
    servers.append(_serve(home))  # restarted: only the tombstone remembers
    with Client(servers[-1].url, key, timeout=60.0) as client:
        before = client.recommend(PERSON, k=5)
        assert not before.personalized  # v0001 holds them; it is not used
        job_id = client.train().job_id
        version = _wait_for_job(client, job_id)
        deadline = time.monotonic() + 60
        while client.models().served != version and time.monotonic() < deadline:
            time.sleep(0.5)
        assert client.models().served == version

        # every API that could hold them
        for path in (
            f"/v1/users/{PERSON}",
            f"/v1/users/{PERSON}/profile",
            f"/v1/users/{PERSON}/export",
        ):
            assert client.raw("GET", path).status_code == 404, path
        assert client.raw("DELETE", f"/v1/users/{PERSON}").status_code == 404
        after = client.recommend(PERSON, k=5, explain=True)
        assert not after.personalized
        assert [i.item_id for i in after.items] == [
            i.item_id for i in client.recommend("never-seen-anyone", k=5).items
        ]
        for path in ("/v1/admin/models", f"/v1/admin/jobs/{job_id}", "/metrics", "/readyz"):
            body = client.raw("GET", path).text
            assert PERSON not in body and EMAIL not in body, path
    servers[-1].stop()

    assert _files_naming(home.root) == []
    assert PERSON not in _pickled_ids(home.root)
    with home.store() as store:
        assert _rows_naming(store) == {}
    models = home.run("models", "list")
    assert "refitted without 1 erased people" in models  # v0001, the rollback target
