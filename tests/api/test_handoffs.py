"""The handoff queue over the API (``support`` scope), on SQLite and PostgreSQL: list,
take, close, 404 for an unknown id, 409 for a wrong status, 422 for odd input (NUL bytes
included), 403 without the scope, and the person's handoffs in their export."""

from __future__ import annotations

from tests.api.conftest import LiveServer

from recmind.data.handoffs import enqueue


def test_list_take_close(live: LiveServer) -> None:
    first = enqueue(
        live.store, conversation_id="c-1", user_id="u1", reason="complaint", summary="late"
    )
    second = enqueue(
        live.store, conversation_id="c-2", user_id=None, reason="low_confidence", summary="?"
    )
    with live.client() as client:
        page = client.raw("GET", "/v1/handoffs").json()
        assert [h["handoff_id"] for h in page["handoffs"]] == [
            first.handoff_id,
            second.handoff_id,
        ]
        assert page["handoffs"][0]["reason"] == "complaint"
        path = f"/v1/handoffs/{first.handoff_id}"
        taken = client.raw("POST", f"{path}/take", json={"taken_by": "ann"})
        assert taken.status_code == 200, taken.text
        assert (taken.json()["status"], taken.json()["taken_by"]) == ("taken", "ann")
        again = client.raw("POST", f"{path}/take", json={"taken_by": "bob"})
        assert again.status_code == 409
        opened = client.raw("GET", "/v1/handoffs").json()["handoffs"]
        assert [h["handoff_id"] for h in opened] == [second.handoff_id]
        closed = client.raw("POST", f"{path}/close")
        assert closed.status_code == 200 and closed.json()["status"] == "closed"
        assert client.raw("POST", f"{path}/close").status_code == 409
        every = client.raw("GET", "/v1/handoffs", params={"status": "all"}).json()
        assert len(every["handoffs"]) == 2
        exported = client.raw("GET", "/v1/users/u1/export").json()
        assert [h["handoff_id"] for h in exported["handoffs"]] == [first.handoff_id]


def test_odd_input_is_4xx(live: LiveServer) -> None:
    queued = enqueue(live.store, conversation_id="c", user_id=None, reason="other", summary="s")
    with live.client() as client:
        assert client.raw("POST", "/v1/handoffs/nope/take", json={"taken_by": "a"}).status_code == (
            404
        )
        assert client.raw("POST", "/v1/handoffs/nope/close").status_code == 404
        assert client.raw("POST", "/v1/handoffs/a%00b/close").status_code == 422
        take = f"/v1/handoffs/{queued.handoff_id}/take"
        for body in ({"taken_by": "a\x00b"}, {"taken_by": ""}, {}, {"taken_by": "a", "x": 1}):
            assert client.raw("POST", take, json=body).status_code == 422, body
        assert client.raw("GET", "/v1/handoffs", params={"status": "nope"}).status_code == 422
        assert client.raw("GET", "/v1/handoffs", params={"limit": 0}).status_code == 422


def test_the_support_scope_is_needed(live: LiveServer) -> None:
    live.keys["support"] = live.new_key("support")
    with live.client("admin") as admin, live.client("support") as support:
        assert admin.raw("GET", "/v1/handoffs").status_code == 403
        assert support.raw("GET", "/v1/handoffs").status_code == 200
    with live.client(None) as anonymous:
        assert anonymous.raw("GET", "/v1/handoffs").status_code == 401
