"""``recmind orders seed`` and ``recmind orders list`` end to end."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from tests.cli.conftest import command_group
from typer.testing import CliRunner

from recmind.cli import import_cmd, orders_cmd
from recmind.config import Settings


@pytest.fixture
def app() -> typer.Typer:
    return command_group(import_cmd, orders_cmd)


def _run(app: typer.Typer, *args: str | Path) -> tuple[int, str]:
    result = CliRunner().invoke(app, [str(a) for a in args])
    return result.exit_code, result.output


def test_seed_then_list(app: typer.Typer, home: Settings, tmp_path: Path) -> None:
    code, output = _run(app, "orders", "seed")
    assert code == 2 and "import a catalogue first" in output
    items = tmp_path / "items.csv"
    items.write_text("item_id,title,price\ni1,Shirt,30\ni2,Jeans,60\ni3,Hat,15\n")
    assert _run(app, "import", "--items", items)[0] == 0
    code, output = _run(app, "orders", "seed", "--count", "40", "--customers", "5")
    assert code == 0, output
    assert "40 written, 0 unchanged, 0 rejected; 5 synthetic customers created" in output
    code, output = _run(app, "orders", "seed", "--count", "40", "--customers", "5")
    assert "0 written, 40 unchanged" in output
    code, output = _run(app, "orders", "list", "--user", "synthetic-customer-0001", "--json")
    assert code == 0, output
    listed = json.loads(output)
    assert listed["total"] == len(listed["orders"]) > 0
    assert all(o["user_id"] == "synthetic-customer-0001" for o in listed["orders"])
    code, output = _run(app, "orders", "list", "--user", "synthetic-customer-0001")
    assert code == 0 and "synthetic-order-" in output
