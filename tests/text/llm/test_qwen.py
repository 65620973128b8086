"""The default 1.5B model answers an instruction from the facts it is given (``llm`` marker).

No wall-clock bound here: the test checks the answer, and a busy machine must not turn a
slow answer into a failure (speed is measured by benchmarks/llm_speed.py).

Skips with the pip command when the 22 part packages are not installed.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from recmind.text.llm.gguf_assets import ModelAssetsMissingError, ensure_model
from recmind.text.llm.local import LocalGGUFGenerator
from recmind.text.llm.prompts import default_prompts

pytestmark = [pytest.mark.llm, pytest.mark.slow]

FACTS = {
    "item_title": "Heat (1995)",
    "because_titles": ["Casino (1995)", "GoodFellas (1990)"],
    "shared": ["Crime", "Thriller"],
    "language": "English",
}


@pytest.fixture(scope="module")
def qwen() -> Iterator[LocalGGUFGenerator]:
    try:
        path: Path = ensure_model("qwen2.5-coder-1.5b")
    except ModelAssetsMissingError as exc:
        pytest.skip(f"the 1.5B model is not installed: {exc}")
    generator = LocalGGUFGenerator(path, n_ctx=2048, n_threads=1, seed=42)
    yield generator
    generator.close()


def test_explanation_uses_the_given_facts(qwen: LocalGGUFGenerator) -> None:
    request = default_prompts().request(
        "explain_item", FACTS, max_tokens=80, temperature=0.0, timeout_s=None
    )
    result = qwen.generate(request)
    text = result.text
    assert result.finish_reason == "stop", text
    assert "Heat" in text
    assert "Casino" in text or "GoodFellas" in text
    quoted = re.findall(r'"([^"]+)"', text)
    allowed = [FACTS["item_title"], *FACTS["because_titles"], *FACTS["shared"]]
    invented = [q for q in quoted if not any(q.lower() in fact.lower() for fact in allowed)]
    assert not invented, f"quoted something that is not in the facts: {invented} in {text!r}"


def test_portrait_and_structured_answer(qwen: LocalGGUFGenerator) -> None:
    schema = {
        "type": "object",
        "properties": {"genres": {"type": "array", "items": {"type": "string"}}},
        "required": ["genres"],
    }
    request = default_prompts().request(
        "portrait",
        {
            "tags": ["Crime", "Thriller"],
            "recent_titles": ["Casino (1995)"],
            "language": "English",
        },
        max_tokens=60,
        timeout_s=None,
        temperature=0.0,
    )
    portrait = qwen.generate(request)
    assert portrait.finish_reason == "stop", portrait.text
    assert re.search(r"crime|thriller", portrait.text, re.IGNORECASE), portrait.text
    assert not re.search(r"\b(she|he|woman|man|years old)\b", portrait.text, re.IGNORECASE)
    extraction = qwen.generate(
        type(request).chat(
            "List the genres named in: 'a tense crime thriller'. Answer as JSON.",
            max_tokens=40,
            timeout_s=None,
            temperature=0.0,
            json_schema=schema,
        )
    )
    genres = {g.lower() for g in extraction.json_value()["genres"]}
    assert genres & {"crime", "thriller"}
