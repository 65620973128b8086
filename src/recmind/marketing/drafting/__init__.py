"""Segments drafted from plain language (English or Chinese) by the local model.

The model is asked for a rule under a JSON schema built from the shop's field catalogue,
categories, stored segments and shared attribute values (:mod:`.vocabulary`; llama.cpp
decodes under the grammar derived from it), shown worked examples from an imaginary shop
(:mod:`.examples`, :mod:`.prompt`); its answer is validated by the segments validator and
sent back once with the error when it fails (:mod:`.draft`); a valid rule is said in words
and counted (:mod:`.service`). No customer's data enters the prompt.
"""

from recmind.marketing.drafting.draft import Draft, DraftError, draft_rule
from recmind.marketing.drafting.service import (
    DraftedSegment,
    SegmentDrafter,
    drafting_llm_settings,
    member_ids,
)
from recmind.marketing.drafting.vocabulary import FieldDoc, Vocabulary, rule_schema

__all__ = [
    "Draft",
    "DraftError",
    "DraftedSegment",
    "FieldDoc",
    "SegmentDrafter",
    "Vocabulary",
    "draft_rule",
    "drafting_llm_settings",
    "member_ids",
    "rule_schema",
]
