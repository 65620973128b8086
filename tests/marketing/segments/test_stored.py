"""Stored segments on SQLite and PostgreSQL: versions, membership with entered/exited
times, preview, CSV export, built-ins, and erasure."""

from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import insert, select
from tests.marketing.segments import shop

from recmind.data.privacy import erase_rows
from recmind.data.schema import customer_features, events, segment_members, users
from recmind.data.store import Store
from recmind.marketing.segments import RuleError, compile_rule, parse_rule
from recmind.marketing.segments.builtins import BUILTINS, RFM_SEGMENTS, install_builtins
from recmind.marketing.segments.export import COLUMNS, csv_lines, write_csv
from recmind.marketing.segments.membership import (
    dependency_order,
    members_page,
    memberships,
    refresh_all,
    refresh_segment,
)
from recmind.marketing.segments.preview import count_members, preview
from recmind.marketing.segments.repository import (
    SegmentConflictError,
    SegmentNotFoundError,
    create_segment,
    delete_segment,
    get_segment,
    list_segments,
    rules_lookup,
    update_segment,
    versions,
)

DAY = 86_400.0
BOUGHT = {"event": {"type": "purchase"}, "measure": "exists"}


def stays(store: Store, segment_id: str) -> list[tuple[str, float, float | None]]:
    with store.engine.connect() as connection:
        rows = connection.execute(
            select(
                segment_members.c.user_id, segment_members.c.entered_at, segment_members.c.exited_at
            )
            .where(segment_members.c.segment_id == segment_id)
            .order_by(segment_members.c.user_id, segment_members.c.entered_at)
        ).all()
    return [tuple(row) for row in rows]  # type: ignore[misc]


def buy(store: Store, user_id: str, moment: float) -> None:
    with store.engine.begin() as connection:
        connection.execute(
            insert(events).values(
                event_id=f"{user_id}-{moment}",
                user_id=user_id,
                item_id="i01",
                event_type="purchase",
                timestamp=moment,
                value=10.0,
            )
        )


def test_create_update_versions_delete(store: Store) -> None:
    made = create_segment(
        store, "Big spenders", {"field": "monetary_total", "op": ">", "value": 100}, now=1.0
    )
    assert made.segment_id == "big-spenders"
    assert made.version == 1
    assert made.builtin is False
    second = create_segment(store, "Big spenders!", BOUGHT, description="x", now=2.0)
    assert second.segment_id == "big-spenders-2"
    with pytest.raises(SegmentConflictError, match="already named"):
        create_segment(store, "Big spenders", BOUGHT)
    with pytest.raises(SegmentConflictError, match="segment id"):
        create_segment(store, "Other", BOUGHT, segment_id="Bad Id")
    with pytest.raises(RuleError) as caught:
        create_segment(store, "Broken", {"field": "nope", "op": "=", "value": 1})
    assert caught.value.problems[0].where == "rule.field"

    changed = update_segment(
        store, "big-spenders", rule={"field": "monetary_total", "op": ">", "value": 200}, now=3.0
    )
    assert changed.version == 2
    assert changed.rule["value"] == 200
    assert changed.created_at == 1.0 and changed.updated_at == 3.0
    same = update_segment(store, "big-spenders", rule=changed.rule, description="spends", now=4.0)
    assert same.version == 2  # an unchanged rule is no new version
    assert same.description == "spends"
    assert [v["version"] for v in versions(store, "big-spenders")] == [1, 2]
    assert versions(store, "big-spenders")[0]["rule"]["value"] == 100

    assert [s.segment_id for s in list_segments(store)] == ["big-spenders", "big-spenders-2"]
    delete_segment(store, "big-spenders-2")
    with pytest.raises(SegmentNotFoundError):
        get_segment(store, "big-spenders-2")
    with pytest.raises(SegmentNotFoundError):
        delete_segment(store, "big-spenders-2")


