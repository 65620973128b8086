"""Every environment variable of the settings tree, described from the fields themselves.

The README's configuration table is generated from :func:`variables` (``python
scripts/config_table.py --write README.md``), so a field added, renamed or re-described in
code shows up in the README, and a test fails while the two differ.

A field may give the text of its default for people with ``json_schema_extra={"default_text":
"..."}`` where the value itself would mislead (a secret, or a default computed per machine).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from pathlib import Path, PurePath

from pydantic import BaseModel, SecretStr
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from recmind.config.settings import Settings

ENV_PREFIX = "RECMIND_"
NESTED_DELIMITER = "__"

TABLE_START = "<!-- config-table -->"
TABLE_END = "<!-- /config-table -->"
"""Markers around the generated table in the README."""


@dataclass(frozen=True)
class Variable:
    """One environment variable.

    Attributes:
        name: ``RECMIND_HOME``, ``RECMIND_LLM__BACKEND``, ...
        path: Where its value lands in ``Settings``: ``("home",)``, ``("llm", "backend")``.
        default: The default as people read it.
        meaning: The field's description.
    """

    name: str
    path: tuple[str, ...]
    default: str
    meaning: str


def _section_model(info: FieldInfo) -> type[BaseModel] | None:
    annotation = info.annotation
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    return None


def default_text(info: FieldInfo) -> str:
    """The field's default for the table: ``-`` for none, the value otherwise."""
    extra = info.json_schema_extra
    if isinstance(extra, dict) and isinstance(extra.get("default_text"), str):
        return str(extra["default_text"])
    if info.default is PydanticUndefined and info.default_factory is None:
        return "required"
    return _format(info.get_default(call_default_factory=True))


def _format(value: object) -> str:
    if value is None:
        return "-"
    if value == "":
        return "(empty)"
    if isinstance(value, SecretStr):
        return "(secret)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, PurePath):
        text = str(value)
        return text if Path(text).is_absolute() or text.startswith(".") else f"./{text}"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, list):
        return "[" + ", ".join(f'"{v}"' for v in value) + "]"
    return str(value)


def _leaves(model: type[BaseModel], path: tuple[str, ...]) -> list[Variable]:
    """The leaf fields below ``model`` (sections within sections are walked)."""
    found: list[Variable] = []
    for field, info in model.model_fields.items():
        inner = _section_model(info)
        if inner is not None:
            found.extend(_leaves(inner, (*path, field)))
            continue
        env = ENV_PREFIX + NESTED_DELIMITER.join(p.upper() for p in (*path, field))
        found.append(Variable(env, (*path, field), default_text(info), info.description or ""))
    return found


def variables() -> list[Variable]:
    """Every leaf field of :class:`Settings` as its environment variable, in field order
    (top-level values first, then each section's, a section's own sections after it, such as
    ``RECMIND_MARKETING__SMTP__HOST``)."""
    top: list[Variable] = []
    nested: list[Variable] = []
    for name, info in Settings.model_fields.items():
        section = _section_model(info)
        if section is None:
            env = f"{ENV_PREFIX}{name.upper()}"
            top.append(Variable(env, (name,), default_text(info), info.description or ""))
            continue
        leaves = _leaves(section, (name,))
        nested.extend(v for v in leaves if len(v.path) == 2)
        nested.extend(v for v in leaves if len(v.path) > 2)
    return top + nested


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def markdown_table() -> str:
    """The README's configuration table (without the markers)."""
    lines = ["| variable | default | meaning |", "|---|---|---|"]
    for variable in variables():
        lines.append(
            f"| `{variable.name}` | `{_cell(variable.default)}` | {_cell(variable.meaning)} |"
        )
    return "\n".join(lines) + "\n"


def replace_table(document: str) -> str:
    """``document`` with the text between the markers replaced by :func:`markdown_table`.

    Raises:
        ValueError: The markers are missing or out of order.
    """
    start = document.find(TABLE_START)
    end = document.find(TABLE_END)
    if start < 0 or end < start:
        raise ValueError(f"the document has no {TABLE_START} ... {TABLE_END} section")
    head = document[: start + len(TABLE_START)]
    return f"{head}\n{markdown_table()}{document[end:]}"


def table_in(document: str) -> str:
    """The text between the markers of ``document`` (what :func:`replace_table` writes)."""
    start = document.find(TABLE_START)
    end = document.find(TABLE_END)
    if start < 0 or end < start:
        raise ValueError(f"the document has no {TABLE_START} ... {TABLE_END} section")
    return document[start + len(TABLE_START) : end].lstrip("\n")
