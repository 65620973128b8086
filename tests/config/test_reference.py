"""The README's configuration table is the one generated from the settings tree."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from recmind.config.reference import (
    TABLE_END,
    TABLE_START,
    default_text,
    markdown_table,
    replace_table,
    table_in,
    variables,
)
from recmind.config.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
SCRIPT = ROOT / "scripts" / "config_table.py"


def test_readme_table_equals_the_generated_one() -> None:
    assert table_in(README.read_text(encoding="utf-8")) == markdown_table(), (
        "README's configuration table is stale: python scripts/config_table.py --write README.md"
    )


def test_every_variable_has_a_meaning_and_a_default() -> None:
    found = variables()
    assert len({v.name for v in found}) == len(found)
    for variable in found:
        assert variable.meaning.strip(), f"{variable.name} has no description"
        assert variable.default, f"{variable.name} has no default text"
    by_name = {v.name: v for v in found}
    assert by_name["RECMIND_HOME"].default == "./var"
    assert by_name["RECMIND_LLM__MODEL"].default == "qwen2.5-coder-1.5b"
    assert by_name["RECMIND_API__SECRET"].default == "built-in (development only)"
    assert by_name["RECMIND_LLM__BASE_URL"].default == "-"
    assert by_name["RECMIND_API__CORS_ORIGINS"].default == "[]"
    assert by_name["RECMIND_MODELS__KEEP_VERSIONS"].path == ("models", "keep_versions")
    assert default_text(Settings.model_fields["seed"]) == "42"


def test_replace_table_rewrites_only_between_the_markers() -> None:
    document = f"intro\n{TABLE_START}\n| old |\n{TABLE_END}\nafter\n"
    replaced = replace_table(document)
    assert replaced.startswith(f"intro\n{TABLE_START}\n| variable |")
    assert replaced.endswith(f"{TABLE_END}\nafter\n")
    assert replace_table(replaced) == replaced
    with pytest.raises(ValueError, match="config-table"):
        replace_table("no markers here")


def run_script(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(SCRIPT), *args], check=False, capture_output=True, text=True
    )


def test_the_script_checks_and_writes(tmp_path: Path) -> None:
    stale = tmp_path / "README.md"
    stale.write_text(f"# x\n{TABLE_START}\n| stale |\n{TABLE_END}\n", encoding="utf-8")
    check = run_script("--check", str(stale))
    assert check.returncode == 1 and "--write" in check.stderr
    assert run_script("--write", str(stale)).returncode == 0
    assert run_script("--check", str(stale)).returncode == 0
    assert table_in(stale.read_text(encoding="utf-8")) == markdown_table()
    printed = run_script()
    assert printed.returncode == 0 and printed.stdout == markdown_table()
    assert run_script("--check", str(README)).returncode == 0