def test_references_cycles_and_deleting_a_used_segment(store: Store) -> None:
    create_segment(store, "Buyers", BOUGHT, segment_id="buyers")
    create_segment(
        store,
        "Loyal buyers",
        {"all": [{"segment": "buyers"}, {"consent": "email"}]},
        segment_id="loyal-buyers",
    )
    with pytest.raises(RuleError, match="cycle"):
        update_segment(store, "buyers", rule={"segment": "loyal-buyers"})
    with pytest.raises(SegmentConflictError, match="used by loyal-buyers"):
        delete_segment(store, "buyers")
    assert dependency_order({"z": parse_rule({"segment": "a"}), "a": parse_rule(BOUGHT)}) == [
        "a",
        "z",
    ]


def test_refresh_records_entering_leaving_and_coming_back(store: Store) -> None:
    t0 = 1_700_000_000.0
    buy(store, "ann", t0 - 10 * DAY)
    buy(store, "bob", t0 - 40 * DAY)
    create_segment(
        store,
        "Recent",
        {"field": "days_since_last_purchase", "op": "<=", "value": 30},
        segment_id="recent",
    )

    first = refresh_segment(store, "recent", as_of=t0)
    assert (first.members, first.entered, first.exited) == (1, 1, 0)
    assert stays(store, "recent") == [("ann", t0, None)]

    buy(store, "bob", t0 + 1 * DAY)
    second = refresh_segment(store, "recent", as_of=t0 + 2 * DAY)
    assert (second.members, second.entered, second.exited) == (2, 1, 0)

    third = refresh_segment(store, "recent", as_of=t0 + 25 * DAY)  # ann's purchase is 35 days old
    assert (third.members, third.entered, third.exited) == (1, 0, 1)

    buy(store, "ann", t0 + 26 * DAY)
    fourth = refresh_segment(store, "recent", as_of=t0 + 27 * DAY)
    assert (fourth.entered, fourth.exited) == (1, 0)
    assert stays(store, "recent") == [
        ("ann", t0, t0 + 25 * DAY),
        ("ann", t0 + 27 * DAY, None),
        ("bob", t0 + 2 * DAY, None),
    ]
    again = refresh_segment(store, "recent", as_of=t0 + 27 * DAY)  # same moment: no change
    assert (again.entered, again.exited, again.members) == (0, 0, 2)
    with pytest.raises(SegmentConflictError, match="earlier moment"):
        refresh_segment(store, "recent", as_of=t0)
    assert get_segment(store, "recent").refreshed_at == t0 + 27 * DAY
    total, page = members_page(store, "recent", limit=1)
    assert total == 2
    assert page == [{"user_id": "ann", "entered_at": t0 + 27 * DAY}]
    assert memberships(store, "bob") == [
        {"segment_id": "recent", "name": "Recent", "entered_at": t0 + 2 * DAY}
    ]


def test_refresh_all_in_dependency_order_and_membership_of_segments(store: Store) -> None:
    as_of = shop.fill(store)
    create_segment(store, "Z buyers", BOUGHT, segment_id="z-buyers")
    create_segment(
        store,
        "A emailable buyers",
        {"all": [{"segment": "z-buyers"}, {"consent": "email"}]},
        segment_id="a-mail",
    )
    seen: list[str] = []
    results = refresh_all(store, as_of=as_of, progress=lambda r: seen.append(r.segment_id))
    assert seen == ["z-buyers", "a-mail"]
    by_id = {r.segment_id: r for r in results}
    rule = parse_rule({"all": [BOUGHT, {"consent": "email"}]})
    query = compile_rule(rule, as_of=as_of, dialect=store.dialect)
    with store.engine.connect() as connection:
        expected = {row[0] for row in connection.execute(query)}
    assert by_id["a-mail"].members == len(expected) > 0
    assert {row[0] for row in stays(store, "a-mail")} == expected


