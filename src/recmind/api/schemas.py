"""Request and response bodies of the data routes (pydantic only: the client uses them too).

Input fields accept any JSON scalar on purpose: values are checked by the importer's own
validation (:mod:`recmind.data.validate`), so the API and ``recmind import`` accept and
reject exactly the same things, with the same reasons.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from recmind.api.schemas_handoffs import HandoffOut
from recmind.data.online_checks import text_problem

Scalar = str | int | float | bool | None
"""A JSON scalar; its meaning is checked by the importer's validation."""


class FieldProblem(BaseModel):
    """One problem of a request: where (``loc``), what (``msg``, ``type``) and the value."""

    loc: list[str | int] = Field(description='Path to the value, e.g. ["body", "price"].')
    msg: str
    type: str = Field(description="Machine-readable reason, e.g. negative_value.")
    input: Any = Field(default=None, description="The offending value.")


class ErrorOut(BaseModel):
    """Every error answer."""

    detail: str | list[FieldProblem]
    request_id: str | None = Field(default=None, description="Only on 500: quote it.")


Responses = dict[int | str, dict[str, Any]]
"""The ``responses=`` of a FastAPI route."""

ERROR_RESPONSES: Responses = {
    401: {"model": ErrorOut, "description": "No API key, or an unknown or revoked one."},
    403: {"model": ErrorOut, "description": "The API key lacks the scope this route needs."},
    413: {"model": ErrorOut, "description": "The request body is too large."},
    429: {"model": ErrorOut, "description": "The key's rate limit is exceeded (Retry-After)."},
}
"""Documented on every route that needs a key."""


# -- events -----------------------------------------------------------------------------


class EventIn(BaseModel):
    """One behaviour event (the same fields as an imported events file)."""

    model_config = ConfigDict(extra="allow")

    event_id: Scalar = Field(
        default=None,
        description="Idempotency key; derived from user, item, type, time and query if absent.",
    )
    user_id: Scalar = Field(default=None, description="Required. Unknown users are created.")
    item_id: Scalar = Field(
        default=None, description="Required except for searches; must be in the catalogue."
    )
    event_type: Scalar = Field(
        default=None, description="view, click, add_to_cart, purchase, rating or search."
    )
    timestamp: Scalar = Field(
        default=None, description="Epoch seconds or ISO 8601 (UTC if no offset)."
    )
    value: Scalar = Field(default=None, description="The rating of a rating event; optional.")
    query: Scalar = Field(default=None, description="The text of a search event.")


class EventBatchIn(BaseModel):
    """Several events at once."""

    events: list[EventIn]


class RowRejection(BaseModel):
    """A rejected row: which one (0-based ``index``), which field and value, and why."""

    index: int
    field: str | None
    value: Any = None
    reason: str
    message: str


class IngestResult(BaseModel):
    """What happened to every row of a POST /v1/events (acknowledged only once durable)."""

    received: int
    accepted: int = Field(description="Rows stored now.")
    duplicates: int = Field(description="Rows already stored (same event_id or same event).")
    rejected: list[RowRejection] = Field(description="Rows that failed validation.")
    users_created: int = Field(description="Users seen for the first time.")
    event_ids: list[str | None] = Field(
        description="Per row: its event id (given or derived), null for rejected rows."
    )
    duplicate_indices: list[int]


# -- items and users --------------------------------------------------------------------


class ItemIn(BaseModel):
    """A catalogue item (PUT: ``title`` is required; PATCH: any subset)."""

    model_config = ConfigDict(extra="forbid")

    title: Scalar = None
    description: Scalar = None
    category: Scalar = Field(default=None, description='"A|B" for several, "A/B" for a path.')
    price: Scalar = Field(default=None, description="Not negative.")
    stock: Scalar = Field(default=None, description="A whole number, not negative.")
    language: Scalar = None
    attributes: dict[str, Any] | str | None = Field(
        default=None, description="A JSON object (or its JSON text)."
    )


class ItemOut(BaseModel):
    item_id: str
    title: str
    description: str | None = None
    category: str | None = None
    price: float | None = None
    stock: int | None = None
    language: str | None = None
    attributes: dict[str, Any] = Field(default_factory=dict)


class ItemPage(BaseModel):
    items: list[ItemOut]
    total: int
    limit: int
    offset: int


class UserIn(BaseModel):
    """A user (PUT replaces every field given or not, except ``created_at``, which keeps
    its stored value when absent; PATCH: any subset)."""

    model_config = ConfigDict(extra="forbid")

    created_at: Scalar = Field(default=None, description="Epoch seconds or ISO 8601.")
    email: Scalar = None
    consent_email: Scalar = Field(
        default=None, description="Marketing e-mail consent: true/false (yes/no, 1/0)."
    )
    timezone: Scalar = None
    attributes: dict[str, Any] | str | None = Field(
        default=None, description="A JSON object (or its JSON text)."
    )


class UserOut(BaseModel):
    user_id: str
    created_at: float | None = None
    email: str | None = None
    consent_email: bool | None = None
    timezone: str | None = None
    attributes: dict[str, Any] = Field(default_factory=dict)


