"""``/v1/journeys`` over a real server on loopback (SQLite and PostgreSQL), through the typed
client: the marketing scope, JSON and YAML bodies, 201 then 200 with versions, 422s naming
step and field, statistics, versions, pause/resume/archive and the schema."""

from __future__ import annotations

import pytest
from sqlalchemy import insert
from tests.api.conftest import LiveServer

from recmind.client import ApiError
from recmind.data.schema import enrolments
from recmind.marketing.journeys.files import shipped_examples

CART = """
id: cart
name: Cart
trigger: {type: event, event: add_to_cart}
goal: {event: purchase}
steps:
  - {id: pause, type: wait, duration: 1h}
  - {id: bought, type: wait_for_event, event: purchase, timeout: 3h, on_event: exit,
     on_timeout: remind}
  - {id: remind, type: send, channel: email, template: cart_abandonment,
     recommendations: {source: trigger_item, count: 3}}
"""


def test_journeys_need_the_marketing_scope(live: LiveServer) -> None:
    with live.client("read") as client, pytest.raises(ApiError) as caught:
        client.list_journeys()
    assert caught.value.status == 403
    with live.client("marketing") as client:
        assert client.list_journeys().journeys == []


def test_apply_yaml_then_json_versions_and_status(live: LiveServer) -> None:
    with live.client("marketing") as client:
        applied = client.apply_journey(CART)
        assert (applied.outcome, applied.version, applied.status) == ("created", 1, "active")
        assert applied.definition["steps"][0]["duration"] == 3600
        assert applied.stats.entered == 0

        again = client.apply_journey(applied.definition)  # the same, as JSON
        assert (again.outcome, again.version) == ("unchanged", 1)
        status = client.raw(
            "POST",
            "/v1/journeys",
            content=CART.replace("1h", "2h").encode(),
            headers={"Content-Type": "application/yaml"},
        ).status_code
        assert status == 200
        assert client.pause_journey("cart").status == "paused"
        changed = client.apply_journey(CART.replace("1h", "90m"))
        assert (changed.outcome, changed.version, changed.status) == ("updated", 3, "paused")

        with live.store.engine.begin() as connection:
            connection.execute(
                insert(enrolments),
                [
                    {
                        "enrolment_id": f"e{n}",
                        "journey_id": "cart",
                        "version": 1,
                        "user_id": f"u{n}",
                        "entry_key": "k",
                        "state": state,
                        "step_id": step,
                        "entered_at": 1.0,
                        "exit_reason": reason,
                    }
                    for n, (state, step, reason) in enumerate(
                        [
                            ("active", "bought", None),
                            ("active", "bought", None),
                            ("exited", None, "goal"),
                            ("completed", None, None),
                        ]
                    )
                ],
            )
        shown = client.get_journey("cart")
        assert shown.stats.model_dump() == {
            "entered": 4,
            "active": 2,
            "completed": 1,
            "exited": 1,
            "exited_by_reason": {"goal": 1},
            "at_step": {"bought": 2},
        }
        assert [v.version for v in shown.versions] == [1, 2, 3]
        assert shown.definition["steps"][0]["duration"] == 5400
        first = client.get_journey("cart", version=1)
        assert (first.version, first.latest_version) == (1, 3)
        assert first.definition["steps"][0]["duration"] == 3600
        listed = client.journey_versions("cart").versions
        assert [v.definition["steps"][0]["duration"] for v in listed] == [3600, 7200, 5400]

        assert client.resume_journey("cart").status == "active"
        assert client.archive_journey("cart").status == "archived"
        assert [(j.journey_id, j.status) for j in client.list_journeys().journeys] == [
            ("cart", "archived")
        ]
        for call in (
            lambda: client.get_journey("nope"),
            lambda: client.get_journey("cart", version=9),
            lambda: client.pause_journey("nope"),
            lambda: client.journey_versions("nope"),
        ):
            with pytest.raises(ApiError) as caught:
                call()
            assert caught.value.status == 404


def test_a_bad_journey_is_a_422_naming_step_and_field(live: LiveServer) -> None:
    text = CART.replace("timeout: 3h", "timeout: 3 hours").replace(
        "cart_abandonment", "cart_abandon"
    )
    text = text.replace("on_timeout: remind", "on_timeout: remnd")
    with live.client("marketing") as client:
        with pytest.raises(ApiError) as caught:
            client.apply_journey(text)
        assert caught.value.status == 422
        problems = caught.value.detail
        assert [p["loc"] for p in problems] == [
            ["body", "steps", 1, "timeout"],
            ["body", "steps", 1, "on_timeout"],
        ]
        assert problems[0]["msg"] == (
            "steps[1] (bought).timeout: '3 hours' is not a duration (write 30m, 2h, 3d, 1w "
            "or seconds)"
        )
        assert problems[0]["input"] == "3 hours"
        assert "no step is called 'remnd' (did you mean remind?)" in problems[1]["msg"]

        # with the shape sound, the store's checks: the template
        with pytest.raises(ApiError) as caught:
            client.apply_journey(CART.replace("cart_abandonment", "cart_abandon"))
        (found,) = caught.value.detail
        assert found["loc"] == ["body", "steps", 2, "template"]
        assert found["msg"].startswith("steps[2] (remind).template: no template 'cart_abandon'")

        response = client.raw(
            "POST",
            "/v1/journeys",
            content=b"id: x\nsteps: [\n",
            headers={"Content-Type": "application/yaml"},
        )
        assert response.status_code == 422
        assert "not valid YAML or JSON at line 3" in response.json()["detail"][0]["msg"]
        response = client.raw(
            "POST", "/v1/journeys", content=b"{nope", headers={"Content-Type": "application/json"}
        )
        assert response.status_code == 422 and "not valid JSON" in response.text
        response = client.raw(
            "POST", "/v1/journeys", content=b"x", headers={"Content-Type": "text/csv"}
        )
        assert response.status_code == 415
        assert client.list_journeys().journeys == []


def test_validate_examples_and_schema(live: LiveServer) -> None:
    with live.client("marketing") as client:
        for path in shipped_examples():
            checked = client.validate_journey(path)
            assert checked.journey_id == path.stem
        assert client.list_journeys().journeys == []  # validate stores nothing
        for path in shipped_examples():
            assert client.apply_journey(path).outcome == "created"
        assert len(client.list_journeys().journeys) == len(shipped_examples())

        schema = client.journey_schema()
        assert schema["title"] == "recmind journey"
        assert "enum" not in schema["$defs"]["SendStep"]["properties"]["template"]
        chosen = client.journey_schema(choices=True)
        assert "cart_abandonment" in chosen["$defs"]["SendStep"]["properties"]["template"]["enum"]
