"""``recmind datasets list|load`` through the real command."""

from __future__ import annotations

from typer.testing import CliRunner

from recmind.cli.main import app
from recmind.config import Settings
from recmind.data.store import Store


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args), env={"COLUMNS": "200"})
    return result.exit_code, result.output


def test_list_names_every_dataset_and_its_terms() -> None:
    code, output = run("datasets", "list")
    assert code == 0
    for name in (
        "movielens-100k",
        "clothing-reviews",
        "cdnow",
        "instacart-sample",
        "online-retail",
        "movielens-latest-small",
        "complete-journey",
    ):
        assert name in output
    assert "Group" in output  # the licence terms (wrapped to the terminal width)


def test_load_is_idempotent(settings: Settings) -> None:
    code, output = run("datasets", "load", "cdnow")
    assert code == 0, output
    with Store.from_settings(settings) as store:
        first = store.counts()
    assert first["events"] == 67_591
    code, output = run("datasets", "load", "cdnow")
    assert code == 0, output
    with Store.from_settings(settings) as store:
        assert store.counts() == first


def test_load_unknown_dataset_lists_the_valid_ones(settings: Settings) -> None:
    code, output = run("datasets", "load", "netflix-prize")
    assert code == 2
    assert "movielens-100k" in output
