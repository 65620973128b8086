"""``/v1/experiments`` through the typed client, against a real server on SQLite and
PostgreSQL: the life of an experiment, assignments (the holdout kept out), readouts as
JSON and PNG (blocked ones too), and every mistake named."""

from __future__ import annotations

from typing import Any

import pytest
from tests.api.conftest import LiveServer
from tests.marketing.experiments.shop import DAY, T0, exposures, purchases

from recmind.client import ApiError, Client
from recmind.marketing.policy.holdout import in_holdout

SUBJECTS: dict[str, Any] = {
    "name": "Subject lines",
    "experiment_id": "subjects",
    "variants": [{"name": "control"}, {"name": "short"}, {"name": "question"}],
    "metrics": {"window_days": 5},
}


def problem_locs(caught: pytest.ExceptionInfo[ApiError]) -> list[list[Any]]:
    assert caught.value.status == 422
    return [p["loc"] for p in caught.value.detail]


def test_the_life_of_an_experiment(live: LiveServer, client: Client) -> None:
    made = client.create_experiment(SUBJECTS)
    assert (made.experiment_id, made.status, made.exposures) == ("subjects", "draft", {})
    assert [v.control for v in made.variants] == [True, False, False]
    assert [e.experiment_id for e in client.list_experiments("draft").experiments] == ["subjects"]
    assert client.list_experiments("running").experiments == []
    resting = client.assign("subjects", "u1")
    assert (resting.variant, resting.reason, resting.exposure_id) == (
        "control",
        "not_running",
        None,
    )
    assert client.start_experiment("subjects").status == "running"
    with pytest.raises(ApiError) as caught:
        client.start_experiment("subjects")
    assert caught.value.status == 409
    people = [f"u{n}" for n in range(60)]
    answers = {p: client.assign("subjects", p, context={"page": "home"}) for p in people}
    held = {p for p in people if in_holdout(p, live.settings)}
    assert {p for p, a in answers.items() if a.variant is None} == held
    assert {a.reason for p, a in answers.items() if p not in held} == {"assigned"}
    again = client.assign("subjects", "u3")
    assert not again.new and again.variant == answers["u3"].variant
    counts = client.get_experiment("subjects").exposures
    assert sum(counts.values()) == 60 and counts.get("holdout", 0) == len(held)
    readout = client.experiment_readout("subjects")
    assert not readout.blocked and [a.people for a in readout.arms] == [
        counts.get(n, 0) for n in ("control", "short", "question")
    ]
    png = client.experiment_readout_png("subjects")
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    with pytest.raises(ApiError) as caught:
        client.stop_experiment("subjects", winner="long")
    assert problem_locs(caught) == [["body", "winner"]]
    stopped = client.stop_experiment("subjects", winner="short")
    assert (stopped.status, stopped.winner) == ("stopped", "short")
    assert client.assign("subjects", "new-person").variant == "short"


def test_readouts_of_planted_data(live: LiveServer, client: Client) -> None:
    client.create_experiment(SUBJECTS | {"variants": SUBJECTS["variants"][:2]}, start=True)
    exposures(live.store, "subjects", [(f"c{n}", "control", T0) for n in range(2000)])
    exposures(live.store, "subjects", [(f"s{n}", "short", T0) for n in range(2000)])
    purchases(live.store, [(f"c{n}", T0 + DAY, 10.0) for n in range(100)])
    purchases(live.store, [(f"s{n}", T0 + DAY, 10.0) for n in range(160)])
    readout = client.experiment_readout("subjects", at=T0 + 10 * DAY)
    (conversion,) = readout.tests["conversion"]
    assert conversion.difference == pytest.approx(0.03) and conversion.significant
    assert {t.metric for t in readout.tests["revenue_cuped"]} == {"revenue_cuped"}
    (bayes,) = readout.bayesian
    assert bayes.probability_beats_control is not None and bayes.probability_beats_control > 0.99
    assert readout.srm is not None and not readout.srm.mismatch
    exposures(live.store, "subjects", [(f"x{n}", "short", T0) for n in range(300)])
    blocked = client.experiment_readout("subjects", at=T0 + 10 * DAY)
    assert blocked.blocked and blocked.tests == {} and blocked.bayesian == []
    assert blocked.blocked_reason is not None and "sample ratio" in blocked.blocked_reason
    assert client.experiment_readout_png("subjects", at=T0 + 10 * DAY)[:4] == b"\x89PNG"


def test_a_bandit_over_the_api(live: LiveServer, client: Client) -> None:
    client.create_experiment(
        SUBJECTS | {"kind": "bandit", "metrics": {"min_share": 0.1}}, start=True
    )
    person = next(f"u{n}" for n in range(100) if not in_holdout(f"u{n}", live.settings))
    first = client.assign("subjects", person, key="message-1", context={"segment": "vip"})
    second = client.assign("subjects", person, key="message-2")
    assert first.propensity == pytest.approx(1 / 3) and second.exposure_id != first.exposure_id
    assert first.reason == second.reason == "assigned"
    readout = client.experiment_readout("subjects")
    assert readout.kind == "bandit" and readout.srm is None
    assert [a.allocation for a in readout.arms] == pytest.approx([1 / 3] * 3)


def test_mistakes_are_named(live: LiveServer, client: Client) -> None:
    with pytest.raises(ApiError) as caught:
        client.create_experiment({"name": "x", "variants": [{"name": "a"}]})
    assert problem_locs(caught) == [["body", "variants"]]
    with pytest.raises(ApiError) as caught:
        client.create_experiment({"name": "x\x00", "variants": [{"name": "a"}, {"name": "b"}]})
    assert problem_locs(caught) == [["body", "name"]]
    client.create_experiment(SUBJECTS)
    with pytest.raises(ApiError) as caught:
        client.create_experiment(SUBJECTS)
    assert caught.value.status == 409
    for call in (
        lambda: client.get_experiment("nope"),
        lambda: client.experiment_readout("nope"),
        lambda: client.experiment_readout_png("nope"),
        lambda: client.assign("nope", "u1"),
    ):
        with pytest.raises(ApiError) as caught:
            call()
        assert caught.value.status == 404
    with pytest.raises(ApiError) as caught:
        client.list_experiments("odd")
    assert problem_locs(caught) == [["query", "status"]]
    with pytest.raises(ApiError) as caught:
        client.stop_experiment("subjects")
    assert caught.value.status == 409  # a draft cannot stop
    with live.client("read") as reader, pytest.raises(ApiError) as caught:
        reader.list_experiments()
    assert caught.value.status == 403
