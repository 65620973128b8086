"""GET /v1/users/{id}/profile: tags, template portrait and recent activity from the user's
own rows, fresh after every event."""

from __future__ import annotations

from recmind.client import Client


def test_profile_follows_the_events(client: Client) -> None:
    client.put_item(
        "b1",
        title="Sourdough starter kit",
        category="Baking/Bread",
        attributes={"genre": "Artisan"},
    )
    client.put_item("b2", title="Bread proofing basket", category="Baking/Bread")
    client.put_item("c1", title="Camping stove", category="Camping")
    client.put_user("baker")
    empty = client.profile("baker")
    assert (empty.n_events, empty.tags, empty.portrait) == (0, [], "No activity yet.")
    client.send_events(
        [
            {
                "user_id": "baker",
                "item_id": "b1",
                "event_type": "purchase",
                "timestamp": "2024-05-01T10:00:00Z",
            },
            {
                "user_id": "baker",
                "item_id": "b2",
                "event_type": "view",
                "timestamp": "2024-05-02T10:00:00Z",
            },
            {
                "user_id": "camper",
                "item_id": "c1",
                "event_type": "view",
                "timestamp": "2024-05-02T10:00:00Z",
            },
        ]
    )
    profile = client.profile("baker", recent=1)
    assert profile.n_events == 2 and profile.n_items == 2
    assert profile.tags[0].tag in ("Baking", "Bread")
    assert {t.tag for t in profile.tags} >= {"Baking", "Bread"}
    assert "Camping" not in {t.tag for t in profile.tags}
    assert [r.title for r in profile.recent] == ["Bread proofing basket"]
    assert profile.portrait_source == "template"
    assert "Bread proofing basket" in profile.portrait
    client.send_event(
        {
            "user_id": "baker",
            "item_id": "c1",
            "event_type": "click",
            "timestamp": "2024-05-03T10:00:00Z",
        }
    )
    fresh = client.profile("baker")
    assert fresh.n_events == 3
    assert fresh.recent[0].title == "Camping stove"
    assert fresh.event_counts == {"purchase": 1, "view": 1, "click": 1}
