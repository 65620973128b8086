"""``recommend`` through the served model (the serving layer's ``ServedRecommender``, the
list ``GET /v1/users/{id}/recommendations`` gives), on SQLite and PostgreSQL."""

from __future__ import annotations

import time
from pathlib import Path

from tests.serving.shop import import_shop, publish

from recmind.assistant.tools import RecommendResult, ToolContext, default_registry
from recmind.config import Settings
from recmind.data.schema import events
from recmind.data.store import Store
from recmind.serving.message_recommender import open_recommender


def test_the_bound_person_gets_the_served_models_list(
    store: Store, settings: Settings, tmp_path: Path
) -> None:
    import_shop(store, settings, tmp_path / "quarantine")
    publish(store, settings, "popular")
    with store.engine.connect() as connection:
        (user_id,) = connection.execute(events.select().with_only_columns(events.c.user_id)).first()  # type: ignore[misc]
        seen = {
            row.item_id
            for row in connection.execute(events.select().where(events.c.user_id == user_id))
        }
    served = open_recommender(settings, store)
    try:
        deadline = time.monotonic() + 60
        while served.engine.state is None and time.monotonic() < deadline:
            time.sleep(0.1)
        assert served.engine.state is not None
        context = ToolContext(
            store, settings, conversation_id="c", user_id=user_id, recommender=served
        )
        outcome = default_registry().call(context, "recommend", {"count": 4})
        assert isinstance(outcome.result, RecommendResult), outcome.error
        result = outcome.result
        assert result.personalised and len(result.items) == 4
        expected = served(
            user_id,
            source="personal",
            count=4,
            trigger_item=None,
            in_stock_only=True,
            now=time.time(),
        )
        assert [c.item_id for c in result.items] == expected
        assert not {c.item_id for c in result.items} & seen  # the served list leaves them out
        assert all(c.price is not None and c.in_stock for c in result.items)
        assert [c.id for c in result.citations] == expected
    finally:
        served.close()
