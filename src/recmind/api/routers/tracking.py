"""The links inside messages: ``/u/{token}`` (unsubscribe), ``/c/{token}`` (tracked click),
``/o/{token}`` (open pixel). No API key: the people who follow them are the shop's
customers; the signed token (:mod:`recmind.marketing.tracking.links`) is the authority.

- ``GET /u/{token}`` shows a small page (no script, nothing loaded from elsewhere) whose
  button POSTs back; a GET never unsubscribes, since mail scanners fetch every link.
- ``POST /u/{token}`` unsubscribes at once: RFC 8058 one-click (body
  ``List-Unsubscribe=One-Click``, sent by mail providers from the ``List-Unsubscribe-Post``
  header, as ``multipart/form-data`` or form-encoded) and the page's form alike. Repeating it
  is harmless.
- ``GET /c/{token}`` records a click and redirects (302) to the URL signed into the token,
  nowhere else.
- ``GET /o/{token}`` returns a 1x1 transparent GIF and records an open (unreliable).

A token that does not verify gets a 404 saying so, and nothing is recorded.
"""

from __future__ import annotations

import html
import time

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.concurrency import run_in_threadpool

from recmind.api.deps import SettingsDep, StoreDep
from recmind.config import Settings
from recmind.marketing.policy.suppression import is_suppressed
from recmind.marketing.tracking.actions import (
    UnknownMessageError,
    click,
    opened,
    recipient_of,
    unsubscribe,
)
from recmind.marketing.tracking.links import InvalidTokenError, verify_token

router = APIRouter(tags=["tracking"])

PIXEL = (
    b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00"
    b"\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"
)
"""A 1x1 transparent GIF (43 bytes)."""
NO_STORE = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}
CHANNEL_WORDS = {"email": "emails", "webhook": "push and text messages", "onsite": "messages"}
_STYLE = (
    "body{font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem;"
    "color:#222}button{font-size:1rem;padding:.6rem 1.2rem;cursor:pointer}"
)


def _page(title: str, body: str, status: int = 200) -> HTMLResponse:
    document = (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>{html.escape(title)}</title><style>{_STYLE}</style></head>"
        f"<body><h1>{html.escape(title)}</h1>{body}</body></html>"
    )
    return HTMLResponse(document, status_code=status, headers=NO_STORE)


def _not_found(message: str) -> HTMLResponse:
    return _page("Link not valid", f"<p>{html.escape(message)}</p>", status=404)


def _shop(settings: Settings) -> str:
    return html.escape(settings.marketing.shop_name)


@router.get(
    "/u/{token}",
    response_class=HTMLResponse,
    summary="Unsubscribe page (no key)",
    responses={404: {"description": "The link is not valid or its message is unknown."}},
)
def unsubscribe_page(token: str, store: StoreDep, settings: SettingsDep) -> HTMLResponse:
    try:
        link = verify_token(settings, token, "unsubscribe")
        recipient = recipient_of(store, link.message_id)
    except (InvalidTokenError, UnknownMessageError) as exc:
        return _not_found(str(exc))
    what = CHANNEL_WORDS.get(recipient.channel, "messages")
    if is_suppressed(store, recipient.user_id, recipient.channel) is not None:
        return _page(
            "You are unsubscribed", f"<p>You get no more {what} from {_shop(settings)}.</p>"
        )
    form = (
        f"<p>Stop {what} from {_shop(settings)}?</p>"
        '<form method="post">'
        '<input type="hidden" name="List-Unsubscribe" value="One-Click">'
        f'<button type="submit">Unsubscribe from {what}</button></form>'
    )
    return _page("Unsubscribe", form)


@router.post(
    "/u/{token}",
    response_class=HTMLResponse,
    summary="One-click unsubscribe (RFC 8058; no key)",
    description="Unsubscribes the message's recipient from its channel at once. Send the body "
    "`List-Unsubscribe=One-Click` (form-encoded or multipart); repeating it is harmless.",
    responses={404: {"description": "The link is not valid or its message is unknown."}},
)
async def unsubscribe_post(
    token: str, request: Request, store: StoreDep, settings: SettingsDep
) -> HTMLResponse:
    body = await request.body()
    via = "one-click" if b"One-Click" in body else "page"
    try:
        done = await run_in_threadpool(
            unsubscribe, store, settings, token, now=time.time(), via=via
        )
    except (InvalidTokenError, UnknownMessageError) as exc:
        return _not_found(str(exc))
    what = CHANNEL_WORDS.get(done.recipient.channel, "messages")
    return _page("You are unsubscribed", f"<p>You get no more {what} from {_shop(settings)}.</p>")


@router.get(
    "/c/{token}",
    summary="Tracked link: record the click, redirect (no key)",
    status_code=302,
    response_class=RedirectResponse,
    responses={404: {"description": "The link is not valid."}},
)
def click_redirect(token: str, store: StoreDep, settings: SettingsDep) -> Response:
    try:
        target = click(store, settings, token, now=time.time())
    except InvalidTokenError as exc:
        return _not_found(str(exc))
    except UnknownMessageError:
        # The message is gone (its person erased): the signed target is still safe to open.
        link = verify_token(settings, token, "click")
        target = link.target or settings.marketing.shop_url
    return RedirectResponse(target, status_code=302, headers=NO_STORE)


@router.get(
    "/o/{token}",
    summary="Open pixel: a 1x1 GIF; the open is recorded as unreliable (no key)",
    response_class=Response,
    responses={200: {"content": {"image/gif": {}}}, 404: {"description": "Not a valid link."}},
)
def open_pixel(token: str, store: StoreDep, settings: SettingsDep) -> Response:
    try:
        opened(store, settings, token, now=time.time())
    except InvalidTokenError as exc:
        return _not_found(str(exc))
    except UnknownMessageError:
        pass
    return Response(PIXEL, media_type="image/gif", headers=NO_STORE)
