"""The outermost layer of every request: request id, body-size limit, timing, metrics, one
JSON log line, and a clean 500 (no stack trace) for anything unhandled.

Log lines name the route template, never the path: paths hold user ids, and an erased user
must not linger in the logs either.

Written as plain ASGI rather than ``BaseHTTPMiddleware``: it adds microseconds, not the
hundreds a streaming wrapper costs, and the latency bar is a few milliseconds.
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from typing import Any

import orjson
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from recmind.api.logs import ACCESS_LOGGER
from recmind.api.metrics import ApiMetrics

logger = logging.getLogger("recmind.api")
access = logging.getLogger(ACCESS_LOGGER)

REQUEST_ID_HEADER = "x-request-id"
_VALID_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
UNMATCHED = "<unmatched>"
"""Route label of requests no route matched (keeps the metrics' label set bounded)."""


class BodyTooLargeError(Exception):
    """The request body is larger than the limit."""


def _header(scope: Scope, name: bytes) -> bytes | None:
    for key, value in scope.get("headers", ()):
        if key == name:
            return bytes(value)
    return None


def route_template(scope: Scope) -> str:
    """The path template of the matched route (``/v1/items/{item_id}``)."""
    route = scope.get("route")
    path = getattr(route, "path_format", None) or getattr(route, "path", None)
    return str(path) if path else UNMATCHED


async def _send_json(send: Send, status: int, body: dict[str, Any], headers: list[Any]) -> None:
    payload = orjson.dumps(body)
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(payload)).encode()),
                *headers,
            ],
        }
    )
    await send({"type": "http.response.body", "body": payload})


class RequestContextMiddleware:
    """See the module docstring. ``scope["state"]["key_id"]`` (set by the auth dependency)
    names the API key in the log line."""

    def __init__(
        self, app: ASGIApp, *, metrics: ApiMetrics, max_body_bytes: int, log_requests: bool
    ) -> None:
        self.app = app
        self.metrics = metrics
        self.max_body_bytes = max_body_bytes
        self.log_requests = log_requests

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        given = _header(scope, REQUEST_ID_HEADER.encode())
        text = given.decode("latin-1") if given else ""
        request_id = text if _VALID_ID.match(text) else uuid.uuid4().hex
        scope.setdefault("state", {})
        scope["state"]["request_id"] = request_id
        id_header = (REQUEST_ID_HEADER.encode(), request_id.encode())
        status = 500
        started = False

        async def send_with_id(message: Message) -> None:
            nonlocal status, started
            if message["type"] == "http.response.start":
                started = True
                status = int(message["status"])
                message["headers"] = [*message.get("headers", ()), id_header]
            await send(message)

        try:
            receive = await self._limit_body(scope, receive)
            await self.app(scope, receive, send_with_id)
        except BodyTooLargeError:
            status = 413
            if not started:
                await _send_json(
                    send,
                    413,
                    {"detail": f"request body larger than {self.max_body_bytes} bytes"},
                    [id_header, (b"connection", b"close")],
                )
        except Exception:
            status = 500
            logger.exception(
                "unhandled error",
                extra={"request_id": request_id, "route": route_template(scope)},
            )
            if not started:
                await _send_json(
                    send, 500, {"detail": "internal error", "request_id": request_id}, [id_header]
                )
        finally:
            self._record(scope, status, time.perf_counter() - start, request_id)

    async def _limit_body(self, scope: Scope, receive: Receive) -> Receive:
        """Refuse a declared Content-Length above the limit at once; read a body without
        one (chunked) up to the limit before the app sees it."""
        length = _header(scope, b"content-length")
        if length is not None:
            try:
                declared = int(length)
            except ValueError:
                declared = 0
            if declared > self.max_body_bytes:
                raise BodyTooLargeError
            return receive
        if _header(scope, b"transfer-encoding") is None:
            return receive
        messages: list[Message] = []
        total = 0
        while True:
            message = await receive()
            messages.append(message)
            if message["type"] != "http.request":
                break
            total += len(message.get("body", b""))
            if total > self.max_body_bytes:
                raise BodyTooLargeError
            if not message.get("more_body", False):
                break

        async def replay() -> Message:
            if messages:
                return messages.pop(0)
            return await receive()

        return replay

    def _record(self, scope: Scope, status: int, seconds: float, request_id: str) -> None:
        route = route_template(scope)
        method = str(scope.get("method", ""))
        self.metrics.observe(method, route, status, seconds)
        if self.log_requests:
            state = scope.get("state", {})
            access.info(
                "request",
                extra={
                    "method": method,
                    "route": route,
                    "status": status,
                    "ms": round(seconds * 1000.0, 3),
                    "key_id": state.get("key_id"),
                    "request_id": request_id,
                },
            )
