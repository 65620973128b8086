"""Transport shared by every route group: one httpx client, bearer auth, error mapping."""

from __future__ import annotations

from types import TracebackType
from typing import Any, Self

import httpx


class ApiError(Exception):
    """A non-2xx answer: ``status``, the server's ``detail`` and the request id to quote."""

    def __init__(
        self,
        status: int,
        detail: Any,
        request_id: str | None = None,
        headers: httpx.Headers | None = None,
    ) -> None:
        super().__init__(f"HTTP {status}: {detail}")
        self.status = status
        self.detail = detail
        self.request_id = request_id
        self.headers = headers if headers is not None else httpx.Headers()


class BaseClient:
    """Holds the connection; route groups call :meth:`_request`."""

    def __init__(
        self,
        base_url: str,
        api_key: str | None = None,
        *,
        timeout: float = 30.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self._http = httpx.Client(
            base_url=base_url, headers=headers, timeout=timeout, transport=transport
        )

    def raw(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: dict[str, Any] | None = None,
        content: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        """Send one request and return the response as it is (no error mapping)."""
        if params:
            params = {k: v for k, v in params.items() if v is not None}
        return self._http.request(
            method, path, json=json, params=params, content=content, headers=headers
        )

    def _request(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: dict[str, Any] | None = None,
    ) -> Any:
        """Send one request; the decoded JSON body (None for 204), or :class:`ApiError`."""
        return self._request_with_status(method, path, json=json, params=params)[1]

    def _request_with_status(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: dict[str, Any] | None = None,
    ) -> tuple[int, Any]:
        """Send one request; ``(status, decoded JSON body)``, or :class:`ApiError`."""
        response = self.raw(method, path, json=json, params=params)
        if response.status_code >= 400:
            try:
                body = response.json()
                detail = body.get("detail", response.text) if isinstance(body, dict) else body
            except ValueError:
                detail = response.text
            raise ApiError(
                response.status_code,
                detail,
                response.headers.get("x-request-id"),
                response.headers,
            )
        if response.status_code == 204 or not response.content:
            return response.status_code, None
        return response.status_code, response.json()

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
