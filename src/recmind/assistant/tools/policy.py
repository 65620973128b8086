"""``policy_lookup``: the shop's policy passages that best answer a question (the
knowledge base through the Retriever, ``kind=policy``)."""

from __future__ import annotations

from pydantic import BaseModel, Field

from recmind.assistant.tools.base import (
    Arguments,
    Citation,
    Tool,
    ToolContext,
    ToolRefusedError,
    ToolResult,
)


class PolicyLookupArgs(Arguments):
    """A question about shipping, returns, payment, sizing, warranty or privacy."""

    question: str = Field(min_length=1, max_length=500, description="The customer's question.")
    top: int = Field(default=3, ge=1, le=5, description="How many passages at most.")


class Passage(BaseModel):
    """One passage of the shop's policies, as the store has it now."""

    passage_id: str
    doc_id: str
    title: str
    text: str


class PolicyResult(ToolResult):
    """The best passages, best first."""

    passages: list[Passage]


def policy_lookup(context: ToolContext, args: PolicyLookupArgs) -> PolicyResult:
    if context.retriever is None:
        raise ToolRefusedError("unavailable", "the policy search is not available right now")
    hits = context.retriever.search(
        args.question, kinds=["policy"], top=args.top, language=context.language
    )
    passages = [
        Passage(
            passage_id=h.source,
            doc_id=str(h.metadata.get("doc_id", "")),
            title=h.title,
            text=h.text,
        )
        for h in hits
    ]
    return PolicyResult(
        passages=passages,
        citations=[Citation(kind="passage", id=p.passage_id) for p in passages],
    )


POLICY_LOOKUP: Tool[PolicyLookupArgs, PolicyResult] = Tool(
    name="policy_lookup",
    description=(
        "The shop's policy passages (shipping, returns, payment, sizing, warranty, privacy) "
        "that answer a question."
    ),
    arguments=PolicyLookupArgs,
    run=policy_lookup,
)
