"""Real models draft real rules (``llm`` marker).

SmolLM2-135M (the smallest packaged model) cannot be trusted with meaning, but decoding under
the rule grammar it still yields a rule the segments validator accepts, which is what this
checks. The default 1.5B model is asked a simple request and must select the intended
customers (slow: no wall-clock bound, the benchmark measures speed)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from tests.marketing.drafting.shop import AS_OF, fill

from recmind.data.store import Store
from recmind.marketing.drafting import SegmentDrafter, member_ids
from recmind.marketing.drafting.service import DRAFTING_N_CTX
from recmind.text.llm.gguf_assets import ModelAssetsMissingError, ensure_model
from recmind.text.llm.local import LocalGGUFGenerator

pytestmark = pytest.mark.llm


@pytest.fixture
def shop(sqlite_store: Store) -> Store:
    fill(sqlite_store)
    return sqlite_store


def test_the_smallest_model_drafts_a_valid_rule(
    shop: Store, tmp_path_factory: pytest.TempPathFactory
) -> None:
    try:
        path = ensure_model("smollm2-135m", models_dir=tmp_path_factory.mktemp("llm"))
    except ModelAssetsMissingError as exc:
        pytest.skip(f"SmolLM2 is not installed: {exc}")
    generator = LocalGGUFGenerator(path, n_ctx=DRAFTING_N_CTX, n_threads=1, seed=3)
    try:
        drafter = SegmentDrafter(shop, generator, as_of=AS_OF, encoder=None, timeout_s=None)
        drafted = drafter.draft("customers who bought comedies in the last 30 days")
    finally:
        generator.close()
    rule = drafter.check(drafted.rule)
    assert drafted.count == len(member_ids(shop, rule, AS_OF))
    assert drafted.words


@pytest.fixture(scope="module")
def qwen() -> Iterator[LocalGGUFGenerator]:
    try:
        path = ensure_model("qwen2.5-coder-1.5b")
    except ModelAssetsMissingError as exc:
        pytest.skip(f"the 1.5B model is not installed: {exc}")
    generator = LocalGGUFGenerator(path, n_ctx=DRAFTING_N_CTX, n_threads=1, seed=42)
    yield generator
    generator.close()


@pytest.mark.slow
def test_the_default_model_selects_the_intended_customers(
    shop: Store, qwen: LocalGGUFGenerator
) -> None:
    drafter = SegmentDrafter(shop, qwen, as_of=AS_OF, encoder=None, timeout_s=None)
    drafted = drafter.draft("people who haven't bought anything in the last 30 days")
    expected = {"not": {"event": {"type": "purchase", "within_days": 30}, "measure": "exists"}}
    got = member_ids(shop, drafter.check(drafted.rule), AS_OF)
    assert got == member_ids(shop, drafter.check(expected), AS_OF), drafted.rule
