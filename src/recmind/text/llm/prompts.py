"""Prompts are Jinja2 template files (``recmind/text/prompts/*.j2``), rendered strictly.

Every fact a template names is passed in by the caller (from the store), never left for the
model to fill: an undefined name raises instead of rendering as empty text. A template may
define ``{% block system %}`` and ``{% block user %}`` to become a two-turn chat; without
blocks the whole text is one user turn. More directories can be searched first, so a
deployment can override a bundled template by name.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import jinja2

from recmind.text.llm.protocol import ChatMessage, GenerationRequest

BUNDLED_DIR = Path(__file__).resolve().parent.parent / "prompts"
SUFFIX = ".j2"


class PromptLibrary:
    """Finds and renders prompt templates.

    Args:
        extra_dirs: Directories searched before the bundled templates.
    """

    def __init__(self, extra_dirs: Sequence[Path] = ()) -> None:
        self.dirs = [*map(Path, extra_dirs), BUNDLED_DIR]
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader([str(d) for d in self.dirs]),
            undefined=jinja2.StrictUndefined,
            autoescape=False,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=False,
        )

    def names(self) -> list[str]:
        """Template names (without ``.j2``)."""
        return sorted(
            {p.name.removesuffix(SUFFIX) for d in self.dirs for p in d.glob(f"*{SUFFIX}")}
        )

    def _template(self, name: str) -> jinja2.Template:
        try:
            return self.env.get_template(f"{name}{SUFFIX}")
        except jinja2.TemplateNotFound as exc:
            raise KeyError(f"no prompt template {name!r}; known: {self.names()}") from exc

    def render(self, name: str, /, **facts: Any) -> str:
        """The whole template rendered with ``facts``.

        Raises:
            jinja2.UndefinedError: The template names a fact that was not given.
        """
        return self._template(name).render(**facts).strip()

    def messages(self, name: str, /, **facts: Any) -> tuple[ChatMessage, ...]:
        """The template as chat turns: its ``system`` and ``user`` blocks, or one user turn."""
        template = self._template(name)
        if "user" not in template.blocks:
            return (ChatMessage("user", template.render(**facts).strip()),)
        context = template.new_context(dict(facts))
        turns = []
        for role in ("system", "user"):
            if role in template.blocks:
                text = "".join(template.blocks[role](context)).strip()
                if text:
                    turns.append(ChatMessage(role, text))
        return tuple(turns)

    def request(self, name: str, /, facts: dict[str, Any], **options: Any) -> GenerationRequest:
        """A chat request from the template and ``facts``; ``options`` go to the request."""
        return GenerationRequest(messages=self.messages(name, **facts), **options)


_default: PromptLibrary | None = None


def default_prompts() -> PromptLibrary:
    """The bundled templates (one shared library)."""
    global _default  # noqa: PLW0603
    if _default is None:
        _default = PromptLibrary()
    return _default


def render_prompt(name: str, /, **facts: Any) -> str:
    """Render a bundled template (shortcut for ``default_prompts().render``)."""
    return default_prompts().render(name, **facts)
