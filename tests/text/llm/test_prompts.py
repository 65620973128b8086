"""Prompt templates: bundled files, strict facts, chat blocks, overrides."""

from __future__ import annotations

from pathlib import Path

import jinja2
import pytest

from recmind.text.llm.prompts import PromptLibrary, default_prompts, render_prompt

FACTS = {
    "item_title": "Heat (1995)",
    "because_titles": ["Casino (1995)", "GoodFellas (1990)"],
    "shared": ["Crime", "Thriller"],
    "language": "English",
}


def test_bundled_templates_are_listed() -> None:
    assert {"explain_item", "portrait"} <= set(default_prompts().names())


def test_explain_item_renders_every_fact_into_two_turns() -> None:
    system, user = default_prompts().messages("explain_item", **FACTS)
    assert system.role == "system" and "only the facts" in system.content
    assert "English" in system.content
    assert user.role == "user"
    for fact in ("Heat (1995)", '"Casino (1995)", "GoodFellas (1990)"', "Crime, Thriller"):
        assert fact in user.content
    assert "{{" not in user.content and "{%" not in user.content


def test_a_missing_fact_raises_instead_of_rendering_empty() -> None:
    facts = {key: value for key, value in FACTS.items() if key != "item_title"}
    with pytest.raises(jinja2.UndefinedError, match="item_title"):
        default_prompts().messages("explain_item", **facts)
    with pytest.raises(jinja2.UndefinedError):
        render_prompt("portrait", tags=["Drama"], language="English")


def test_portrait_and_request_options() -> None:
    request = default_prompts().request(
        "portrait",
        {"tags": ["Drama", "War"], "recent_titles": ["Glory (1989)"], "language": "Chinese"},
        max_tokens=80,
        seed=3,
    )
    assert request.max_tokens == 80 and request.seed == 3
    assert [m.role for m in request.messages] == ["system", "user"]
    assert '"Glory (1989)"' in request.messages[1].content
    assert "Drama, War" in request.messages[1].content


def test_extra_directories_override_and_plain_templates_are_one_user_turn(tmp_path: Path) -> None:
    (tmp_path / "explain_item.j2").write_text("Why {{ item_title }}?")
    (tmp_path / "greet.j2").write_text("Hello {{ name }}.\n")
    library = PromptLibrary([tmp_path])
    assert library.render("explain_item", item_title="Heat") == "Why Heat?"
    (turn,) = library.messages("greet", name="Ada")
    assert turn.role == "user" and turn.content == "Hello Ada."
    assert "greet" in library.names() and "portrait" in library.names()
    with pytest.raises(KeyError, match="no prompt template 'nope'"):
        library.render("nope")
