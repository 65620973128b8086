"""Schemathesis over /openapi.json: no 5xx and no response that breaks the schema, on
SQLite and PostgreSQL, with a key holding every scope (so requests reach the handlers).

Driven through Hypothesis directly (one property per operation) rather than
``schemathesis.pytest.from_fixture``, whose node-id handling does not work with pytest 9.
"""

from __future__ import annotations

import time
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error, response_schema_conformance
from tests.api.conftest import LiveServer
from tests.serving.shop import import_shop, publish

from recmind.config import LLMSettings
from recmind.marketing.drafting import drafting_llm_settings
from recmind.text.llm.factory import create_generator

pytestmark = pytest.mark.slow
EXAMPLES = 25
DRAFT_EXAMPLES = 4
DRAFT_TIMEOUT_S = 600.0


def test_no_5xx_and_every_response_matches_the_schema(live: LiveServer) -> None:
    # A shop with a published model, so that every route (recommendations too) can answer.
    import_shop(live.store, live.settings, live.settings.quarantine_dir)
    publish(live.store, live.settings, "popular")
    with live.client() as client:
        deadline = time.monotonic() + 60
        while not client.readiness().ready and time.monotonic() < deadline:
            time.sleep(0.2)
        assert client.readiness().ready
    # Drafting runs a language model per request: the smallest packaged one, and few examples.
    # Built as the route builds it (drafting_llm_settings widens the context window).
    live.app.state.drafting_generator = create_generator(
        drafting_llm_settings(LLMSettings(model="smollm2-135m", n_threads=1, cache=False)),
        seed=live.settings.seed,
        home=live.settings.home,
    )
    schema = schemathesis.openapi.from_url(f"{live.url}/openapi.json")
    headers = {"Authorization": f"Bearer {live.keys['all']}"}
    failures: list[str] = []
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 12
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=DRAFT_EXAMPLES if operation.path == "/v1/segments/draft" else EXAMPLES,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            derandomize=True,
            database=None,
        )
        def run(case: Any) -> None:
            # A draft reads the whole drafting prompt (about 2,700 tokens) before it writes:
            # far beyond schemathesis' default 10 s on 2 shared cores.
            drafting = case.operation.path == "/v1/segments/draft"
            case.call_and_validate(
                headers=headers,
                checks=[not_a_server_error, response_schema_conformance],
                timeout=DRAFT_TIMEOUT_S if drafting else 30.0,
            )

        try:
            run()
        except Exception as exc:
            failures.append(f"{operation.label}: {exc}")
    assert not failures, "\n\n".join(failures)
