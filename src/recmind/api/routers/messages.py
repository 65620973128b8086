"""A person's on-site messages: ``/v1/users/{user_id}/messages`` (``read`` scope, the scope
the shop's pages already use for a person's recommendations).

The shop fetches what to show a signed-in customer and marks a message read when it was
seen. Only delivered messages are listed: the outbox delivers an on-site message (status
``sent``) after the send-time rules allowed it, so one that was skipped (no consent, a
suppression, a cap, the holdout) never appears.
"""

from __future__ import annotations

import time
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Depends, HTTPException, Path, Query

from recmind.api.deps import StoreDep, require_scope
from recmind.api.errors import check_path_id
from recmind.api.schemas import ERROR_RESPONSES, ErrorOut, Responses
from recmind.api.schemas_outbox import OnsiteMessageList, ReadOut
from recmind.marketing.outbox.queries import OutboxNotFoundError, mark_read, onsite_messages

router = APIRouter(
    tags=["on-site messages"],
    responses=ERROR_RESPONSES,
    dependencies=[Depends(require_scope("read"))],
)
UserId = Annotated[str, Path(min_length=1, max_length=255, description="The person's id.")]
MessageId = Annotated[str, Path(min_length=1, max_length=64, description="The message's id.")]
NOT_FOUND: Responses = {
    404: {"model": ErrorOut, "description": "The person has no such delivered message."}
}


def _out(row: dict[str, Any]) -> dict[str, Any]:
    return row | {
        "payload": orjson.loads(row["payload"]) if row.get("payload") else {},
        "items": orjson.loads(row["items"]) if row.get("items") else [],
    }


@router.get(
    "/v1/users/{user_id}/messages",
    response_model=OnsiteMessageList,
    summary="A person's on-site messages, newest first",
)
def get_messages(
    store: StoreDep,
    user_id: UserId,
    unread: Annotated[bool, Query(description="Only messages not yet marked read.")] = False,
    limit: Annotated[int, Query(ge=1, le=200)] = 20,
) -> dict[str, Any]:
    check_path_id("user_id", user_id)
    rows = [_out(r) for r in onsite_messages(store, user_id, unread_only=unread, limit=limit)]
    return {
        "user_id": user_id,
        "unread": sum(1 for r in rows if r["read_at"] is None),
        "messages": rows,
    }


@router.post(
    "/v1/users/{user_id}/messages/{message_id}/read",
    response_model=ReadOut,
    summary="Mark an on-site message read (the first time counts)",
    responses=NOT_FOUND,
)
def post_read(store: StoreDep, user_id: UserId, message_id: MessageId) -> dict[str, Any]:
    check_path_id("user_id", user_id)
    try:
        read_at = mark_read(store, user_id, message_id, now=time.time())
    except OutboxNotFoundError as exc:
        raise HTTPException(404, str(exc.args[0])) from exc
    return {"message_id": message_id, "read_at": read_at}
