"""``recmind users erase`` end to end through the real command: erase, train again, and
nothing of the person is left under RECMIND_HOME (database files and model versions
included); a tampered model file is refused with its version and file named."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from tests.serving.shop import HOUR, START, shop_events, shop_items
from typer.testing import CliRunner

from recmind.cli.main import app
from recmind.config import Settings, get_settings
from recmind.data.bundle import DataBundle
from recmind.data.importer import import_bundle
from recmind.data.store import Store
from recmind.rec.artifacts import ModelStore

PERSON = "cli-erase-7Q2xw"
EMAIL = "q2xw.person@example.org"


def run(*args: str, stdin: str | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args), input=stdin, env={"COLUMNS": "200"})
    return result.exit_code, result.output


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Settings]:
    """A home with the shop and PERSON (row, email and five purchases) imported."""
    monkeypatch.setenv("RECMIND_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("RECMIND_API__SECRET", "a-long-random-cli-test-secret")
    monkeypatch.delenv("RECMIND_DB_URL", raising=False)
    get_settings.cache_clear()
    settings = get_settings()
    person = pd.DataFrame(
        {
            "user_id": [PERSON] * 5,
            "item_id": ["b00", "b01", "b02", "c00", "m00"],
            "event_type": ["purchase"] * 5,
            "timestamp": [START + n * HOUR for n in range(5)],
            "event_id": [f"p{n}" for n in range(5)],
            "value": [None] * 5,
        }
    )
    users = pd.DataFrame({"user_id": [PERSON], "email": [EMAIL], "created_at": [START]})
    bundle = DataBundle(
        name="shop",
        items=shop_items(),
        users=users,
        events=pd.concat([shop_events(), person], ignore_index=True),
    )
    with Store.from_settings(settings) as store:
        store.migrate()
        import_bundle(store, bundle, quarantine_dir=settings.quarantine_dir, settings=settings)
    yield settings
    get_settings.cache_clear()


def files_naming(root: Path, *needles: str) -> list[str]:
    """Files under ``root`` holding any needle (UTF-8, or UTF-32 as numpy stores text)."""
    patterns = [n.encode(c) for n in needles for c in ("utf-8", "utf-32-le")]
    return sorted(
        str(p.relative_to(root))
        for p in root.rglob("*")
        if p.is_file() and any(x in p.read_bytes() for x in patterns)
    )


def test_erase_then_train_leaves_nothing(home: Settings) -> None:
    for _ in range(3):
        code, output = run("train", "--model", "popular")
        assert code == 0, output
    assert files_naming(home.home, PERSON, EMAIL)  # the store and every version hold them

    code, output = run("users", "erase", PERSON, stdin="n\n")
    assert code == 1 and "Erase everything" in output  # asked, declined: nothing changed
    code, output = run("users", "erase", PERSON, "--yes")
    assert code == 0, output
    assert "5 events" in output and "user row yes" in output
    assert files_naming(home.home, PERSON, EMAIL) == ["models/" + p for p in _model_files(home)]

    code, output = run("recommend", "--user", PERSON)  # the old model no longer uses them
    assert code == 0 and "unknown user" in output, output
    code, output = run("explain", "--user", PERSON)
    assert code == 1 and "was erased" in output and "b00" not in output, output

    code, output = run("train", "--model", "popular")
    assert code == 0, output
    assert "rewritten without erased people" in output
    assert files_naming(home.home, PERSON, EMAIL) == []
    versions = ModelStore(home.models_dir).versions()
    assert len(versions) == 4 and all(v.rewrites for v in versions[:3])
    code, output = run("models", "list")
    assert code == 0 and "refitted without 1 erased people" in output

    code, output = run("users", "erase", PERSON, "--yes")
    assert code == 1 and "nothing is stored" in output


def _model_files(settings: Settings) -> list[str]:
    models = ModelStore(settings.models_dir)
    return sorted(f"{v.version}/{v.model_file}" for v in models.versions())


def test_retention_keeps_n_versions(home: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RECMIND_MODELS__KEEP_VERSIONS", "2")
    get_settings.cache_clear()
    for _ in range(3):
        code, output = run("train", "--model", "popular")
        assert code == 0, output
    assert "pruned (retention): v0001" in output
    assert [v.version[:5] for v in ModelStore(home.models_dir).versions()] == ["v0002", "v0003"]
    code, output = run("models", "list")
    assert "pruned" in output and "v0001" in output


def test_a_tampered_model_is_refused(home: Settings) -> None:
    code, output = run("train", "--model", "popular")
    assert code == 0, output
    (info,) = ModelStore(home.models_dir).versions()
    path = info.path / info.model_file
    data = bytearray(path.read_bytes())
    data[len(data) // 3] ^= 0x10
    path.write_bytes(bytes(data))
    code, output = run("recommend", "--user", "b-user00")
    assert code == 2
    assert info.version in output and "model.pkl" in output and "is not the file" in output
    code, output = run("models", "use", info.version)
    assert code == 2 and info.version in output
    code, output = run("models", "list")
    assert code == 0 and "DAMAGED" in output


def test_erase_refuses_the_built_in_secret(home: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("RECMIND_API__SECRET")
    get_settings.cache_clear()
    code, output = run("users", "erase", PERSON, "--yes")
    assert code == 2 and "RECMIND_API__SECRET" in output
