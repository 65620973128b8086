"""What the held-out batch builders share: their texts as JSON lines.

Each builder (``build_heldout2.py``, ``build_heldout3.py``) holds ``FACTS`` and ``TEXTS`` per
scenario and the scenario's language; :func:`write_batch` numbers the texts per scenario
(``X1-01``) and writes ``<split>.jsonl`` beside this file.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent


def batch_rows(
    split: str,
    texts: Mapping[str, Sequence[tuple[str, str]]],
    facts: Mapping[str, dict[str, Any]],
    lang: Mapping[str, str],
) -> list[dict[str, Any]]:
    """One row per text: ``{"id", "scenario", "lang", "split", "expected", "text", "facts"}``."""
    return [
        {
            "id": f"{scenario}-{n:02d}",
            "scenario": scenario,
            "lang": lang[scenario],
            "split": split,
            "expected": expected,
            "text": text,
            "facts": facts[scenario],
        }
        for scenario, items in texts.items()
        for n, (expected, text) in enumerate(items, 1)
    ]


def write_batch(split: str, rows: Sequence[dict[str, Any]]) -> None:
    """Write ``rows`` to ``<split>.jsonl`` beside this file."""
    lines = [json.dumps(r, ensure_ascii=False) for r in rows]
    (HERE / f"{split}.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
