"""``recmind copy check``: one text against a facts file (JSON or a table), a batch of
JSON lines in order, and the exit statuses."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from recmind.cli.main import app

FACTS: dict[str, Any] = {
    "items": [
        {
            "item_id": "sw",
            "title": "Merino Crew Sweater",
            "price": 89.0,
            "currency": "USD",
            "stock": 4,
            "attributes": {"material": "merino wool"},
        }
    ],
    "offer": {"discount_percent": 15, "code": "WOOL15", "ends": "2025-11-30"},
    "policies": {"free_shipping_over": 75, "returns_days": 30},
    "brand": "Harbor & Pine",
}


def run(*args: str, stdin: str | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["copy", "check", *args], input=stdin, env={"COLUMNS": "200"})
    return result.exit_code, result.output


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    facts = tmp_path / "facts.json"
    facts.write_text(json.dumps(FACTS))
    text = tmp_path / "message.txt"
    text.write_text("The Merino Crew Sweater is 20% off with code WOOL15. Only 4 left!")
    return facts, text


def test_json_verdict(files: tuple[Path, Path]) -> None:
    facts, text = files
    code, out = run("--facts", str(facts), "--text", str(text), "--json")
    verdict = json.loads(out)
    assert code == 0 and verdict["ok"] is False
    wrong = [c for c in verdict["claims"] if not c["supported"]]
    assert wrong == [
        {"text": "20%", "kind": "discount", "supported": False, "reason": "the discount is 15%"}
    ]
    assert {c["kind"] for c in verdict["claims"]} == {"product", "discount", "code", "stock"}


def test_table_stdin_and_strict(files: tuple[Path, Path]) -> None:
    facts, _ = files
    code, out = run("--facts", str(facts), "--text", "-", stdin="Merino Crew Sweater: $89.")
    assert code == 0 and "price" in out and "ok" in out
    code, _ = run("--facts", str(facts), "--text", "-", "--strict", stdin="Only $79!")
    assert code == 1
    code, _ = run("--facts", str(facts), "--text", "-", "--strict", stdin="Only $89!")
    assert code == 0


def test_batch_in_order(tmp_path: Path) -> None:
    lines = [
        {"facts": FACTS, "text": "Free shipping over $75."},
        {"facts": FACTS, "text": "Free shipping on every order."},
        {"facts": {**FACTS, "offer": None}, "text": "Use code WOOL15."},
        {"facts": FACTS, "text": "退货期30天。"},
    ]
    batch = tmp_path / "batch.jsonl"
    batch.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in lines) + "\n\n")
    code, out = run("--batch", str(batch))
    verdicts = [json.loads(line) for line in out.splitlines()]
    assert code == 0 and [v["ok"] for v in verdicts] == [True, False, False, True]
    code, _ = run("--batch", str(batch), "--strict")
    assert code == 1


def test_bad_inputs(files: tuple[Path, Path], tmp_path: Path) -> None:
    facts, text = files
    assert run("--facts", str(facts))[0] == 2
    assert run("--batch", str(text), "--facts", str(facts))[0] == 2
    broken = tmp_path / "broken.json"
    broken.write_text("{not json")
    assert run("--facts", str(broken), "--text", str(text))[0] == 2
    invalid = tmp_path / "invalid.json"
    invalid.write_text(json.dumps({"items": [{"title": "no id"}]}))
    code, out = run("--facts", str(invalid), "--text", str(text))
    assert code == 2 and "item_id" in out
    batch = tmp_path / "batch.jsonl"
    batch.write_text('{"facts": {}, "text": "Hi"}\nnot json\n{"facts": {}}\n')
    code, out = run("--batch", str(batch))
    rows = [json.loads(line) for line in out.splitlines()]
    assert code == 2 and [r["ok"] for r in rows] == [True, False, False]
    assert "error" in rows[1] and "error" in rows[2]
