"""The one-way layering of the README, enforced by import-linter's ``layers`` contract in
pyproject.toml: cli | client > api > serving > training > eval > rec > profiles > text > data
> config."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LINT_IMPORTS = str(Path(sys.executable).with_name("lint-imports"))


def lint_imports(pythonpath: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    if pythonpath is not None:
        env["PYTHONPATH"] = str(pythonpath)
    return subprocess.run(
        [LINT_IMPORTS, "--config", str(ROOT / "pyproject.toml"), "--no-cache"],
        cwd=ROOT,
        env=env,
        check=False,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_the_layers_contract_is_kept() -> None:
    done = lint_imports()
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Contracts: 1 kept, 0 broken." in done.stdout


def test_an_import_of_a_higher_layer_breaks_it(tmp_path: Path) -> None:
    """A copy of the package where the settings import the REST service fails the check,
    naming the import."""
    copy = tmp_path / "recmind"
    shutil.copytree(ROOT / "src" / "recmind", copy, ignore=shutil.ignore_patterns("__pycache__"))
    with (copy / "config" / "api.py").open("a", encoding="utf-8") as module:
        module.write("\nimport recmind.api.app  # a layering bug\n")
    done = lint_imports(pythonpath=tmp_path)
    assert done.returncode == 1
    assert "BROKEN" in done.stdout
    assert "recmind.config.api -> recmind.api.app" in done.stdout