# -- orders -----------------------------------------------------------------------------


class OrderIn(BaseModel):
    """An order (PUT: ``user_id``, ``created_at``, ``status`` and ``lines`` are required;
    PATCH: any subset, e.g. a new status and tracking number)."""

    model_config = ConfigDict(extra="forbid")

    user_id: Scalar = Field(default=None, description="Whose order. Unknown users are created.")
    created_at: Scalar = Field(default=None, description="Epoch seconds or ISO 8601.")
    status: Scalar = Field(
        default=None, description="placed, paid, shipped, delivered, cancelled or returned."
    )
    lines: list[Any] | str | None = Field(
        default=None,
        description="[{item_id, quantity, unit_price}, ...] (or its JSON text); every item "
        "must be in the catalogue.",
    )
    total: Scalar = Field(default=None, description="What the person paid; not negative.")
    currency: Scalar = Field(default=None, description="ISO 4217 code, e.g. EUR.")
    carrier: Scalar = None
    tracking_number: Scalar = None
    expected_delivery: Scalar = Field(default=None, description="Epoch seconds or ISO 8601.")


class OrderLineOut(BaseModel):
    item_id: str
    quantity: int
    unit_price: float


class OrderOut(BaseModel):
    order_id: str
    user_id: str
    created_at: float
    status: str
    lines: list[OrderLineOut]
    total: float | None = None
    currency: str | None = None
    carrier: str | None = None
    tracking_number: str | None = None
    expected_delivery: float | None = None


class OrderPage(BaseModel):
    """A person's orders, newest first."""

    orders: list[OrderOut]
    total: int
    limit: int
    offset: int


# -- profile and privacy ----------------------------------------------------------------


class TagOut(BaseModel):
    tag: str
    kind: str
    count: int
    weight: float
    share: float
    lift: float


class RecentOut(BaseModel):
    item_id: str
    title: str
    timestamp: float | None
    event_type: str
    value: float | None


class ProfileOut(BaseModel):
    """Interest tags, a portrait and recent activity, all traceable to the data."""

    user_id: str
    n_events: int
    n_items: int
    first_seen: float | None
    last_seen: float | None
    event_counts: dict[str, int]
    tags: list[TagOut]
    recent: list[RecentOut]
    portrait: str
    portrait_source: Literal["llm", "template"]
    portrait_note: str | None = Field(
        default=None, description="Why a generated portrait was asked for but not given."
    )


class EventOut(BaseModel):
    event_id: str
    user_id: str
    item_id: str | None
    event_type: str
    timestamp: float
    value: float | None
    query: str | None


class ReviewOut(BaseModel):
    review_id: str
    user_id: str
    item_id: str
    rating: float | None
    text: str | None
    timestamp: float | None


class GeneratedTextOut(BaseModel):
    kind: str
    text: str
    created_at: float


class UserExport(BaseModel):
    """Everything recmind stores about one user."""

    user_id: str
    exported_at: float
    user: UserOut | None
    events: list[EventOut]
    reviews: list[ReviewOut]
    orders: list[OrderOut] = Field(default_factory=list)
    handoffs: list[HandoffOut] = Field(
        default_factory=list, description="Conversations handed to a human."
    )
    profile: ProfileOut | None
    generated_texts: list[GeneratedTextOut]
    quarantined: list[dict[str, Any]] = Field(
        description="Rejected input rows that named this user."
    )


class ErasureOut(BaseModel):
    """What erasing a user removed."""

    user_id: str
    user_row: bool
    events: int
    reviews: int
    orders: int = 0
    handoffs: int = 0
    generated_texts: int
    quarantine_rows: int


# -- keys and health --------------------------------------------------------------------


class KeyCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    scopes: list[str] = Field(
        min_length=1, max_length=16, description="ingest, read, admin, marketing, support."
    )
    name: str | None = Field(default=None, max_length=200)

    @field_validator("name")
    @classmethod
    def _storable(cls, value: str | None) -> str | None:
        if value is not None and text_problem(value):
            raise ValueError("name contains a NUL character or invalid unicode")
        return value


class KeyOut(BaseModel):
    key_id: str
    name: str | None
    scopes: list[str]
    created_at: float
    revoked_at: float | None
    last_used_at: float | None


class KeyCreated(KeyOut):
    key: str = Field(description="The key itself: shown this once, store it now.")


class Health(BaseModel):
    status: Literal["ok"] = "ok"


class LoadFailureOut(BaseModel):
    """A published version that failed to load (the previous one keeps serving)."""

    version: str
    error: str
    attempts: int = Field(description="Failed loads of this version so far.")
    next_retry_at: str = Field(description="When the next load is tried (UTC, ISO 8601).")


class Readiness(BaseModel):
    ready: bool
    store: bool
    model: bool
    model_name: str | None
    model_version: str | None
    detail: str | None = None
    load_failure: LoadFailureOut | None = Field(
        default=None, description="The newest published version, when it failed to load."
    )
