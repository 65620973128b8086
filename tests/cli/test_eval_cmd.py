"""``recmind eval`` on a bundled dataset and on a SQLite store."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import typer
from typer.testing import CliRunner

from recmind.cli import eval_cmd
from recmind.config import get_settings
from recmind.data.bundle import DataBundle
from recmind.data.importer import import_bundle
from recmind.data.store import Store
from recmind.rec.registry import available_models


@pytest.fixture
def app() -> typer.Typer:
    """A CLI group holding just the eval command, registered the way main.py does it."""
    group = typer.Typer()

    @group.callback()
    def root() -> None:
        """recmind (eval only)."""

    eval_cmd.register(group)
    return group


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("RECMIND_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("RECMIND_DB_URL", raising=False)
    get_settings.cache_clear()
    yield tmp_path / "home"
    get_settings.cache_clear()


def run(app: typer.Typer, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["eval", *args], env={"COLUMNS": "160"})
    return result.exit_code, result.output


def sqlite_store(path: Path) -> str:
    """A SQLite store holding a small synthetic catalogue and event log, written through
    the real importer."""
    rng = np.random.default_rng(0)
    n_users, n_items, n_events = 50, 30, 800
    weights = np.arange(n_items, 0, -1, dtype=np.float64)
    items = pd.DataFrame(
        {
            "item_id": [f"i{j}" for j in range(n_items)],
            "title": [f"Item {j}" for j in range(n_items)],
            "category": rng.choice(["a", "b", "a|b", "c"], size=n_items),
        }
    )
    events = pd.DataFrame(
        {
            "event_id": [f"e{n}" for n in range(n_events)],
            "user_id": [f"u{u}" for u in rng.integers(0, n_users, n_events)],
            "item_id": [f"i{j}" for j in rng.choice(n_items, n_events, p=weights / weights.sum())],
            "event_type": rng.choice(["view", "purchase"], size=n_events),
            "timestamp": 1.7e9 + rng.integers(0, 10_000, n_events) * 60.0,
        }
    ).drop_duplicates(["user_id", "item_id", "event_type", "timestamp"])
    url = f"sqlite:///{path}"
    with Store.from_url(url) as store:
        store.migrate()
        bundle = DataBundle(name="shop", items=items, events=events)
        import_bundle(store, bundle, quarantine_dir=path.parent / "quarantine")
        assert store.counts()["events"] == len(events)
    return url


def test_dataset_with_alias_json_and_reports(app: typer.Typer, home: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.json"
    code, output = run(
        app, "--dataset", "movielens-100k", "--models", "pop", "--k", "5,10", "--json", str(out)
    )
    assert code == 0, output
    data = json.loads(out.read_text())
    assert (data["dataset"], data["protocol"], data["k"]) == ("movielens-100k", "loo", [5, 10])
    assert list(data["models"]) == ["pop"]
    pop = data["models"]["pop"]
    for key in ("hr@10", "ndcg@10", "mrr@10", "recall@10", "coverage", "fit_seconds"):
        assert key in pop
    assert pop["users_evaluated"] == 943
    assert 0.02 < pop["ndcg@10"] < 0.06  # popularity on ML-100k leave-last-out
    reports = home / "reports"
    assert (reports / "eval-movielens-100k-loo.md").read_text().count("| pop |") == 1
    assert (reports / "eval-movielens-100k-loo.png").stat().st_size > 10_000
    assert "eval-movielens-100k-loo.png" in output.replace("\n", "")


def test_db_store_temporal_all_models(app: typer.Typer, home: Path, tmp_path: Path) -> None:
    url = sqlite_store(tmp_path / "shop.db")
    out = tmp_path / "out.json"
    code, output = run(app, "--db", url, "--protocol", "temporal", "--k", "10", "--json", str(out))
    assert code == 0, output
    data = json.loads(out.read_text())
    assert data["protocol"] == "temporal"
    assert list(data["models"]) == available_models()
    assert "diversity@10" in data["models"]["popular"]  # the store's categories were used


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((), "exactly one of --dataset"),
        (("--dataset", "movielens-100k", "--db", "sqlite:///x.db"), "exactly one of --dataset"),
        (("--dataset", "nope"), "unknown dataset"),
        (("--dataset", "movielens-100k", "--models", "pop,wat"), "unknown model 'wat'"),
        (("--dataset", "movielens-100k", "--k", "10,x"), "--k must be positive"),
        (("--dataset", "movielens-100k", "--k", "0"), "--k must be positive"),
        (("--dataset", "movielens-100k", "--protocol", "random"), "--protocol must be one of"),
    ],
)
def test_bad_arguments_exit_2_with_a_message(
    app: typer.Typer, home: Path, args: tuple[str, ...], message: str
) -> None:
    code, output = run(app, *args)
    assert code == 2
    assert message in output
    assert "Traceback" not in output


def test_empty_store_is_a_clear_error(app: typer.Typer, home: Path, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    with Store.from_url(url) as store:
        store.migrate()
    code, output = run(app, "--db", url, "--models", "pop")
    assert code == 1
    assert "no events" in output


@pytest.mark.parametrize("protocol", ["cold-item", "cold-user"])
def test_cold_protocols_on_a_store(
    app: typer.Typer, home: Path, tmp_path: Path, protocol: str
) -> None:
    url = sqlite_store(tmp_path / "shop.db")
    out = tmp_path / "out.json"
    share = "0.25" if protocol == "cold-item" else "0.3"  # cold-item also draws decoys
    code, output = run(
        app, "--db", url, "--protocol", protocol, "--models", "pop,random", "--k", "10",
        "--cold-share", share, "--json", str(out),
    )  # fmt: skip
    assert code == 0, output
    data = json.loads(out.read_text())
    assert data["protocol"] == protocol
    assert list(data["models"]) == ["pop", "random"]
    assert "ndcg@10_by_history" in data["models"]["random"]
    reports = list((home / "reports").glob(f"eval-*-{protocol}-history.png"))
    assert len(reports) == 1 and reports[0].stat().st_size > 10_000


def test_seeds_report_mean_and_std(app: typer.Typer, home: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.json"
    code, output = run(
        app, "--dataset", "movielens-100k", "--models", "random", "--k", "10", "--seed", "5",
        "--seeds", "2", "--json", str(out),
    )  # fmt: skip
    assert code == 0, output
    assert "mean ± std over seeds" in output.replace("\n", " ")
    data = json.loads(out.read_text())
    assert data["seeds"] == [5, 6]
    random = data["models"]["random"]
    assert len(random["per_seed"]["ndcg@10"]) == 2
    assert random["ndcg@10_std"] >= 0.0
    markdown = (home / "reports" / "eval-movielens-100k-loo.md").read_text()
    assert "| random | " in markdown and " ± " in markdown
    assert (home / "reports" / "eval-movielens-100k-loo-history.png").exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--dataset", "movielens-100k", "--cold-share", "0.9"), "--cold-share must be in"),
        (
            ("--dataset", "movielens-100k", "--protocol", "cold-item", "--cold-share", "0.3"),
            "--cold-share must be in (0, 0.25] for cold-item",
        ),
        (
            ("--dataset", "movielens-100k", "--protocol", "cold-user", "--cold-share", "0.6"),
            "--cold-share must be in (0, 0.5] for cold-user",
        ),
        (("--dataset", "movielens-100k", "--seeds", "0"), "--seeds"),
    ],
)
def test_bad_cold_share_or_seeds(
    app: typer.Typer, home: Path, args: tuple[str, ...], message: str
) -> None:
    code, output = run(app, *args)
    assert code == 2
    assert message in output
