"""The kinds of copy recmind writes: their parts, length limits and output format.

=============  ==============================================  ================================
kind           parts                                           limits (filled text)
=============  ==============================================  ================================
email          subject, preheader, body, cta                   78, 110, 1000, 30
push           text                                            ``marketing.push_max_chars``
sms            text                                            one SMS: 160 GSM-7 or 70 Unicode
ad             headline1-3, description1-2                     30 and 90 (CJK counts twice)
slogan         text                                            60
description    text                                            700
review-reply   text                                            500
=============  ==============================================  ================================

Multi-part kinds are asked of the local model as labelled lines (``Subject: ...``,
``Body: ...``), parsed leniently, and of other backends as JSON under the kind's schema;
single texts as plain text. The local model runs unconstrained on purpose: measured on
Qwen2.5-1.5B here, the grammar llama.cpp derives from a JSON schema halved decoding speed,
and a grammar of exactly the labelled lines made the model loop inside a line or leave the
body empty, where the same prompt without a grammar answered well-formed lines.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal, get_args

from recmind.marketing.copy.limits import Limit, ad_width, sms_limit

LABELS = {
    "subject": "Subject",
    "preheader": "Preheader",
    "body": "Body",
    "cta": "Button",
    "headline1": "Headline 1",
    "headline2": "Headline 2",
    "headline3": "Headline 3",
    "description1": "Description 1",
    "description2": "Description 2",
}
CopyKind = Literal["email", "push", "sms", "ad", "slogan", "description", "review-reply"]
COPY_KINDS: tuple[CopyKind, ...] = get_args(CopyKind)


def _sms_fits(text: str) -> int:
    """SMS length as a share of its own limit, scaled to 160 (fits when <= 160)."""
    return len(text) * 160 // sms_limit(text) if text else 0


@dataclass(frozen=True)
class KindSpec:
    """One kind of copy.

    Attributes:
        kind: Its name.
        parts: The texts it is made of, in order.
        limits: Each part's limit.
        json: Several parts (labelled lines, or JSON under :meth:`schema`), not one text.
        max_tokens: Bound on one generation.
        template: The prompt template.
        needs_items: At least one item is needed.
    """

    kind: CopyKind
    parts: tuple[str, ...]
    limits: dict[str, Limit]
    json: bool
    max_tokens: int
    template: str
    needs_items: bool = False

    @property
    def labels(self) -> dict[str, str]:
        """Each part's label in a labelled-lines answer."""
        return {p: LABELS.get(p, p.capitalize()) for p in self.parts}

    def schema(self) -> dict[str, Any] | None:
        """The JSON schema of the answer (None for plain text)."""
        if not self.json:
            return None
        # no maxLength: llama.cpp spells a bound of n characters out as n optional rules,
        # which makes sampling crawl; lengths are enforced on the filled text instead
        properties = {p: {"type": "string"} for p in self.parts}
        return {
            "type": "object",
            "properties": properties,
            "required": list(self.parts),
            "additionalProperties": False,
        }


def kind_spec(kind: CopyKind, *, push_max_chars: int = 160) -> KindSpec:
    """The spec of ``kind`` (``push_max_chars``: the shop's push limit)."""
    if kind == "email":
        return KindSpec(
            kind,
            ("subject", "preheader", "body", "cta"),
            {
                "subject": Limit(78),
                "preheader": Limit(110),
                "body": Limit(1000, ellipsis=True),
                "cta": Limit(30),
            },
            json=True,
            max_tokens=260,
            template="copy_email",
        )
    if kind == "ad":
        headline, description = Limit(30, ad_width), Limit(90, ad_width)
        return KindSpec(
            kind,
            ("headline1", "headline2", "headline3", "description1", "description2"),
            {
                "headline1": headline,
                "headline2": headline,
                "headline3": headline,
                "description1": description,
                "description2": description,
            },
            json=True,
            max_tokens=160,
            template="copy_ad",
            needs_items=True,
        )
    single = {
        "push": (Limit(push_max_chars, ellipsis=True), 70, False),
        "sms": (Limit(160, _sms_fits, ellipsis=True), 80, False),
        "slogan": (Limit(60), 30, False),
        "description": (Limit(700, ellipsis=True), 220, True),
        "review-reply": (Limit(500, ellipsis=True), 170, True),
    }
    limit, tokens, needs_items = single[kind]
    return KindSpec(
        kind,
        ("text",),
        {"text": limit},
        json=False,
        max_tokens=tokens,
        template=f"copy_{kind.replace('-', '_')}",
        needs_items=needs_items,
    )
