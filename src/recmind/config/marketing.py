"""Settings of automated marketing (journeys, campaigns, channels, consent and pressure):
``Settings.marketing``, environment prefix ``RECMIND_MARKETING__`` (a channel's own section is
``RECMIND_MARKETING__SMTP__HOST``, ``RECMIND_MARKETING__WEBHOOK__URL``, ...)."""

from __future__ import annotations

import re
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, Field, field_validator

CAP_PATTERN = re.compile(r"^(?P<channel>\*|[a-z]+):(?P<count>\d+)/(?P<amount>\d+)(?P<unit>[hd])$")
"""A frequency cap, ``CHANNEL:COUNT/WINDOW``: ``email:2/1d``, ``*:8/7d``, ``webhook:1/12h``."""


class SmtpSettings(BaseModel):
    """The SMTP server email is handed to (a relay such as Postfix, or a provider's SMTP)."""

    host: str = Field(default="127.0.0.1", description="SMTP server host.")
    port: int = Field(default=25, ge=1, le=65535, description="SMTP server port.")
    username: str = Field(default="", description="Login name (empty: no authentication).")
    password: str = Field(default="", description="Login password.")
    starttls: bool = Field(default=False, description="Upgrade the connection with STARTTLS.")
    ssl: bool = Field(default=False, description="Connect over TLS from the start (port 465).")
    tls_ca_file: Path | None = Field(
        default=None,
        description="CA certificates (PEM) that verify the server's certificate under STARTTLS "
        "or SSL (empty: the system's; a private relay's own CA goes here).",
    )
    sender: str = Field(
        default="shop@example.com", description="The From address of marketing email."
    )
    sender_name: str = Field(default="", description="The From display name.")
    timeout_seconds: float = Field(default=30.0, gt=0, description="Socket timeout.")
    connections: int = Field(
        default=4, ge=1, le=64, description="SMTP connections a worker keeps open at once."
    )
    dkim_domain: str = Field(default="", description="DKIM signing domain (empty: no DKIM).")
    dkim_selector: str = Field(default="", description="DKIM selector.")
    dkim_key_path: Path | None = Field(
        default=None, description="PEM private key that signs the DKIM signature."
    )


class WebhookSettings(BaseModel):
    """Messages of the webhook channel (a push or SMS provider, or the shop's own service)."""

    url: str = Field(default="", description="Where messages are POSTed (empty: channel off).")
    secret: str = Field(
        default="",
        description="HMAC-SHA256 key of the `X-Recmind-Signature` header (empty: unsigned).",
    )
    timeout_seconds: float = Field(default=10.0, gt=0, description="Request timeout.")


