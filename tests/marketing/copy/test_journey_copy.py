"""A journey's send step with generated copy: the experiment engine picks each person's
copy variant (sticky, logged as an exposure), the outbox row says which one it got
(SQLite and PostgreSQL)."""

from __future__ import annotations

import orjson
from sqlalchemy import select
from tests.marketing.content.test_compose import ListRecommender
from tests.marketing.journeys.runtime_helpers import T0, event, item, journey, user

from recmind.config import Settings
from recmind.data.schema import experiment_exposures, outbox
from recmind.data.store import Store
from recmind.marketing.content.compose import OutboxComposer
from recmind.marketing.copy.personalise import CopyProvider
from recmind.marketing.copy.variants import variants_of
from recmind.marketing.experiments.assignment import sticky_variant
from recmind.marketing.experiments.definition import ExperimentDefinition
from recmind.marketing.experiments.repository import create_experiment
from recmind.marketing.journeys.engine import advance_due
from recmind.marketing.journeys.triggers import scan_triggers

WELCOME = {
    "id": "welcome",
    "trigger": {"type": "event", "event": "signup"},
    "steps": [
        {
            "id": "hello",
            "type": "send",
            "channel": "email",
            "template": "welcome_1",
            "recommendations": {"count": 2},
            "copy": {"experiment": "welcome-copy", "audience": "people who just signed up"},
        }
    ],
}


def test_the_experiment_picks_the_copy_variant(store: Store, settings: Settings) -> None:
    experiment = create_experiment(
        store,
        ExperimentDefinition.model_validate(
            {
                "name": "Welcome copy",
                "experiment_id": "welcome-copy",
                "variants": [{"name": "plain", "control": True}, {"name": "warm"}],
            }
        ),
        start=True,
        now=T0,
    )
    journey(store, WELCOME)
    item(store, "i1")
    item(store, "i2")
    people = [f"u{n}" for n in range(12)]
    for name in people:
        user(store, name, attributes={"first_name": name.upper()})
        event(store, name, "signup", T0 + 5, None)
    scan_triggers(store, settings, now=T0 + 6)
    provider = CopyProvider(store, settings, lambda: None, clock=lambda: T0)
    composer = OutboxComposer(store, settings, ListRecommender(["i1", "i2"]), copy=provider)
    advance_due(store, settings, composer, worker_id="w", now=T0 + 7, limit=100)
    with store.engine.connect() as connection:
        rows = {r.user_id: r for r in connection.execute(select(outbox))}
        exposed = {
            r.user_id: r.variant
            for r in connection.execute(
                select(experiment_exposures).where(
                    experiment_exposures.c.experiment_id == "welcome-copy"
                )
            )
        }
    assert set(rows) == set(people)
    got = {u: orjson.loads(r.payload)["copy"]["variant"] for u, r in rows.items()}
    held_out = {u for u, v in exposed.items() if v == "holdout"}
    for name in people:
        if name not in held_out:
            assert got[name] == exposed[name] == sticky_variant(experiment, name).name
    assert {v.name for v in variants_of(store, "journey:welcome:hello")} <= {"plain", "warm"}
    assert rows["u1"].subject == "Picked for you: I1"  # the fallback copy, filled per person
    assert rows["u1"].body_text.startswith("Hi U1,")
