"""Settings of the customer-service assistant: ``Settings.assistant``, environment prefix
``RECMIND_ASSISTANT__`` (retrieval: ``RECMIND_ASSISTANT__RETRIEVAL__<FIELD>``)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from recmind.config.encoders import EncoderName


class RetrievalSettings(BaseModel):
    """Hybrid search over products, review snippets and policy passages
    (``recmind kb index``, ``recmind kb search``)."""

    model_config = ConfigDict(extra="forbid")

    encoder: EncoderName = Field(
        default="e5",
        description="Sentence encoder of the retrieval index (e5 puts Chinese and English "
        "questions and documents in one space); changing it rebuilds the vectors on the next "
        "`recmind kb index`.",
    )
    rrf_k: float = Field(
        default=60.0,
        gt=0,
        description="The k of reciprocal rank fusion: a document scores the sum over the "
        "lexical and semantic lists of weight / (k + rank).",
    )
    lexical_weight: float = Field(
        default=1.0, ge=0, description="Weight of the BM25 list in the fusion."
    )
    semantic_weight: float = Field(
        default=1.0, ge=0, description="Weight of the encoder's list in the fusion."
    )
    candidates: int = Field(
        default=100,
        ge=1,
        le=10_000,
        description="How deep each list (lexical, semantic) is read before fusion and filters.",
    )
    max_reviews_per_item: int = Field(
        default=3,
        ge=0,
        le=1_000,
        description="Review snippets indexed per item (the longest; 0 indexes no reviews).",
    )
    review_chars: int = Field(
        default=400, ge=40, description="Longest review snippet indexed, in characters."
    )
    title_boost: float = Field(
        default=0.5,
        ge=0,
        description="Rerank: a fused score is multiplied by 1 + this when every word of the "
        "document's title is in the query, or the whole title is.",
    )
    in_stock_boost: float = Field(
        default=0.02,
        ge=0,
        description="Rerank: multiplier bonus for a product (or a review of one) the store "
        "has in stock now (0.02 is about one place near the top of a fused list).",
    )
    language_boost: float = Field(
        default=0.0,
        ge=0,
        description="Rerank: multiplier bonus for a document in the question's language; "
        "for a knowledge base that holds its passages in several languages (0 where, as in "
        "the demo shop, policies exist in one language only and a Chinese question must "
        "find the English passage).",
    )


class AssistantSettings(BaseModel):
    """The customer-service assistant."""

    model_config = ConfigDict(extra="forbid")

    retrieval: RetrievalSettings = Field(
        default_factory=RetrievalSettings,
        description="Hybrid retrieval (RECMIND_ASSISTANT__RETRIEVAL__RRF_K, ...).",
    )
