"""Rendering one message for one person: the template's parts filled with facts from the
store (:mod:`recmind.marketing.content.facts`) and links that are tracked and signed.

What a template may use (every value comes from the store or the settings):

``shop``
    ``name``, ``url`` (as shown), ``link`` (the tracked link to it).
``person``
    ``user_id``, ``first_name`` (from the profile's attributes; None when unknown).
``items`` / ``item``
    The message's items, best first (``item``: the first, None without items), each with
    ``item_id``, ``title``, ``price`` (formatted in the shop's currency; None when the
    catalogue has no price), ``old_price`` (the reference price of a recent reduction, else
    None), ``discount_percent``, ``stock``, ``in_stock``, ``low_stock``, ``category``,
    ``url`` (the item's page) and ``link`` (the tracked link to it).
``unsubscribe_url``, ``message_id``, ``channel``, ``context``, ``preheader``
    The one-click unsubscribe page, the message's id and channel, the request's context
    (a campaign's headline and intro), and the rendered preheader (for the HTML part).

Only the parts a channel uses are rendered (an email: subject, preheader, text and HTML;
webhook and on-site: the on-site title and body and the push text), which halves the work of
a campaign; a preview renders everything.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from recmind.config.settings import Settings
from recmind.marketing.content.facts import ItemFacts, PersonFacts, format_money
from recmind.marketing.content.templates import PARTS, MessageTemplate, get_template
from recmind.marketing.messages import Channel, RenderedMessage
from recmind.marketing.tracking.links import click_url, unsubscribe_url

EMAIL_PARTS = ("subject", "preheader", "text", "html")
SHORT_PARTS = ("onsite_title", "onsite_body", "push")
ELLIPSIS = "…"


def cut(text: str, limit: int) -> str:
    """``text`` at most ``limit`` characters long (cut at a word where one is near)."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    head = text[: limit - len(ELLIPSIS)]
    space = head.rfind(" ")
    if space >= limit // 2:
        head = head[:space]
    return head.rstrip(" ,.;:-") + ELLIPSIS


def _money(amount: float | None, settings: Settings) -> str | None:
    return None if amount is None else format_money(amount, settings.marketing.currency)


def item_variables(
    settings: Settings, message_id: str, item: ItemFacts, *, track: bool = True
) -> dict[str, Any]:
    """What a template knows about one item."""
    return {
        "item_id": item.item_id,
        "title": item.title,
        "price": _money(item.price, settings),
        "price_value": item.price,
        "old_price": _money(item.old_price, settings),
        "old_price_value": item.old_price,
        "discount_percent": item.discount_percent,
        "stock": item.stock,
        "in_stock": item.in_stock,
        "low_stock": item.low_stock,
        "category": item.category,
        "url": item.url,
        "link": click_url(settings, message_id, item.url) if track else item.url,
    }


def message_variables(
    settings: Settings,
    *,
    message_id: str,
    channel: Channel,
    person: PersonFacts,
    items: Sequence[ItemFacts],
    context: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Everything a template may use for this message (see the module's docstring)."""
    marketing = settings.marketing
    rendered_items = [item_variables(settings, message_id, item) for item in items]
    return {
        "shop": {
            "name": marketing.shop_name,
            "url": marketing.shop_url,
            "link": click_url(settings, message_id, marketing.shop_url),
        },
        "person": {"user_id": person.user_id, "first_name": person.first_name},
        "items": rendered_items,
        "item": rendered_items[0] if rendered_items else None,
        "unsubscribe_url": unsubscribe_url(settings, message_id),
        "message_id": message_id,
        "channel": channel,
        "context": dict(context or {}),
    }


def _payload(
    template: MessageTemplate,
    variables: Mapping[str, Any],
    parts: Mapping[str, str],
    limit: int,
) -> dict[str, Any]:
    """The webhook's body and the on-site message: short texts, the first link, the items."""
    items: list[dict[str, Any]] = variables["items"]
    first = items[0]["link"] if items else variables["shop"]["link"]
    payload: dict[str, Any] = {
        "message_id": variables["message_id"],
        "template": template.name,
        "url": first,
        "items": [
            {"item_id": i["item_id"], "title": i["title"], "price": i["price"], "url": i["link"]}
            for i in items
        ],
    }
    if "push" in parts:
        payload["text"] = cut(parts["push"], limit)
    if "onsite_title" in parts:
        payload["title"] = parts["onsite_title"]
        payload["body"] = parts["onsite_body"]
    return payload


def render_message(
    settings: Settings,
    template_name: str,
    *,
    message_id: str,
    channel: Channel,
    person: PersonFacts,
    items: Sequence[ItemFacts],
    context: Mapping[str, Any] | None = None,
    all_parts: bool = False,
) -> RenderedMessage:
    """The message ``template_name`` for ``person`` with ``items`` (best first).

    Renders the parts ``channel`` needs (``all_parts``: every part, for a preview);
    raises :class:`~recmind.marketing.content.templates.MessageTemplateError` when the
    template is unknown or fails."""
    template = get_template(settings, template_name)
    variables = message_variables(
        settings,
        message_id=message_id,
        channel=channel,
        person=person,
        items=items,
        context=context,
    )
    wanted = PARTS if all_parts else (EMAIL_PARTS if channel == "email" else SHORT_PARTS)
    parts: dict[str, str] = {}
    if "preheader" in wanted:
        parts["preheader"] = template.render_part("preheader", variables)
        variables["preheader"] = parts["preheader"]
    else:
        variables["preheader"] = ""
    for part in wanted:
        if part not in parts:
            parts[part] = template.render_part(part, variables)
    limit = settings.marketing.push_max_chars
    payload = _payload(template, variables, parts, limit)
    if "preheader" in parts:
        payload["preheader"] = parts["preheader"]
    if channel == "email" or all_parts:
        subject, text, html = parts["subject"], parts["text"], parts["html"]
    elif channel == "webhook":
        subject, text, html = parts["onsite_title"], payload["text"], ""
    else:
        subject, text, html = parts["onsite_title"], parts["onsite_body"], ""
    return RenderedMessage(
        subject=" ".join(subject.split()),
        body_text=text + "\n",
        body_html=html,
        payload=payload,
        items=[item.item_id for item in items],
    )
