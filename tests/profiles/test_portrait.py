"""Portrait texts: the template, and generation behind the grounding check (a scripted fake
generator for the decision logic; the real model runs in test_build)."""

from __future__ import annotations

from dataclasses import dataclass, field

from recmind.profiles.portrait import portrait_facts, template_portrait, write_portrait
from recmind.text.grounding import GroundingChecker, Vocabulary
from recmind.text.llm.protocol import GenerationRequest, GenerationResult, TextStream


def test_template_uses_the_facts_only() -> None:
    tags = ["1990s", "Drama", "Comedy", "Romance", "Sci-Fi", "War"]
    titles = ["Game, The (1997)", "Fargo (1996)", "Heat (1995)", "Jaws (1975)"]
    text = template_portrait(tags, titles)
    assert text == (
        "Mostly drawn to Drama, Comedy and Romance, above all from the 1990s. "
        "Also interested in Sci-Fi. "
        'Recently: "The Game (1997)", "Fargo (1996)" and "Heat (1995)".'
    )
    assert GroundingChecker(Vocabulary(titles, tags)).check(text, portrait_facts(tags, titles)).ok


def test_template_edge_cases() -> None:
    assert template_portrait([], []) == "No activity yet."
    assert template_portrait(["1980s"], []) == "Mostly drawn to titles from the 1980s."
    assert template_portrait([], ["Heat (1995)"]) == 'Recently: "Heat (1995)".'


@dataclass
class ScriptedFakeGenerator:
    """A fake for the decision logic only: always gives the same answer."""

    answer: str
    requests: list[GenerationRequest] = field(default_factory=list)
    model_id: str = "fake"
    default_seed: int = 0

    def generate(self, request: GenerationRequest) -> GenerationResult:
        self.requests.append(request)
        return GenerationResult(self.answer, 20, 50, 0.1, "stop", "fake")

    def stream(self, request: GenerationRequest) -> TextStream:
        return TextStream(iter([self.generate(request)]))


def test_grounded_generation_is_kept() -> None:
    fake = ScriptedFakeGenerator("A Drama lover who recently enjoyed The Game. Likes Comedy too.")
    out = write_portrait(["Drama", "Comedy"], ["Game, The (1997)"], fake)
    assert (out.source, out.attempts) == ("llm", 1)
    user_turn = fake.requests[0].messages[-1].content
    assert '"The Game (1997)"' in user_turn and "Drama, Comedy" in user_turn


def test_invented_facts_fall_back_to_the_template() -> None:
    checker = GroundingChecker(Vocabulary(["Fargo (1996)", "Game, The (1997)"], ["Drama"]))
    fake = ScriptedFakeGenerator("A 34-year-old fan of Fargo.")
    out = write_portrait(["Drama"], ["Game, The (1997)"], fake, checker=checker, max_attempts=2)
    assert out.source == "fallback" and out.attempts == 2
    assert out.text == template_portrait(["Drama"], ["Game, The (1997)"])
    kinds = {v.kind for v in out.reports[0].violations}
    assert kinds == {"number", "name"}  # a one-word title reads as a name


def test_no_facts_no_generation() -> None:
    fake = ScriptedFakeGenerator("anything")
    out = write_portrait([], [], fake)
    assert (out.text, out.attempts, fake.requests) == ("No activity yet.", 0, [])
