"""Every variable of the README's configuration table, set in the environment, arrives where
it should in ``Settings()``; ``.env`` is read; bad values are refused by name."""

from __future__ import annotations

import json
import math
import os
import re
import types
import typing
from pathlib import Path

import annotated_types
import pytest
from pydantic import BaseModel, SecretStr, ValidationError
from pydantic.fields import FieldInfo

from recmind.config import Settings
from recmind.config.reference import table_in

README = Path(__file__).resolve().parents[2] / "README.md"


def readme_variables() -> list[str]:
    """The variables named in the first column of the README's configuration table."""
    table = table_in(README.read_text(encoding="utf-8"))
    names = re.findall(r"^\| `(RECMIND_[A-Z0-9_]+)` \|", table, flags=re.M)
    assert names, "the README's configuration table names no variable"
    return names


def settings_path(variable: str) -> tuple[str, ...]:
    """Where ``RECMIND_A__B`` lands: ``("a", "b")``."""
    return tuple(part.lower() for part in variable.removeprefix("RECMIND_").split("__"))


def field_info(path: tuple[str, ...]) -> FieldInfo:
    model: type[BaseModel] = Settings
    for name in path[:-1]:
        annotation = model.model_fields[name].annotation
        assert isinstance(annotation, type) and issubclass(annotation, BaseModel)
        model = annotation
    return model.model_fields[path[-1]]


def bounds(info: FieldInfo) -> tuple[float, float]:
    low, high = -math.inf, math.inf
    for rule in info.metadata:
        if isinstance(rule, annotated_types.Ge | annotated_types.Gt):
            low = float(getattr(rule, "ge", getattr(rule, "gt", low)))
        if isinstance(rule, annotated_types.Le | annotated_types.Lt):
            high = float(getattr(rule, "le", getattr(rule, "lt", high)))
    return low, high


def sample(info: FieldInfo, name: str, tmp_path: Path) -> tuple[str, object]:
    """A valid value other than the default: its environment text and the parsed value."""
    kinds = [a for a in typing.get_args(info.annotation) if a is not type(None)]
    kind = kinds[0] if isinstance(info.annotation, types.UnionType) else info.annotation
    default = info.get_default(call_default_factory=True)
    if info.examples:  # a field whose values are checked beyond their type names a valid one
        example = info.examples[0]
        return (example if isinstance(example, str) else json.dumps(example)), example
    if kind is bool:
        return str(not default).lower(), not default
    if kind in (int, float):
        low, high = bounds(info)
        step = 1 if kind is int else 0.25
        value = default + step if default + step <= high else (default + low) / 2
        value = kind(value)
        assert low <= value <= high and value != default
        return repr(value), value
    if kind is Path:
        return str(tmp_path / name), tmp_path / name
    if kind is SecretStr:
        return "s3cret-from-the-environment", "s3cret-from-the-environment"
    if typing.get_origin(kind) is list:
        return '["https://shop.example", "http://127.0.0.1:3000"]', [
            "https://shop.example",
            "http://127.0.0.1:3000",
        ]
    assert kind is str, f"no test value for {kind!r}: extend sample()"
    return f"test-{name.replace('_', '-')}", f"test-{name.replace('_', '-')}"


@pytest.fixture
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No RECMIND_ variable set and a working directory without ``.env``."""
    for name in list(os.environ):
        if name.startswith("RECMIND_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def resolve(settings: Settings, path: tuple[str, ...]) -> object:
    value: object = settings
    for name in path:
        value = getattr(value, name)
    return value.get_secret_value() if isinstance(value, SecretStr) else value


@pytest.mark.parametrize("variable", readme_variables())
def test_every_readme_variable_arrives_in_settings(
    variable: str, clean_environment: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = settings_path(variable)
    text, expected = sample(field_info(path), path[-1], clean_environment)
    assert resolve(Settings(), path) != expected, f"{variable}'s test value is its default"
    monkeypatch.setenv(variable, text)
    assert resolve(Settings(), path) == expected, f"{variable}={text!r} did not arrive"


def _leaf_variables(model: type[BaseModel], prefix: str) -> set[str]:
    names: set[str] = set()
    for name, info in model.model_fields.items():
        section = info.annotation
        if isinstance(section, type) and issubclass(section, BaseModel):
            names |= _leaf_variables(section, f"{prefix}{name.upper()}__")
        else:
            names.add(f"{prefix}{name.upper()}")
    return names


def test_the_readme_names_every_settings_field() -> None:
    fields = _leaf_variables(Settings, "RECMIND_")
    assert "RECMIND_MARKETING__SMTP__HOST" in fields
    assert set(readme_variables()) == fields


def test_dot_env_is_read_and_the_environment_wins(
    clean_environment: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (clean_environment / ".env").write_text(
        "RECMIND_SEED=7\nRECMIND_LLM__BACKEND=openai\nRECMIND_API__PORT=9001\n", encoding="utf-8"
    )
    monkeypatch.setenv("RECMIND_API__PORT", "9002")
    settings = Settings()
    assert (settings.seed, settings.llm.backend, settings.api.port) == (7, "openai", 9002)


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("RECMIND_API__PORT", "70000"),
        ("RECMIND_SERVING__FRESH_SHARE", "1.5"),
        ("RECMIND_MODELS__KEEP_VERSIONS", "0"),
        ("RECMIND_LLM__N_THREADS", "zero"),
        ("RECMIND_ENCODER", "  "),
        ("RECMIND_LLM__BACKEND", ""),
    ],
)
def test_a_bad_value_is_refused_naming_the_field(
    variable: str, value: str, clean_environment: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(ValidationError) as caught:
        Settings()
    assert ".".join(settings_path(variable)) in str(caught.value).replace("\n", " ")


def test_names_are_normalised(clean_environment: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RECMIND_ENCODER", " MiniLM-ONNX ")
    monkeypatch.setenv("RECMIND_LLM__BACKEND", "OpenAI")
    settings = Settings()
    assert (settings.encoder, settings.llm.backend) == ("minilm-onnx", "openai")
