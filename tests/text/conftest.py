"""Real encoders shared across the text tests (each loads its weights once per session), and
a third-party plugin distribution put on ``sys.path``."""

from __future__ import annotations

import importlib
import sys
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from recmind.text.embed import shared_encoder
from recmind.text.encoders import Encoder


@pytest.fixture(scope="session")
def onnx_encoder() -> Encoder:
    """The fastest real encoder: int8 MiniLM on onnxruntime (about 0.5 s to load)."""
    return shared_encoder("minilm-onnx")


PluginDistribution = Callable[[str, str, dict[str, str]], None]
"""``(module name, module source, {group: "name = module:attr" lines})``."""


@pytest.fixture
def plugin_distribution(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[PluginDistribution]:
    """Puts a tiny third-party distribution on ``sys.path``: a module and a ``.dist-info``
    declaring entry points, found by ``importlib.metadata`` exactly as an installed one."""
    site = tmp_path / "site"
    site.mkdir()
    monkeypatch.syspath_prepend(str(site))
    modules: list[str] = []

    def install(module: str, source: str, entry_points: dict[str, str]) -> None:
        (site / f"{module}.py").write_text(textwrap.dedent(source), encoding="utf-8")
        info = site / f"{module}-0.1.dist-info"
        info.mkdir()
        (info / "METADATA").write_text(
            f"Metadata-Version: 2.1\nName: {module}\nVersion: 0.1\n", encoding="utf-8"
        )
        sections = "".join(f"[{group}]\n{lines}\n" for group, lines in entry_points.items())
        (info / "entry_points.txt").write_text(sections, encoding="utf-8")
        modules.append(module)
        importlib.invalidate_caches()

    yield install
    for module in modules:
        sys.modules.pop(module, None)
