"""``recmind customers build|show`` through the real command on a real SQLite store."""

from __future__ import annotations

import json
from pathlib import Path

from tests.customers.log import AS_OF, DAY, load
from typer.testing import CliRunner

from recmind.cli.main import app
from recmind.data.store import Store


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args), env={"COLUMNS": "200"})
    return result.exit_code, result.output


def shop(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'shop.db'}"
    with Store.from_url(url) as store:
        store.migrate()
        load(store, tmp_path)
    return url


def test_build_then_refresh_then_show(tmp_path: Path) -> None:
    db = shop(tmp_path)
    code, output = run("customers", "build", "--db", db, "--as-of", "2025-06-01")
    assert code == 0, output
    assert "customer features" in output
    assert "(full): 5 customers; 5 computed from their events" in output
    assert "Predictions: 2 customers" in output  # alice and erin bought
    code, output = run("customers", "build", "--db", db, "--as-of", "2025-06-01T02:00:00Z")
    assert code == 0, output
    assert "(incremental): 5 customers; 1 computed" in output
    assert "4 moved to the new moment" in output
    code, output = run("customers", "show", "alice", "--db", db, "--json")
    assert code == 0, output
    shown = json.loads(output)
    assert shown["user_id"] == "alice"
    assert shown["features"]["as_of"] == AS_OF + 2 * 3600
    assert shown["features"]["order_count"] == 2
    assert shown["features"]["category_shares"]["Toys"] == 0.428571  # her view at as_of
    # the lifetime-value step ran after the features: two buyers are too few for a model
    assert shown["predictions"]["model"] == "historical-rate"
    assert shown["predictions"]["as_of"] == AS_OF + 2 * 3600
    code, output = run("customers", "show", "alice", "--db", db)
    assert code == 0, output
    assert "preferred_hour" in output
    assert "Toys 43%" in output


def test_full_rebuild_back_in_time_and_clear_errors(tmp_path: Path) -> None:
    db = shop(tmp_path)
    assert run("customers", "build", "--db", db, "--as-of", "2025-06-01")[0] == 0
    earlier = "2025-03-13"
    code, output = run("customers", "build", "--db", db, "--as-of", earlier, "--incremental")
    assert code == 2
    assert "before the stored features' as_of" in output
    assert "--full" in output
    code, output = run("customers", "build", "--db", db, "--as-of", earlier)
    assert code == 0, output
    assert "(full): 3 customers" in output
    code, output = run("customers", "show", "alice", "--db", db, "--json")
    assert json.loads(output)["features"]["as_of"] == AS_OF - 80 * DAY
    code, output = run("customers", "build", "--db", db, "--as-of", "June 1st")
    assert code == 2
    assert "--as-of 'June 1st': not an ISO 8601 date" in output
    code, output = run("customers", "show", "nobody", "--db", db)
    assert code == 1
    assert "no features stored for user 'nobody'" in output
