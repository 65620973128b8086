"""Rendering a message from personalised copy: the copy's parts around the catalogue's
items, tracked links and the unsubscribe link, in the copy's language (``message.j2``).

It is the counterpart of :func:`recmind.marketing.content.render.render_message` for
generated copy: the same variables (:func:`~recmind.marketing.content.render.
message_variables`: the shop, the person, the items with their links), the same payload for
webhooks and on-site messages, plus ``copy`` (which variant, written how, in which
language) in the payload.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from jinja2 import FileSystemLoader, StrictUndefined, Template, TemplateError
from jinja2.sandbox import ImmutableSandboxedEnvironment

from recmind.config.settings import Settings
from recmind.marketing.content.facts import ItemFacts, PersonFacts
from recmind.marketing.content.render import cut, message_variables
from recmind.marketing.content.templates import MessageTemplateError
from recmind.marketing.copy.personalise import PersonalCopy
from recmind.marketing.messages import Channel, RenderedMessage

_HERE = Path(__file__).parent
_text = ImmutableSandboxedEnvironment(
    loader=FileSystemLoader(str(_HERE)),
    undefined=StrictUndefined,
    autoescape=False,
    trim_blocks=True,
    lstrip_blocks=True,
)
_html = ImmutableSandboxedEnvironment(
    loader=FileSystemLoader(str(_HERE)),
    undefined=StrictUndefined,
    autoescape=True,
    trim_blocks=True,
    lstrip_blocks=True,
)
TEMPLATE = "message.j2"


def _part(template: Template, part: str, variables: dict[str, Any]) -> str:
    try:
        return "".join(template.blocks[part](template.new_context(dict(variables)))).strip()
    except TemplateError as error:
        raise MessageTemplateError(f"generated copy, part {part}: {error}") from error


def copy_variables(copy: PersonalCopy, shop_name: str) -> dict[str, str]:
    """Every part the layout reads, whatever the copy's kind."""
    parts = copy.parts
    text = parts.get("text", "")
    return {
        "subject": parts.get("subject", shop_name),
        "preheader": parts.get("preheader", ""),
        "body": parts.get("body", text),
        "cta": parts.get("cta", shop_name),
        "text": text or parts.get("preheader", "") or parts.get("subject", ""),
        "language": copy.language,
    }


def render_copy(
    settings: Settings,
    copy: PersonalCopy,
    *,
    message_id: str,
    channel: Channel,
    person: PersonFacts,
    items: Sequence[ItemFacts],
) -> RenderedMessage:
    """The message of ``copy`` for ``person`` with ``items`` (see the module's docstring)."""
    variables = message_variables(
        settings, message_id=message_id, channel=channel, person=person, items=items
    )
    variables["copy"] = copy_variables(copy, settings.marketing.shop_name)
    variables["zh"] = copy.language == "zh"
    text = _text.get_template(TEMPLATE)
    entries = variables["items"]
    payload: dict[str, Any] = {
        "message_id": message_id,
        "template": "generated",
        "url": entries[0]["link"] if entries else variables["shop"]["link"],
        "items": [
            {"item_id": i["item_id"], "title": i["title"], "price": i["price"], "url": i["link"]}
            for i in entries
        ],
        "copy": copy.payload(),
    }
    if channel == "email":
        subject = _part(text, "subject", variables)
        payload["preheader"] = _part(text, "preheader", variables)
        body_text = _part(text, "text", variables)
        body_html = _part(_html.get_template(TEMPLATE), "html", variables)
    else:
        subject = _part(text, "onsite_title", variables)
        payload["text"] = cut(_part(text, "push", variables), settings.marketing.push_max_chars)
        payload["title"] = subject
        payload["body"] = _part(text, "onsite_body", variables)
        body_text = payload["text"] if channel == "webhook" else payload["body"]
        body_html = ""
    return RenderedMessage(
        subject=" ".join(subject.split()),
        body_text=body_text + "\n",
        body_html=body_html,
        payload=payload,
        items=[item.item_id for item in items],
    )
