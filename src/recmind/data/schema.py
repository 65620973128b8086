"""SQLAlchemy table definitions of the store.

The first migration in ``migrations/versions`` creates exactly these tables; a test checks
that the migrated schema and this metadata agree. Timestamps are DOUBLE epoch seconds (UTC),
ids are strings, ``attributes`` columns hold JSON text (an object, keys sorted).
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Double,
    Index,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = MetaData(naming_convention=NAMING_CONVENTION)

ID = String(255)

items = Table(
    "items",
    metadata,
    Column("item_id", ID, primary_key=True),
    Column("title", Text, nullable=False),
    Column("description", Text),
    Column("category", Text),
    Column("price", Double),
    Column("stock", BigInteger),
    Column("language", String(32)),
    Column("attributes", Text),
)

users = Table(
    "users",
    metadata,
    Column("user_id", ID, primary_key=True),
    Column("created_at", Double),
    Column("email", Text),
    Column("consent_email", Boolean),
    Column("timezone", String(64)),
    Column("attributes", Text),
)

events = Table(
    "events",
    metadata,
    Column("event_id", ID, primary_key=True),
    Column("user_id", ID, nullable=False),
    Column("item_id", ID),
    Column("event_type", String(32), nullable=False),
    Column("timestamp", Double, nullable=False),
    Column("value", Double),
    Column("query", Text),
    # One unique index serves two needs: no event twice per (user, item, type, time), and
    # a user's history in time order (its leading columns are user_id, timestamp).
    UniqueConstraint("user_id", "timestamp", "item_id", "event_type"),
    Index(None, "item_id"),
    # Segments and the incremental feature refresh (migration 0005): who did what since a
    # moment, and one person's events of one type.
    Index(None, "event_type", "timestamp", "user_id"),
    Index(None, "user_id", "event_type", "timestamp"),
)

reviews = Table(
    "reviews",
    metadata,
    Column("review_id", ID, primary_key=True),
    Column("user_id", ID, nullable=False),
    Column("item_id", ID, nullable=False),
    Column("rating", Double),
    Column("text", Text),
    Column("timestamp", Double),
    Index(None, "item_id"),
    Index(None, "user_id"),
)

api_keys = Table(
    "api_keys",
    metadata,
    Column("key_id", String(64), primary_key=True),
    Column("name", Text),
    # HMAC-SHA256 (hex) of the whole key under the server secret: the key itself is never
    # stored, and a stolen table is useless without the secret.
    Column("key_hash", String(64), nullable=False),
    Column("scopes", Text, nullable=False),
    Column("created_at", Double, nullable=False),
    Column("revoked_at", Double),
    Column("last_used_at", Double),
)

tombstones = Table(
    "tombstones",
    metadata,
    # HMAC-SHA256 (hex) of the erased user's id under the server secret: every component
    # can ask "is this id erased?" while the table never holds the id itself.
    Column("subject", String(64), primary_key=True),
    # Everything the person had is dated at or before this moment (epoch seconds): the
    # later of the erasure's clock time and their newest erased row's timestamp.
    Column("erased_at", Double, nullable=False),
)

customer_features = Table(
    "customer_features",
    metadata,
    # One row per customer with at least one event before ``as_of``: what is known of them at
    # that moment (``recmind customers build``; refreshed incrementally from the event stream).
    # Moments are epoch seconds; windows count events in [as_of - N days, as_of).
    Column("user_id", ID, primary_key=True),
    Column("computed_at", Double, nullable=False),
    Column("as_of", Double, nullable=False),
    Column("first_event_at", Double),
    Column("last_event_at", Double),
    Column("first_purchase_at", Double),
    Column("last_purchase_at", Double),
    Column("last_view_at", Double),
    Column("last_cart_at", Double),
    Column("tenure_days", Double),
    Column("recency_days", Double),
    Column("purchase_count", BigInteger, nullable=False, default=0),
    Column("order_count", BigInteger, nullable=False, default=0),
    Column("monetary_total", Double, nullable=False, default=0.0),
    Column("avg_order_value", Double),
    Column("interpurchase_days", Double),
    Column("views_7d", BigInteger, nullable=False, default=0),
    Column("views_30d", BigInteger, nullable=False, default=0),
    Column("views_90d", BigInteger, nullable=False, default=0),
    Column("carts_7d", BigInteger, nullable=False, default=0),
    Column("carts_30d", BigInteger, nullable=False, default=0),
    Column("carts_90d", BigInteger, nullable=False, default=0),
    Column("purchases_7d", BigInteger, nullable=False, default=0),
    Column("purchases_30d", BigInteger, nullable=False, default=0),
    Column("purchases_90d", BigInteger, nullable=False, default=0),
    Column("events_7d", BigInteger, nullable=False, default=0),
    Column("events_30d", BigInteger, nullable=False, default=0),
    Column("events_90d", BigInteger, nullable=False, default=0),
    Column("top_category", Text),
    Column("category_shares", Text),
    Column("preferred_hour", BigInteger),
    Column("preferred_weekday", BigInteger),
    Column("consent_email", Boolean),
)

customer_predictions = Table(
    "customer_predictions",
    metadata,
    # The chosen lifetime-value model's view of each customer over ``horizon_days`` after
    # ``as_of``: probability of being active, expected purchases (orders) and spend, the
    # risk of no purchase in the horizon, and the expected next purchase moment.
    Column("user_id", ID, primary_key=True),
    Column("computed_at", Double, nullable=False),
    Column("as_of", Double, nullable=False),
    Column("horizon_days", Double, nullable=False),
    Column("model", String(64), nullable=False),
    Column("p_active", Double),
    Column("expected_purchases", Double),
    Column("expected_spend", Double),
    Column("churn_risk", Double),
    Column("next_purchase_at", Double),
)

segments = Table(
    "segments",
    metadata,
    # A named audience: a rule tree (JSON) over profiles, features, predictions, events and
    # other segments. Every change of the rule is a new version (``segment_versions``).
    Column("segment_id", String(64), primary_key=True),
    Column("name", Text, nullable=False),
    Column("description", Text),
    Column("rule", Text, nullable=False),
    Column("version", BigInteger, nullable=False),
    Column("builtin", Boolean, nullable=False, default=False),
    Column("created_at", Double, nullable=False),
    Column("updated_at", Double, nullable=False),
    Column("refreshed_at", Double),
    UniqueConstraint("name"),
)

segment_versions = Table(
    "segment_versions",
    metadata,
    Column("segment_id", String(64), primary_key=True),
    Column("version", BigInteger, primary_key=True),
    Column("rule", Text, nullable=False),
    Column("created_at", Double, nullable=False),
)

segment_members = Table(
    "segment_members",
    metadata,
    # Materialised membership history: a row per stay in the segment; ``exited_at`` is NULL
    # while the person is in it (journeys trigger on entering).
    Column("segment_id", String(64), primary_key=True),
    Column("user_id", ID, primary_key=True),
    Column("entered_at", Double, primary_key=True),
    Column("exited_at", Double),
    Index(None, "segment_id", "exited_at"),
    Index(None, "user_id"),
)

# --- Automated marketing (migration 0006): journeys, enrolments, campaigns, the outbox, ---
# --- consent and suppression, tracking, and the catalogue changes that trigger journeys. ---

journeys = Table(
    "journeys",
    metadata,
    # A triggered flow. ``definition`` is the validated JSON of the journey file; every change
    # is a new version (``journey_versions``); enrolments keep the version they entered.
    Column("journey_id", String(64), primary_key=True),
    Column("name", Text, nullable=False),
    Column("definition", Text, nullable=False),
    Column("version", BigInteger, nullable=False),
    Column("status", String(16), nullable=False),  # active | paused | archived
    Column("created_at", Double, nullable=False),
    Column("updated_at", Double, nullable=False),
)

journey_versions = Table(
    "journey_versions",
    metadata,
    Column("journey_id", String(64), primary_key=True),
    Column("version", BigInteger, primary_key=True),
    Column("definition", Text, nullable=False),
    Column("created_at", Double, nullable=False),
)

enrolments = Table(
    "enrolments",
    metadata,
    # One person's pass through one journey. The scheduler's work queue: ``state`` active with
    # ``due_at`` set means the step ``step_id`` is to be taken at ``due_at``; a worker claims a
    # row (``claimed_by`` until ``claimed_until``) before taking its step. ``entry_key`` makes
    # entering idempotent (the triggering event, change or day).
    Column("enrolment_id", String(64), primary_key=True),
    Column("journey_id", String(64), nullable=False),
    Column("version", BigInteger, nullable=False),
    Column("user_id", ID, nullable=False),
    Column("entry_key", Text, nullable=False),
    Column("state", String(16), nullable=False),  # active | completed | exited
    Column("step_id", String(64)),
    Column("due_at", Double),
    Column("waiting_since", Double),
    Column("context", Text),
    Column("entered_at", Double, nullable=False),
    Column("ended_at", Double),
    Column("exit_reason", Text),
    Column("claimed_by", String(64)),
    Column("claimed_until", Double),
    UniqueConstraint("journey_id", "user_id", "entry_key"),
    Index(None, "state", "due_at"),
    Index(None, "user_id", "journey_id", "entered_at"),
)

campaigns = Table(
    "campaigns",
    metadata,
    # A one-off or scheduled send to a segment or audience (``definition``: audience, channel,
    # template, recommendation slot).
    Column("campaign_id", String(64), primary_key=True),
    Column("name", Text, nullable=False),
    Column("definition", Text, nullable=False),
    Column("status", String(16), nullable=False),  # draft | scheduled | sending | sent | cancelled
    Column("scheduled_at", Double),
    Column("created_at", Double, nullable=False),
    Column("updated_at", Double, nullable=False),
    Column("started_at", Double),
    Column("finished_at", Double),
    Column("claimed_by", String(64)),
    Column("claimed_until", Double),
    Column("last_error", Text),  # why a campaign could not run (it is then cancelled)
)

outbox = Table(
    "outbox",
    metadata,
    # Every message, rendered and written here before any delivery. ``idempotency_key``
    # (source, enrolment or person, step) makes a second write of the same message a no-op.
    # ``status``: pending (to deliver at ``next_attempt_at``), sending (claimed), handoff (the
    # channel has everything but the final commit: counted as delivered if the worker dies),
    # sent, dead (given up: ``last_error``), skipped (a rule said no: ``skip_reason``).
    Column("message_id", String(64), primary_key=True),
    Column("idempotency_key", Text, nullable=False),
    Column("user_id", ID, nullable=False),
    Column("channel", String(16), nullable=False),
    Column("source_kind", String(16), nullable=False),  # journey | campaign | test
    Column("source_id", String(64), nullable=False),
    Column("enrolment_id", String(64)),
    Column("step_id", String(64)),
    Column("recipient", Text),
    Column("subject", Text),
    Column("body_text", Text),
    Column("body_html", Text),
    Column("payload", Text),
    Column("items", Text),
    Column("status", String(16), nullable=False),
    Column("skip_reason", Text),
    Column("attempts", BigInteger, nullable=False, default=0),
    Column("next_attempt_at", Double),
    Column("last_error", Text),
    Column("created_at", Double, nullable=False),
    Column("sent_at", Double),
    Column("read_at", Double),
    Column("claimed_by", String(64)),
    Column("claimed_until", Double),
    UniqueConstraint("idempotency_key"),
    Index(None, "status", "next_attempt_at"),
    Index(None, "user_id", "channel", "sent_at"),
    Index(None, "source_kind", "source_id"),
)

consents = Table(
    "consents",
    metadata,
    # Per-channel consent beyond ``users.consent_email`` (push, sms, webhook, on-site), and
    # the latest word on email too (a row here wins over the users column).
    Column("user_id", ID, primary_key=True),
    Column("channel", String(16), primary_key=True),
    Column("granted", Boolean, nullable=False),
    Column("updated_at", Double, nullable=False),
    Column("source", Text),
)

suppressions = Table(
    "suppressions",
    metadata,
    # Nobody here gets a message on ``channel`` (``*``: any): unsubscribed, bounced,
    # complained or added by hand. Checked at send time.
    Column("user_id", ID, primary_key=True),
    Column("channel", String(16), primary_key=True),
    Column("reason", String(32), nullable=False),
    Column("created_at", Double, nullable=False),
    Column("source", Text),
)

message_events = Table(
    "message_events",
    metadata,
    # What happened to a sent message: open (unreliable: privacy proxies open mail), click,
    # unsubscribe, bounce, complaint.
    Column("message_event_id", String(64), primary_key=True),
    Column("message_id", String(64), nullable=False),
    Column("user_id", ID, nullable=False),
    Column("kind", String(16), nullable=False),
    Column("at", Double, nullable=False),
    Column("url", Text),
    Index(None, "message_id"),
    Index(None, "user_id", "kind", "at"),
)

catalog_changes = Table(
    "catalog_changes",
    metadata,
    # Item changes that journeys trigger on (back in stock, price drop, new arrival), written
    # by every item write (API and import) with the values before and after.
    Column("change_id", String(64), primary_key=True),
    Column("item_id", ID, nullable=False),
    Column("kind", String(16), nullable=False),  # created | price | stock
    Column("old_value", Double),
    Column("new_value", Double),
    Column("changed_at", Double, nullable=False),
    Index(None, "changed_at"),
)

marketing_cursors = Table(
    "marketing_cursors",
    metadata,
    # How far a trigger scanner has read a stream (events, catalogue changes, segment entries).
    Column("name", String(64), primary_key=True),
    Column("position", Double, nullable=False),
    Column("updated_at", Double, nullable=False),
)

# --- Experiments (migration 0007): A/B/n tests and bandits, and every assignment or ---
# --- decision they made (with its propensity), so that readouts and off-policy estimates ---
# --- can be computed from the store. ---

experiments = Table(
    "experiments",
    metadata,
    # An A/B/n test (``kind`` ab: sticky shares by weight) or a Thompson-sampling bandit
    # (``kind`` bandit). ``variants``: JSON list of {name, weight, control}, exactly one control.
    # ``settings``: JSON of the metric (conversion event, attribution window, pre-period of
    # CUPED, confidence, prior, minimum share per arm). ``salt`` keys the sticky hash.
    Column("experiment_id", String(64), primary_key=True),
    Column("name", Text, nullable=False),
    Column("kind", String(16), nullable=False),  # ab | bandit
    Column("variants", Text, nullable=False),
    Column("salt", String(64), nullable=False),
    Column("status", String(16), nullable=False),  # draft | running | stopped
    Column("settings", Text, nullable=False),
    Column("description", Text),
    Column("winner", String(64)),  # the variant everyone gets once stopped (none: control)
    Column("created_at", Double, nullable=False),
    Column("updated_at", Double, nullable=False),
    Column("started_at", Double),
    Column("stopped_at", Double),
)

experiment_exposures = Table(
    "experiment_exposures",
    metadata,
    # One assignment (A/B: one per person, ``decision_key`` is the person) or bandit decision
    # (one per ``decision_key``: a message, an impression). ``propensity``: the probability the
    # policy gave the variant it chose (null for the people of the global holdout, logged
    # with variant ``holdout`` and never in an arm). ``reward`` is settled later from events.
    Column("exposure_id", String(64), primary_key=True),
    Column("experiment_id", String(64), nullable=False),
    Column("decision_key", Text, nullable=False),
    Column("user_id", ID, nullable=False),
    Column("variant", String(64), nullable=False),
    Column("at", Double, nullable=False),
    Column("propensity", Double),
    Column("context", Text),
    Column("reward", Double),
    Column("rewarded_at", Double),
    UniqueConstraint("experiment_id", "decision_key"),
    Index(None, "experiment_id", "user_id", "at"),
    Index(None, "user_id"),
)

# --- Copy generation (migration 0008): the shop's brand profile, facts about items read ---
# --- from their descriptions and reviews (with their source), and the copy variants a ---
# --- campaign or journey step generated once and personalises by slots. ---

brand_profiles = Table(
    "brand_profiles",
    metadata,
    # The shop's voice: tone, words to avoid, example texts, default language, the policies
    # copy may state (JSON of ``recmind.marketing.copy.brand.BrandProfile``).
    Column("brand_id", String(64), primary_key=True),
    Column("profile", Text, nullable=False),
    Column("updated_at", Double, nullable=False),
)

item_facts = Table(
    "item_facts",
    metadata,
    # What recmind read from an item's texts: ``fact`` attributes (extracted by the language
    # model, each value found in the text), sentiment (share of positive reviews) or
    # keywords (keyphrases); ``source`` the text it was read from (description | reviews);
    # ``value`` JSON; ``text_hash`` the sha256 of that text (unchanged text is not re-read);
    # ``model`` what read it.
    Column("item_id", ID, primary_key=True),
    Column("fact", String(32), primary_key=True),
    Column("source", String(32), primary_key=True),
    Column("value", Text, nullable=False),
    Column("text_hash", String(64), nullable=False),
    Column("model", Text),
    Column("built_at", Double, nullable=False),
)

copy_variants = Table(
    "copy_variants",
    metadata,
    # One generated text with slots (``{{price:item1}}``, ``{{name}}``), checked, for a scope
    # (``campaign:ID``, ``journey:ID:STEP``) and one (kind, language, segment, variant name);
    # ``source`` llm, or fallback (the template, when no generation passed the checker);
    # ``parts`` JSON of the texts by part; ``reasons`` JSON of why attempts were rejected.
    Column("variant_key", String(64), primary_key=True),
    Column("scope", Text, nullable=False),
    Column("kind", String(32), nullable=False),
    Column("language", String(8), nullable=False),
    Column("segment", Text),
    Column("name", String(64), nullable=False),
    Column("source", String(16), nullable=False),
    Column("parts", Text, nullable=False),
    Column("attempts", BigInteger, nullable=False),
    Column("reasons", Text),
    Column("model", Text),
    Column("seconds", Double),
    Column("created_at", Double, nullable=False),
    Index(None, "scope"),
)

# --- The shop's knowledge (migration 0009): orders, and the policy knowledge base ---
# --- (markdown documents split into passages by headings). ---

orders = Table(
    "orders",
    metadata,
    # A person's order. ``lines`` is JSON text of a list of {item_id, quantity, unit_price}
    # (nested values are JSON text here, as ``attributes`` are); ``status`` one of
    # ``recmind.data.bundle.ORDER_STATUSES``; ``created_at`` and ``expected_delivery`` epoch
    # seconds. Personal data: exported and erased with the person.
    Column("order_id", ID, primary_key=True),
    Column("user_id", ID, nullable=False),
    Column("created_at", Double, nullable=False),
    Column("status", String(16), nullable=False),
    Column("lines", Text, nullable=False),
    Column("total", Double),
    Column("currency", String(3)),
    Column("carrier", Text),
    Column("tracking_number", Text),
    Column("expected_delivery", Double),
    Index(None, "user_id", "created_at"),
)

kb_documents = Table(
    "kb_documents",
    metadata,
    # One markdown file of the shop's policies (``recmind kb import DIR``): ``doc_id`` its
    # path under DIR without ``.md``; ``content_hash`` the sha256 of its text (an unchanged
    # file is not re-split).
    Column("doc_id", String(255), primary_key=True),
    Column("title", Text, nullable=False),
    Column("source", Text, nullable=False),
    Column("content_hash", String(64), nullable=False),
    Column("passages", BigInteger, nullable=False),
    Column("imported_at", Double, nullable=False),
)

kb_passages = Table(
    "kb_passages",
    metadata,
    # A passage of a document: ``title`` the heading path ("Returns > Refunds"), ``body``
    # its text; ``passage_id`` derived from the document and the heading path, so a
    # re-import replaces rather than duplicates; ``position`` its order in the document.
    Column("passage_id", String(64), primary_key=True),
    Column("doc_id", String(255), nullable=False),
    Column("position", BigInteger, nullable=False),
    Column("title", Text, nullable=False),
    Column("body", Text, nullable=False),
    Index(None, "doc_id", "position"),
)

# --- The assistant's handoff queue (migration 0010) ---

handoffs = Table(
    "handoffs",
    metadata,
    # A conversation handed to a human: ``reason`` one of
    # ``recmind.data.handoffs.REASONS``, ``summary`` the conversation in a few lines,
    # ``status`` open -> taken (``taken_by`` a member of staff) -> closed. ``user_id`` is the
    # bound person (None: anonymous). Personal data: exported and erased with the person.
    Column("handoff_id", String(64), primary_key=True),
    Column("conversation_id", ID, nullable=False),
    Column("user_id", ID),
    Column("reason", String(32), nullable=False),
    Column("summary", Text, nullable=False),
    Column("created_at", Double, nullable=False),
    Column("status", String(16), nullable=False),
    Column("taken_by", Text),
    Column("taken_at", Double),
    Column("closed_at", Double),
    Index(None, "status", "created_at"),
    Index(None, "user_id"),
)

TABLES = {"items": items, "users": users, "events": events, "reviews": reviews, "orders": orders}
"""The store's data tables by entity name, in import order (``api_keys``,
``tombstones``, the derived customer and segment tables and the knowledge base are not
data)."""

PERSONAL_TABLES = (users, events, reviews, orders)
"""The data tables that hold a person's own records (keyed by ``user_id``): exported and
erased with them (:mod:`recmind.data.privacy`)."""

PERSONAL_DERIVED = (
    customer_features,
    customer_predictions,
    segment_members,
    enrolments,
    outbox,
    consents,
    suppressions,
    message_events,
    experiment_exposures,
    handoffs,
)
"""Derived tables keyed by ``user_id``: an erasure deletes the person's rows from each."""
