"""Request and response bodies of the recommendation and model-registry routes (pydantic
only: the typed client uses them too)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

MAX_K = 1000
LIST_CEILING = 10_000
"""No list parameter may be longer than this; the server's limits (RECMIND_API__MAX_*,
checked per request) are at most this and 1,000 or fewer by default."""
ItemIdField = Field(min_length=1, max_length=255)
Id = Annotated[str, Field(max_length=255)]
Category = Annotated[str, Field(max_length=255)]


class RecommendationQuery(BaseModel):
    """Query parameters of GET /v1/users/{user_id}/recommendations (validated at once: one
    model is several times cheaper per request than eight separate parameters)."""

    k: int = Field(default=10, ge=1, le=MAX_K, description="How many items.")
    category: list[Category] = Field(
        default_factory=list,
        max_length=LIST_CEILING,
        description="Only items in one of these categories (or below); at most "
        "RECMIND_API__MAX_FILTER_CATEGORIES (100).",
    )
    exclude: list[Id] = Field(
        default_factory=list,
        max_length=LIST_CEILING,
        description="Never these item ids; at most RECMIND_API__MAX_EXCLUDE_ITEMS (1,000).",
    )
    exclude_seen: bool = Field(default=True, description="Leave out what they touched.")
    in_stock: bool = Field(default=False, description="Only items in stock.")
    diversity: float = Field(
        default=0.0, ge=0.0, le=1.0, description="0 = by score only; 1 = most varied (MMR)."
    )
    explain: bool = Field(default=False, description="A readable reason for every item.")


class RecommendedItemOut(BaseModel):
    """One recommended item, with what a shop needs to show it."""

    item_id: str
    score: float = Field(description="The served model's score (for a new item: its cosine).")
    title: str
    category: str | None = Field(description="Categories as stored (``A|B``, ``Top/Sub``).")
    source: Literal["model", "fresh", "popular"] = Field(
        description="model: ranked by the served model; fresh: an item newer than the model, "
        "placed by text similarity to the history; popular: nothing is known about the person."
    )
    reason: str | None = Field(
        default=None, description="Why this item (only when asked with explain=true)."
    )


class RecommendationsOut(BaseModel):
    """A ranked list and the model version that produced it."""

    user_id: str | None = Field(description="The person (None for an anonymous session).")
    model: str
    version: str
    personalized: bool = Field(
        description="False when nothing is known about the person: the items are popular ones."
    )
    items: list[RecommendedItemOut]


class SimilarOut(BaseModel):
    """Items that go with one item."""

    item_id: str
    model: str
    version: str
    items: list[RecommendedItemOut]


class SessionIn(BaseModel):
    """An anonymous visitor's recent items, **oldest first** (the order they were seen)."""

    model_config = ConfigDict(extra="forbid")

    item_ids: list[Id] = Field(
        max_length=LIST_CEILING,
        description="Items the visitor engaged with, oldest first; unknown ids are ignored. "
        "At most RECMIND_API__MAX_SESSION_ITEMS (1,000).",
    )
    k: int = Field(default=10, ge=1, le=MAX_K, description="How many items.")
    category: list[Category] = Field(
        default_factory=list,
        max_length=LIST_CEILING,
        description="Only these categories; at most RECMIND_API__MAX_FILTER_CATEGORIES.",
    )
    exclude: list[Id] = Field(
        default_factory=list,
        max_length=LIST_CEILING,
        description="Never these item ids; at most RECMIND_API__MAX_EXCLUDE_ITEMS.",
    )
    exclude_seen: bool = Field(default=True, description="Leave out the session's items.")
    in_stock: bool = Field(default=False, description="Only items in stock.")
    diversity: float = Field(default=0.0, ge=0.0, le=1.0, description="0 = by score only.")
    explain: bool = Field(default=False, description="Add a readable reason to every item.")


class ModelVersionOut(BaseModel):
    """One saved model version."""

    version: str
    model: str
    created_at: str
    params: dict[str, Any]
    metrics: dict[str, Any]
    n_users: int
    n_items: int
    served: bool = Field(description="This version answers requests now.")
    latest: bool = Field(description="The registry's LATEST points here.")


class ModelsOut(BaseModel):
    """The model registry."""

    served: str | None = Field(description="Version answering requests (None: no model yet).")
    latest: str | None
    versions: list[ModelVersionOut] = Field(description="Oldest first.")


class ActivatedOut(BaseModel):
    served: str
    model: str


class TrainIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    model: str | None = Field(
        default=None,
        min_length=1,
        max_length=64,
        description="Model to train (default: the server's RECMIND_DEFAULT_MODEL).",
    )


class JobOut(BaseModel):
    """A training job."""

    job_id: str
    model: str
    status: Literal["running", "succeeded", "failed"]
    created_at: str
    finished_at: str | None = None
    version: str | None = Field(default=None, description="The version it published.")
    metrics: dict[str, Any] = Field(default_factory=dict)
    error: str | None = None


class TextJobOut(BaseModel):
    """A portrait or an explanation sentence being written by the language model (in a
    background worker, one at a time)."""

    job_id: str
    kind: Literal["portrait", "explanation", "copy"]
    status: Literal["queued", "running", "succeeded", "failed", "cancelled"]
    created_at: str
    finished_at: str | None = None
    status_url: str = Field(description="GET it until the status is final.")
    text: str | None = Field(default=None, description="The text, once succeeded.")
    source: str | None = Field(
        default=None,
        description="llm: generated and grounded; template or fallback: no generated draft "
        "passed the grounding check, so the text is built from the facts.",
    )
    note: str | None = None
    error: str | None = None


class ExplanationOut(BaseModel):
    """Why an item suits a person, from the served model and their history now."""

    user_id: str
    item_id: str
    title: str
    model: str
    version: str
    reason: str = Field(description="The template reason (every word from the facts).")
    because: list[str] = Field(description="Titles of the history items that count most.")
    shared: list[str] = Field(description="Tags the item shares with them.")
    method: str = Field(description="How contributions were measured.")
    sentence: str | None = Field(
        default=None, description="With generate=true: one generated, grounded sentence."
    )
    sentence_source: Literal["llm", "fallback"] | None = None
    sentence_note: str | None = Field(
        default=None, description="Why a sentence was asked for but not generated."
    )
