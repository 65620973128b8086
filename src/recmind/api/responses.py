"""A JSON response serialised by orjson (fast, and numpy-aware)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import orjson
from starlette.responses import Response


def json_response(
    body: Any, status_code: int = 200, headers: Mapping[str, str] | None = None
) -> Response:
    try:
        payload = orjson.dumps(body, option=orjson.OPT_SERIALIZE_NUMPY)
    except TypeError:
        # orjson refuses integers past 64 bits (a client may send one); the standard
        # encoder writes them exactly.
        payload = json.dumps(body, default=str, ensure_ascii=False).encode()
    return Response(payload, status_code, headers, media_type="application/json")
