"""docs/models-and-data.md agrees with the code and the requirements files, and every pointer
to the reference leads there."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from recmind.data.datasets import DATASETS
from recmind.text.encoders.e5 import E5_PIN
from recmind.text.encoders.minilm import MINILM_PIN
from recmind.text.encoders.onnx_minilm import ONNX_PIN
from recmind.text.llm.gguf_assets import MODELS

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "models-and-data.md"


@pytest.fixture(scope="module")
def doc() -> str:
    return DOC.read_text(encoding="utf-8")


def test_every_packaged_llm_with_its_pins_size_and_digest(doc: str) -> None:
    for asset in MODELS.values():
        assert f"`{asset.name}`" in doc and asset.filename in doc
        assert asset.sha256 in doc, f"{asset.name}'s sha256 is not in the reference"
        assert f"{asset.size:,} bytes" in doc, f"{asset.name}'s size is not in the reference"
        for part in (asset.parts[0], asset.parts[-1]):
            split = f"`{part.distribution}`" in doc and f"`=={part.version}`" in doc
            assert split or f"`{part.requirement}`" in doc, f"{part.requirement} is not named"


def test_every_dataset_and_encoder_package(doc: str) -> None:
    for info in DATASETS.values():
        assert f"`{info.name}`" in doc and f"`{info.package}`" in doc
    for pin in (MINILM_PIN, ONNX_PIN, E5_PIN):
        assert f"`{pin}`" in doc


@pytest.mark.parametrize("requirements", ["requirements-data.txt", "requirements-llm.txt"])
def test_every_pinned_asset_package_is_described(doc: str, requirements: str) -> None:
    pins = [
        line.strip()
        for line in (ROOT / requirements).read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert pins
    for pin in pins:
        assert f"`{pin}`" in doc, f"{pin} ({requirements}) is not in the reference"


def test_the_model_part_pins_are_the_ones_the_code_assembles() -> None:
    pins = {
        line.strip()
        for line in (ROOT / "requirements-models.txt").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    }
    assert pins == set(MODELS["qwen2.5-coder-1.5b"].requirements)


def test_nothing_points_to_the_old_data_md() -> None:
    tracked = subprocess.run(
        ["git", "-C", str(ROOT), "ls-files", "src", "tests", "benchmarks", "scripts", "README.md"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()
    this = Path(__file__).resolve()
    stale = [
        name
        for name in tracked
        if (ROOT / name).is_file()
        and (ROOT / name).resolve() != this
        and re.search(r"(?<![\w/-])DATA\.md", (ROOT / name).read_text(errors="replace"))
    ]
    assert stale == [], f"these still mention DATA.md: {stale}"
