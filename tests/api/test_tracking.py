"""The links inside messages, on a real server without an API key: one-click unsubscribe
(RFC 8058) effective at once, the page's form, click redirects only to the signed target,
the open pixel, and 404 with nothing recorded for a bad token."""

from __future__ import annotations

from urllib.parse import urlsplit

import httpx
from sqlalchemy import func, select
from tests.api.conftest import LiveServer
from tests.marketing.policy.people import add_users, message_row, write_messages

from recmind.data.schema import message_events, suppressions
from recmind.marketing.policy.decide import Send, Skip, decide
from recmind.marketing.tracking.links import click_url, open_url, unsubscribe_url

NOON = 12 * 3600.0
TARGET = "https://shop.example.com/items/kettle?utm_source=recmind"


def _path(url: str) -> str:
    return urlsplit(url).path


def _count(live: LiveServer, table: object) -> int:
    with live.store.engine.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(table)).scalar_one())  # type: ignore[arg-type]


def _kinds(live: LiveServer) -> list[str]:
    with live.store.engine.connect() as connection:
        return sorted(connection.execute(select(message_events.c.kind)).scalars())


def _sent(live: LiveServer, user_id: str = "ann") -> dict[str, object]:
    add_users(live.store, user_id)
    row = message_row(user_id, status="sent", sent_at=10.0)
    write_messages(live.store, row)
    return row


def test_one_click_unsubscribes_at_once(live: LiveServer) -> None:
    sent = _sent(live)
    queued = message_row("ann")
    write_messages(live.store, queued)
    assert decide(live.store, live.settings, queued, now=NOON) == Send()
    path = _path(unsubscribe_url(live.settings, str(sent["message_id"])))
    with httpx.Client(base_url=live.url) as http:
        page = http.get(path)
        assert page.status_code == 200
        assert '<form method="post">' in page.text and "<script" not in page.text
        assert "http://" not in page.text and "https://" not in page.text
        assert _count(live, suppressions) == 0  # a GET never unsubscribes
        response = http.post(
            path,
            content=b"List-Unsubscribe=One-Click",
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        assert response.status_code == 200
        assert "You are unsubscribed" in response.text
        assert decide(live.store, live.settings, queued, now=NOON + 1) == Skip(
            "suppressed:unsubscribed"
        )
        # a mail provider's multipart POST, and the page's form, repeat it harmlessly
        again = http.post(path, files={"List-Unsubscribe": (None, "One-Click")})
        assert again.status_code == 200
        assert http.post(path, data={"List-Unsubscribe": "One-Click"}).status_code == 200
        assert "You are unsubscribed" in http.get(path).text
    assert _count(live, suppressions) == 1
    assert _kinds(live) == ["unsubscribe"]


def test_clicks_redirect_to_the_signed_target_and_opens_return_a_pixel(live: LiveServer) -> None:
    sent = _sent(live)
    message_id = str(sent["message_id"])
    with httpx.Client(base_url=live.url, follow_redirects=False) as http:
        response = http.get(_path(click_url(live.settings, message_id, TARGET)))
        assert response.status_code == 302
        assert response.headers["location"] == TARGET
        pixel = http.get(_path(open_url(live.settings, message_id)))
        assert pixel.status_code == 200
        assert pixel.headers["content-type"] == "image/gif"
        assert pixel.content.startswith(b"GIF89a") and len(pixel.content) == 43
        assert "no-store" in pixel.headers["cache-control"]
    assert _kinds(live) == ["click", "open"]


def test_bad_tokens_get_404_and_record_nothing(live: LiveServer) -> None:
    sent = _sent(live)
    message_id = str(sent["message_id"])
    click = _path(click_url(live.settings, message_id, TARGET))
    unsubscribe = _path(unsubscribe_url(live.settings, message_id))
    pixel = _path(open_url(live.settings, message_id))
    # the target swapped for another site, with the original signature
    evil = _path(click_url(live.settings, message_id, "https://evil.example.com/"))
    swapped = evil.rsplit(".", 1)[0] + "." + click.rsplit(".", 1)[1]
    with httpx.Client(base_url=live.url, follow_redirects=False) as http:
        for method, path in (
            ("GET", swapped),
            ("GET", click[:-3] + "abc"),
            ("GET", "/c/nonsense"),
            ("GET", unsubscribe.replace("/u/", "/c/")),  # an unsubscribe token as a click
            ("POST", unsubscribe[:-2] + "zz"),
            ("GET", unsubscribe[:-2] + "zz"),
            ("POST", pixel.replace("/o/", "/u/")),  # an open token cannot unsubscribe
            ("GET", pixel + "x"),
        ):
            response = http.request(method, path, content=b"List-Unsubscribe=One-Click")
            assert response.status_code == 404, (method, path)
            assert "not valid" in response.text or "not unsubscribe" in response.text
            assert "location" not in response.headers
        gone = _path(unsubscribe_url(live.settings, "0" * 32))
        response = http.post(gone, content=b"List-Unsubscribe=One-Click")
        assert response.status_code == 404 and "no longer known" in response.text
    assert _count(live, suppressions) == 0
    assert _kinds(live) == []
