"""``StoredText``: a request string that reaches the store (as a value or a lookup key).

PostgreSQL refuses NUL bytes and SQLite mangles unpaired surrogates, so such text is refused
at the edge with a 422 naming the field rather than failing deep inside a query.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator

from recmind.data.online_checks import text_problem


def _storable(value: str | None) -> str | None:
    if value is not None and text_problem(value):
        raise ValueError("text the store cannot hold (NUL or unpaired surrogate characters)")
    return value


StoredText = Annotated[str, AfterValidator(_storable)]
"""Text that reaches the store: refused (422 naming the field) when it holds a NUL byte or
anything else the store cannot take."""
