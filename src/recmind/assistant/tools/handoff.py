"""``handoff``: hand the conversation to a human (a row of the handoff queue,
:mod:`recmind.data.handoffs`), with a reason from a fixed set and a summary."""

from __future__ import annotations

import logging

from pydantic import Field

from recmind.assistant.tools.base import Arguments, Citation, Tool, ToolContext, ToolResult
from recmind.data.handoffs import Reason, enqueue

logger = logging.getLogger(__name__)


class HandoffArgs(Arguments):
    """Why a human should take over, and what they need to know."""

    reason: Reason = Field(
        description=(
            "low_confidence (no sure answer), asked_for_human, complaint, failed_check "
            "(an answer failed its check) or other."
        )
    )
    summary: str = Field(
        min_length=1, max_length=2000, description="The conversation in a few sentences."
    )


class HandoffResult(ToolResult):
    """The queued handoff."""

    handoff_id: str
    reason: str
    status: str


def handoff(context: ToolContext, args: HandoffArgs) -> HandoffResult:
    queued = enqueue(
        context.store,
        conversation_id=context.conversation_id,
        user_id=context.user_id,
        reason=args.reason,
        summary=args.summary,
        now=context.now(),
    )
    logger.info(
        "conversation %s handed off (%s): handoff %s",
        context.conversation_id,
        args.reason,
        queued.handoff_id,
    )
    return HandoffResult(
        handoff_id=queued.handoff_id,
        reason=queued.reason,
        status=queued.status,
        citations=[Citation(kind="handoff", id=queued.handoff_id)],
    )


HANDOFF: Tool[HandoffArgs, HandoffResult] = Tool(
    name="handoff",
    description=(
        "Hand the conversation to a human member of staff, with the reason and a summary."
    ),
    arguments=HandoffArgs,
    run=handoff,
)