def test_preview_and_count(store: Store) -> None:
    as_of = shop.fill(store)
    rule = parse_rule({"event": {"type": "view"}, "measure": "exists"})
    found = preview(store, rule, as_of=as_of, sample_size=5)
    assert found.count == count_members(store, rule, as_of=as_of)
    assert 5 < found.count < found.customers
    assert len(found.sample) == 5
    assert {
        "user_id",
        "recency_days",
        "order_count",
        "monetary_total",
        "expected_spend",
        "churn_risk",
    } <= set(found.sample[0])
    monetary = found.distributions["monetary_total"]
    assert monetary["min"] <= monetary["median"] <= monetary["max"]
    assert sum(monetary["histogram"]["counts"]) == monetary["set"]
    assert sum(c["count"] for c in found.top_categories) <= found.count
    assert found.description == "viewed (ever)"
    assert found.to_dict()["share"] == found.count / found.customers
    empty = preview(
        store, parse_rule({"field": "order_count", "op": ">", "value": 1000}), as_of=as_of
    )
    assert (
        empty.count == 0 and empty.sample == [] and empty.distributions["order_count"] == {"set": 0}
    )


def test_export_has_email_only_with_consent(store: Store) -> None:
    as_of = shop.fill(store)
    create_segment(store, "Everyone", {"all": []}, segment_id="everyone")
    result = refresh_segment(store, "everyone", as_of=as_of)
    out = io.StringIO()
    assert write_csv(store, "everyone", out) == result.members
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert tuple(rows[0]) == COLUMNS
    assert "".join(csv_lines(store, "everyone")) == out.getvalue()
    with store.engine.connect() as connection:
        consent = dict(connection.execute(select(users.c.user_id, users.c.consent_email)).all())
    emails = {row["user_id"]: row["email"] for row in rows}
    assert any(emails.values())
    for user_id, email in emails.items():
        assert bool(email) == (consent.get(user_id) is True), user_id
    assert rows[0]["entered_at"].startswith("2023-11-14T22:13:20")


def test_erased_people_vanish_from_membership_and_export(store: Store) -> None:
    as_of = shop.fill(store)
    create_segment(store, "Everyone", {"all": []}, segment_id="everyone")
    refresh_segment(store, "everyone", as_of=as_of)
    victim = "u07"
    assert memberships(store, victim)
    erase_rows(store, victim, "a-test-secret")
    assert memberships(store, victim) == []
    out = io.StringIO()
    write_csv(store, "everyone", out)
    assert victim not in out.getvalue()
    with store.engine.connect() as connection:
        assert (
            connection.execute(
                select(customer_features).where(customer_features.c.user_id == victim)
            ).first()
            is None
        )
    assert refresh_segment(store, "everyone", as_of=as_of + 1).entered == 0


def test_builtins_install_once_and_rfm_segments_partition_buyers(store: Store) -> None:
    as_of = shop.fill(store)
    assert install_builtins(store) == list(BUILTINS)
    assert install_builtins(store) == []
    assert all(s.builtin for s in list_segments(store))
    lookup = rules_lookup(store)
    members: dict[str, set[str]] = {}
    for segment_id in RFM_SEGMENTS:
        rule = lookup(segment_id)
        assert rule is not None
        with store.engine.connect() as connection:
            query = compile_rule(rule, as_of=as_of, dialect=store.dialect, rules_of=lookup)
            members[segment_id] = {row[0] for row in connection.execute(query)}
    with store.engine.connect() as connection:
        buyers = set(
            connection.execute(
                select(customer_features.c.user_id).where(
                    customer_features.c.order_count >= 1,
                    customer_features.c.recency_days.is_not(None),
                    customer_features.c.first_event_at < as_of,
                )
            ).scalars()
        )
    assert len(buyers) > 5
    placed = [user for found in members.values() for user in found]
    assert sorted(placed) == sorted(buyers)  # every buyer in exactly one RFM segment
    assert sum(1 for found in members.values() if found) >= 4
