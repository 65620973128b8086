"""Every error as JSON ``{"detail": ...}``; validation problems name the field and value.

Unhandled exceptions never reach these handlers: :mod:`recmind.api.middleware` turns them
into ``{"detail": "internal error", "request_id": ...}`` and logs the traceback.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from recmind.api.responses import json_response
from recmind.api.schemas import FieldProblem
from recmind.data.online_checks import field_problem, message
from recmind.data.record_writes import InvalidRecordError

MAX_INPUT_CHARS = 200
"""Longer offending values are cut in error messages."""


def _short(value: Any) -> Any:
    if isinstance(value, str) and len(value) > MAX_INPUT_CHARS:
        return value[:MAX_INPUT_CHARS] + "..."
    if isinstance(value, dict | list):
        text = str(value)
        return text if len(text) <= MAX_INPUT_CHARS else text[:MAX_INPUT_CHARS] + "..."
    return value


def problems(errors: Sequence[Any]) -> list[dict[str, Any]]:
    """Pydantic/FastAPI errors as ``{loc, msg, type, input}`` (JSON-safe, inputs cut short)."""
    out = []
    for error in errors:
        problem = FieldProblem(
            loc=[p if isinstance(p, int) else str(p) for p in error.get("loc", ())],
            msg=str(error.get("msg", "invalid")),
            type=str(error.get("type", "invalid")),
            input=_short(jsonable_encoder(error.get("input"), custom_encoder={bytes: repr})),
        )
        out.append(problem.model_dump())
    return out


class UnprocessableError(Exception):
    """A request whose content failed the importer's validation (answered with 422)."""

    def __init__(self, items: list[FieldProblem]) -> None:
        super().__init__("; ".join(f"{'.'.join(map(str, p.loc))}: {p.msg}" for p in items))
        self.items = items


async def _http_error(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    return json_response({"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers)


async def _validation_error(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    return json_response({"detail": problems(exc.errors())}, status_code=422)


async def _unprocessable(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, UnprocessableError)
    return json_response({"detail": [p.model_dump() for p in exc.items]}, status_code=422)


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(UnprocessableError, _unprocessable)


def invalid_record(
    exc: InvalidRecordError, path_fields: tuple[str, ...] = ()
) -> UnprocessableError:
    """The 422 for a record the importer's validation refused."""
    where = "path" if exc.field in path_fields else "body"
    loc: list[str | int] = [where] if exc.field is None else [where, exc.field]
    return UnprocessableError(
        [FieldProblem(loc=loc, msg=exc.message, type=exc.reason, input=_short(exc.value))]
    )


def check_path_id(name: str, value: str) -> str:
    """An id from the URL, refused (422) when the store could not hold it as given."""
    reason = field_problem(name, value)
    if reason is None and value != value.strip():
        reason = "surrounding_whitespace"
    if reason is None and not value:
        reason = "missing_required"
    if reason is not None:
        text = (
            f"{name} must not start or end with whitespace"
            if reason == "surrounding_whitespace"
            else message(reason, name)
        )
        raise UnprocessableError(
            [FieldProblem(loc=["path", name], msg=text, type=reason, input=_short(value))]
        )
    return value
