"""Message templates: the built-in set and a shop's own, loaded into a sandboxed Jinja2.

A template is one file ``NAME.j2`` holding one block per part of a message::

    {% set needs_items = true %}          (optional: no items -> the message is skipped)
    {% block subject %}...{% endblock %}
    {% block preheader %}...{% endblock %}
    {% block text %}...{% endblock %}      plain-text email part
    {% block html %}...{% endblock %}      HTML email part (inline CSS, no remote assets)
    {% block onsite_title %}...{% endblock %}
    {% block onsite_body %}...{% endblock %}
    {% block push %}...{% endblock %}      webhook/push text (cut to ``push_max_chars``)

Every block is rendered on its own. The same source is compiled twice: the ``html`` block in
an environment that escapes HTML, every other part in one that does not (a subject or an SMS
is not HTML, and ``&amp;`` in it would be a visible defect). Both environments are
sandboxed (a shop's template cannot reach Python internals) and strict (a misspelt variable
is an error, not an empty string). Files whose name begins with ``_`` are shared macros, not
messages. A file in ``settings.marketing.templates_dir`` replaces the built-in of the same
name, macros included.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import (
    BaseLoader,
    ChoiceLoader,
    FileSystemLoader,
    StrictUndefined,
    Template,
    TemplateError,
    nodes,
)
from jinja2.sandbox import ImmutableSandboxedEnvironment

from recmind.config.settings import Settings

BUILTIN_DIR = Path(__file__).parent / "templates"
SUFFIX = ".j2"
PARTS: tuple[str, ...] = (
    "subject",
    "preheader",
    "text",
    "html",
    "onsite_title",
    "onsite_body",
    "push",
)
BUILTIN_TEMPLATES: frozenset[str] = frozenset(
    {
        "welcome_1",
        "welcome_2",
        "browse_abandonment",
        "cart_abandonment",
        "back_in_stock",
        "price_drop",
        "new_arrivals",
        "cross_sell",
        "replenishment",
        "win_back",
        "newsletter",
    }
)


class MessageTemplateError(ValueError):
    """A template that does not exist, lacks a part, or fails to compile or render."""


def _names_in(directory: Path | None) -> set[str]:
    if directory is None or not directory.is_dir():
        return set()
    return {
        path.name[: -len(SUFFIX)]
        for path in directory.iterdir()
        if path.is_file() and path.name.endswith(SUFFIX) and not path.name.startswith("_")
    }


def available_templates(settings: Settings) -> set[str]:
    """Names of the message templates a journey step or campaign may use: the built-in set
    and the shop's own (``settings.marketing.templates_dir``)."""
    return _names_in(BUILTIN_DIR) | _names_in(settings.marketing.templates_dir)


def _loader(templates_dir: Path | None) -> BaseLoader:
    loaders: list[BaseLoader] = []
    if templates_dir is not None:
        loaders.append(FileSystemLoader(str(templates_dir)))
    loaders.append(FileSystemLoader(str(BUILTIN_DIR)))
    return ChoiceLoader(loaders)


def _environment(loader: BaseLoader, *, html: bool) -> ImmutableSandboxedEnvironment:
    return ImmutableSandboxedEnvironment(
        loader=loader,
        autoescape=html,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
    )


def _needs_items(tree: nodes.Template) -> bool:
    """Whether the template sets ``needs_items = true`` at its top level."""
    for node in tree.body:
        if (
            isinstance(node, nodes.Assign)
            and isinstance(node.target, nodes.Name)
            and node.target.name == "needs_items"
            and isinstance(node.node, nodes.Const)
        ):
            return bool(node.node.value)
    return False


@dataclass(frozen=True)
class MessageTemplate:
    """One compiled template: its parts render separately (see the module's docstring)."""

    name: str
    needs_items: bool
    text_template: Template
    html_template: Template

    def render_part(self, part: str, variables: Mapping[str, Any]) -> str:
        """The text of ``part`` with ``variables`` (stripped of surrounding whitespace)."""
        template = self.html_template if part == "html" else self.text_template
        try:
            context = template.new_context(dict(variables))
            return "".join(template.blocks[part](context)).strip()
        except TemplateError as error:
            raise MessageTemplateError(f"template {self.name!r}, part {part}: {error}") from error


class TemplateLibrary:
    """The templates of one settings tree, compiled once and kept (thread-safe)."""

    def __init__(self, templates_dir: Path | None) -> None:
        self.templates_dir = templates_dir
        loader = _loader(templates_dir)
        self._text_env = _environment(loader, html=False)
        self._html_env = _environment(loader, html=True)
        self._compiled: dict[str, MessageTemplate] = {}
        self._lock = threading.Lock()

    def names(self) -> set[str]:
        return _names_in(BUILTIN_DIR) | _names_in(self.templates_dir)

    def get(self, name: str) -> MessageTemplate:
        """The compiled template ``name``; MessageTemplateError when it is missing or broken."""
        with self._lock:
            found = self._compiled.get(name)
            if found is None:
                found = self._compile(name)
                self._compiled[name] = found
            return found

    def _compile(self, name: str) -> MessageTemplate:
        if name.startswith("_") or name not in self.names():
            known = ", ".join(sorted(self.names()))
            raise MessageTemplateError(f"no message template {name!r} (known: {known})")
        filename = name + SUFFIX
        try:
            source, _, _ = self._text_env.loader.get_source(  # type: ignore[union-attr]
                self._text_env, filename
            )
            tree = self._text_env.parse(source, name, filename)
            text_template = self._text_env.get_template(filename)
            html_template = self._html_env.get_template(filename)
        except TemplateError as error:
            raise MessageTemplateError(f"template {name!r}: {error}") from error
        missing = [part for part in PARTS if part not in text_template.blocks]
        if missing:
            raise MessageTemplateError(
                f"template {name!r} lacks the block(s) {', '.join(missing)} "
                f"(every template has {', '.join(PARTS)})"
            )
        return MessageTemplate(name, _needs_items(tree), text_template, html_template)


_libraries: dict[Path | None, TemplateLibrary] = {}
_libraries_lock = threading.Lock()


def template_library(settings: Settings) -> TemplateLibrary:
    """The process's library for ``settings.marketing.templates_dir`` (compiled once)."""
    key = settings.marketing.templates_dir
    with _libraries_lock:
        library = _libraries.get(key)
        if library is None:
            library = TemplateLibrary(key)
            _libraries[key] = library
        return library


def get_template(settings: Settings, name: str) -> MessageTemplate:
    """The compiled template ``name`` of the shop's settings."""
    return template_library(settings).get(name)