class MarketingSettings(BaseModel):
    """How the marketing engine sends, and the rules it never breaks."""

    public_url: str = Field(
        default="http://127.0.0.1:8000",
        description="The service's public address: unsubscribe and tracked links point here.",
    )
    shop_name: str = Field(default="recmind demo shop", description="Named in messages.")
    shop_url: str = Field(
        default="http://127.0.0.1:8000/shop",
        description="The shop's address: item links in messages point below it.",
    )
    currency: str = Field(
        default="USD",
        min_length=3,
        max_length=3,
        examples=["EUR"],
        description="ISO 4217 code prices are shown in (USD: $12.50; an unknown code: 12.50 CHF).",
    )
    exclude_bought_days: float = Field(
        default=30.0,
        ge=0,
        description="A message never recommends what the person bought in this many days "
        "(replenishment reminders aside).",
    )
    new_arrival_days: float = Field(
        default=30.0,
        gt=0,
        description="An item created this recently is a new arrival (for new-arrival "
        "messages, in the person's categories).",
    )
    push_max_chars: int = Field(
        default=160,
        ge=20,
        le=2000,
        description="Hard length limit of a webhook/push message's text (an SMS is 160).",
    )
    templates_dir: Path | None = Field(
        default=None,
        description="The shop's own message templates (Jinja2), used before the built-in ones "
        "of the same name.",
    )
    journeys_dir: Path | None = Field(
        default=None,
        description="Journey files (YAML or JSON) that `recmind worker` applies at start.",
    )
    serve_worker: bool = Field(
        default=False,
        description="Run the marketing worker inside `recmind serve` (one process for a "
        "small shop; `recmind serve --worker` sets it too). Separate `recmind worker` "
        "processes may run beside it.",
    )
    worker_poll_seconds: float = Field(
        default=1.0, gt=0, description="How often an idle `recmind worker` looks for work."
    )
    trigger_overlap_seconds: float = Field(
        default=600.0,
        ge=0,
        description="Journey triggers re-read this much of the event stream before their "
        "cursor, so events that arrive late (dated earlier than ones already read) still "
        "trigger; nobody enters twice for the same event.",
    )
    trigger_scan_seconds: float = Field(
        default=60.0,
        gt=0,
        description="How often the triggers that look at everyone (date attributes, "
        "inactivity, churn risk) run; event and catalogue triggers run every round.",
    )
    claim_seconds: float = Field(
        default=120.0,
        gt=0,
        description="How long a worker holds a claimed step or message before another may "
        "take it over (a worker that died).",
    )
    batch_size: int = Field(default=500, ge=1, description="Steps or messages claimed at once.")
    max_attempts: int = Field(
        default=8, ge=1, description="Delivery attempts before a message is dead-lettered."
    )
    retry_base_seconds: float = Field(
        default=30.0, gt=0, description="First retry delay; doubles each attempt (with jitter)."
    )
    quiet_start_hour: int = Field(
        default=21,
        ge=0,
        le=23,
        description="Quiet hours begin at this local hour of the person's time zone (messages "
        "wait for the end, never dropped).",
    )
    quiet_end_hour: int = Field(
        default=8, ge=0, le=23, description="Quiet hours end at this local hour."
    )
    default_timezone: str = Field(
        default="UTC",
        examples=["Europe/Berlin"],
        description="Time zone of people whose profile names none.",
    )
    caps: list[str] = Field(
        default_factory=lambda: ["email:2/1d", "email:5/7d", "webhook:3/1d", "*:8/7d"],
        examples=[["email:1/1d", "*:4/7d"]],
        description="Frequency caps, CHANNEL:COUNT/WINDOW (window in h or d; channel `*`: all "
        "channels together). A message over a cap is skipped with the reason.",
    )
    holdout_percent: float = Field(
        default=5.0,
        ge=0,
        le=50,
        description="Global holdout: this stable share of people gets no marketing message, so "
        "that incrementality can be measured.",
    )
    holdout_salt: str = Field(
        default="recmind-holdout-v1",
        description="Salt of the holdout assignment (a hash of salt and user id): changing it "
        "draws a new holdout, so keep it fixed while a measurement runs.",
    )
    unsubscribe_mailbox: str = Field(
        default="",
        description="Address of a `mailto:` List-Unsubscribe next to the one-click URL (empty: "
        "URL only).",
        json_schema_extra={"default_text": "-"},
    )
    attribution_days: float = Field(
        default=5.0,
        gt=0,
        description="A purchase within this many days after a sent message is attributed to "
        "the last such message (last touch).",
    )
    smtp: SmtpSettings = Field(default_factory=SmtpSettings, description="Email over SMTP.")
    webhook: WebhookSettings = Field(
        default_factory=WebhookSettings, description="Signed HTTP POST channel."
    )

    @field_validator("caps")
    @classmethod
    def _caps_are_well_formed(cls, caps: list[str]) -> list[str]:
        """A bad cap is refused when the settings load, not at the first send."""
        for text in caps:
            found = CAP_PATTERN.match(text.strip())
            if found is None:
                raise ValueError(
                    f"cap {text!r} is not CHANNEL:COUNT/WINDOW (e.g. email:2/1d, *:8/7d; "
                    "window in h or d)"
                )
            if found["channel"] not in ("*", "email", "webhook", "onsite"):
                raise ValueError(
                    f"cap {text!r}: unknown channel {found['channel']!r} "
                    "(email, webhook, onsite or *)"
                )
            if int(found["amount"]) == 0:
                raise ValueError(f"cap {text!r}: the window must be longer than zero")
        return [text.strip() for text in caps]

    @field_validator("default_timezone")
    @classmethod
    def _zone_exists(cls, name: str) -> str:
        try:
            ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(
                f"unknown time zone {name!r} (an IANA name such as Europe/Paris)"
            ) from exc
        return name
