"""The tool contract: a context bound to one conversation, typed results with citations,
structured errors, and a registry that validates arguments before anything runs.

A tool is a name, a description for the model, a pydantic model of its arguments (whose
``model_json_schema()`` is what the model is constrained to) and a run function. The
registry turns every call into a :class:`ToolOutcome`: a result, or a :class:`ToolError`
the model can be shown. Nothing raised inside a tool escapes :meth:`ToolRegistry.call`.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, Literal, Protocol, TypeVar

import orjson
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SerializeAsAny,
    ValidationError,
    field_validator,
)

from recmind.config import Settings
from recmind.data.online_checks import text_problem
from recmind.data.store import Store

if TYPE_CHECKING:
    from recmind.assistant.retrieval import Retriever

logger = logging.getLogger(__name__)

CitationKind = Literal["item", "passage", "order", "review", "handoff"]
ErrorKind = Literal["unknown_tool", "invalid_arguments", "not_found", "unavailable", "failed"]


class PersonalRecommender(Protocol):
    """The served model's per-person lists (``ServedRecommender`` of ``recmind.serving``
    fits): the items ``GET /v1/users/{id}/recommendations`` would give, best first."""

    def __call__(
        self,
        user_id: str,
        *,
        source: Literal["personal"],
        count: int,
        trigger_item: str | None,
        in_stock_only: bool,
        now: float,
    ) -> list[str]: ...


@dataclass
class ToolContext:
    """What every tool of one conversation reads. ``user_id`` is the identity the shop's
    backend vouched for (None: anonymous); no tool takes it from the model's arguments."""

    store: Store
    settings: Settings
    conversation_id: str
    user_id: str | None = None
    language: str = "en"
    retriever: Retriever | None = None
    recommender: PersonalRecommender | None = None
    now: Callable[[], float] = field(default=time.time)

    @property
    def currency(self) -> str:
        """The code the shop's prices are in."""
        return self.settings.marketing.currency.upper()


class Citation(BaseModel):
    """Something an answer may cite: an item, a policy passage, an order, a handoff."""

    model_config = ConfigDict(frozen=True)

    kind: CitationKind
    id: str


class ToolResult(BaseModel):
    """The facts a tool returned (subclasses add them) and what they came from."""

    citations: list[Citation] = Field(default_factory=list)


class ToolError(BaseModel):
    """Why a call gave no result, in words the model can be shown."""

    kind: ErrorKind
    message: str
    problems: list[dict[str, Any]] = Field(default_factory=list)


class ToolRefusedError(Exception):
    """Raised by a tool's run function for an expected refusal (``not_found``,
    ``unavailable``); the registry turns it into a :class:`ToolError`."""

    def __init__(self, kind: ErrorKind, message: str) -> None:
        super().__init__(message)
        self.kind: ErrorKind = kind
        self.message = message


class ToolOutcome(BaseModel):
    """One call: the tool, the arguments as given, and a result or an error."""

    tool: str
    arguments: dict[str, Any] = Field(default_factory=dict)
    result: SerializeAsAny[ToolResult] | None = None
    error: ToolError | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


A = TypeVar("A", bound=BaseModel)
R = TypeVar("R", bound=ToolResult)


class Arguments(BaseModel):
    """Base of every tool's arguments: unknown keys are refused, and so is text the store
    cannot hold (NUL bytes, unpaired surrogates), before any query sees it."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @field_validator("*", mode="after")
    @classmethod
    def _storable(cls, value: Any) -> Any:
        texts = value if isinstance(value, list) else [value]
        if any(isinstance(t, str) and text_problem(t) for t in texts):
            raise ValueError("text the store cannot hold (NUL or unpaired surrogate characters)")
        return value


@dataclass(frozen=True)
class Tool(Generic[A, R]):
    """One tool (see the module's docstring)."""

    name: str
    description: str
    arguments: type[A]
    run: Callable[[ToolContext, A], R]

    def schema(self) -> dict[str, Any]:
        """Name, description and the JSON schema of the arguments (function-calling form)."""
        return {
            "name": self.name,
            "description": self.description,
            "parameters": self.arguments.model_json_schema(),
        }


def _problems(error: ValidationError) -> list[dict[str, Any]]:
    return [
        {"loc": [str(p) for p in e["loc"]], "msg": e["msg"], "type": e["type"]}
        for e in error.errors(include_url=False, include_input=False)
    ]


def _shown(value: Any) -> Any:
    """``value`` with text that cannot be written as UTF-8 (unpaired surrogates) replaced,
    so a refused call can still be serialised and shown."""
    if isinstance(value, str):
        return value.encode("utf-8", "replace").decode("utf-8")
    if isinstance(value, list):
        return [_shown(v) for v in value]
    if isinstance(value, dict):
        return {_shown(k): _shown(v) for k, v in value.items()}
    return value


def _parsed(arguments: Mapping[str, Any] | str | bytes | None) -> dict[str, Any]:
    if arguments is None:
        return {}
    if isinstance(arguments, str | bytes):
        loaded = orjson.loads(arguments) if arguments.strip() else {}
        if not isinstance(loaded, dict):
            raise ValueError("the arguments must be a JSON object")
        return loaded
    return dict(arguments)


class ToolRegistry:
    """Tools by name; :meth:`call` validates, runs and never raises."""

    def __init__(self, tools: list[Tool[Any, Any]] | None = None) -> None:
        self._tools: dict[str, Tool[Any, Any]] = {}
        for tool in tools or []:
            self.register(tool)

    def register(self, tool: Tool[Any, Any]) -> None:
        if tool.name in self._tools:
            raise ValueError(f"a tool named {tool.name!r} is registered already")
        self._tools[tool.name] = tool

    @property
    def names(self) -> list[str]:
        return list(self._tools)

    def __getitem__(self, name: str) -> Tool[Any, Any]:
        return self._tools[name]

    def schemas(self) -> list[dict[str, Any]]:
        """Every tool's :meth:`Tool.schema`, in registration order."""
        return [t.schema() for t in self._tools.values()]

    def call(
        self, context: ToolContext, name: str, arguments: Mapping[str, Any] | str | bytes | None
    ) -> ToolOutcome:
        """Validate ``arguments`` (a mapping or JSON text) and run the tool."""
        tool = self._tools.get(name)
        if tool is None:
            name = _shown(name)
            known = ", ".join(self._tools)
            error = ToolError(kind="unknown_tool", message=f"no tool {name!r}; tools: {known}")
            return ToolOutcome(tool=name, error=error)
        try:
            given = _parsed(arguments)
        except ValueError as exc:  # orjson.JSONDecodeError is a ValueError
            message = f"the arguments are not a JSON object: {exc}"
            return ToolOutcome(
                tool=name, error=ToolError(kind="invalid_arguments", message=message)
            )
        try:
            parsed = tool.arguments.model_validate(given)
        except ValidationError as exc:
            error = ToolError(
                kind="invalid_arguments",
                message=f"invalid arguments for {name}",
                problems=_problems(exc),
            )
            return ToolOutcome(tool=name, arguments=_shown(given), error=error)
        try:
            result = tool.run(context, parsed)
        except ToolRefusedError as exc:
            error = ToolError(kind=exc.kind, message=exc.message)
            return ToolOutcome(tool=name, arguments=given, error=error)
        except Exception:
            logger.exception("tool %s failed in conversation %s", name, context.conversation_id)
            error = ToolError(kind="failed", message=f"{name} could not run; try again later")
            return ToolOutcome(tool=name, arguments=given, error=error)
        return ToolOutcome(tool=name, arguments=given, result=result)
