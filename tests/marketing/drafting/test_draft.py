"""The draft loop returns only checked rules: a rejected answer is sent back once with the
reason, and a second failure is an error naming both reasons. (A scripted fake stands in
for the model here; the real models are exercised in test_real_llm.py.)"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import jsonschema_rs
import pytest

from recmind.marketing.drafting.draft import DraftError, draft_rule
from recmind.marketing.drafting.vocabulary import Vocabulary, rule_schema
from recmind.text.llm.protocol import (
    FinishReason,
    GenerationRequest,
    GenerationResult,
    TextStream,
)

GOOD = {
    "event": {"type": "purchase", "category": "MEAT/BEEF", "within_days": 30},
    "measure": "exists",
}


@dataclass
class ScriptedFakeGenerator:
    """Returns the given answers in order and records the requests."""

    answers: list[str]
    finish: FinishReason = "stop"
    requests: list[GenerationRequest] = field(default_factory=list)
    model_id: str = "fake"
    default_seed: int = 0

    def generate(self, request: GenerationRequest) -> GenerationResult:
        self.requests.append(request)
        text = self.answers[min(len(self.requests) - 1, len(self.answers) - 1)]
        return GenerationResult(text, 10, 10, 0.01, self.finish, "fake")

    def stream(self, request: GenerationRequest) -> TextStream:
        return TextStream(iter([self.generate(request)]))


def schema_check(vocabulary: Vocabulary) -> Any:
    validator = jsonschema_rs.validator_for(rule_schema(vocabulary))

    def check(data: Any) -> Any:
        problems = [e.message for e in validator.iter_errors(data)]
        if problems:
            raise ValueError("; ".join(problems))
        return data

    return check


def test_a_valid_first_answer_is_returned_under_the_schema(vocabulary: Vocabulary) -> None:
    fake = ScriptedFakeGenerator([json.dumps(GOOD)])
    draft = draft_rule("beef buyers this month", vocabulary, fake, schema_check(vocabulary))
    assert draft.rule == GOOD and draft.attempts == 1 and draft.errors == ()
    assert fake.requests[0].json_schema == rule_schema(vocabulary)
    assert fake.requests[0].temperature == 0.0
    assert fake.requests[0].messages[-1].content.startswith("Request: beef buyers this month")


def test_an_invalid_answer_is_sent_back_with_the_reason(vocabulary: Vocabulary) -> None:
    bad = '{"field": "favourite_meat", "op": "=", "value": "beef"}'
    fake = ScriptedFakeGenerator([bad, json.dumps(GOOD)])
    draft = draft_rule("beef buyers", vocabulary, fake, schema_check(vocabulary))
    assert draft.rule == GOOD and draft.attempts == 2
    assert len(draft.errors) == 1 and "favourite_meat" in draft.errors[0]
    retry = fake.requests[1].messages
    assert retry[-2].role == "assistant" and retry[-2].content == bad
    assert "That rule is invalid" in retry[-1].content and "favourite_meat" in retry[-1].content


@pytest.mark.parametrize(
    ("answers", "finish", "reason"),
    [
        (["not json", "still not json"], "stop", "not JSON"),
        (['{"consent": "email"'], "length", "cut off"),
        (["[1, 2]"], "stop", "one JSON object"),
        (['{"segment": "whales"}'], "stop", "whales"),
    ],
)
def test_no_valid_answer_is_an_error_with_every_reason(
    vocabulary: Vocabulary, answers: list[str], finish: FinishReason, reason: str
) -> None:
    fake = ScriptedFakeGenerator(answers, finish=finish)
    with pytest.raises(DraftError, match="could not draft a valid rule in 2 attempts") as info:
        draft_rule("anything", vocabulary, fake, schema_check(vocabulary))
    assert len(info.value.errors) == 2 and reason in info.value.errors[-1]
    assert len(fake.requests) == 2


@pytest.mark.parametrize(("text", "message"), [("   ", "empty"), ("x" * 501, "at most 500")])
def test_a_bad_request_is_refused_before_the_model_runs(
    vocabulary: Vocabulary, text: str, message: str
) -> None:
    fake = ScriptedFakeGenerator(["{}"])
    with pytest.raises(ValueError, match=message):
        draft_rule(text, vocabulary, fake, schema_check(vocabulary))
    assert fake.requests == []
