"""The grounding checker on hand-written texts, the generate-check-retry loop (with a scripted
fake generator for the loop logic, and the real SmolLM2-135M for the code path)."""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from recmind.text.grounding import (
    Facts,
    GroundingChecker,
    Vocabulary,
    form_violations,
    generate_grounded,
    split_sentences,
    tidy,
    title_aliases,
)
from recmind.text.llm.gguf_assets import ModelAssetsMissingError, ensure_model
from recmind.text.llm.local import LocalGGUFGenerator
from recmind.text.llm.protocol import GenerationRequest, GenerationResult, TextStream

TITLES = [
    "Star Wars (1977)",
    "Return of the Jedi (1983)",
    "Empire Strikes Back, The (1980)",
    "Toy Story (1995)",
    "Fargo (1996)",
    "Shawshank Redemption, The (1994)",
    "Game, The (1997)",
    "哈利·波特与魔法石",
]
TERMS = ["Sci-Fi", "Action", "Comedy", "Drama", "Adventure", "Children's", "unknown", "科幻"]


@pytest.fixture(scope="module")
def checker() -> GroundingChecker:
    return GroundingChecker(Vocabulary(TITLES, TERMS))


@pytest.fixture
def facts() -> Facts:
    return Facts.of(
        titles=["Star Wars (1977)", "Return of the Jedi (1983)", "Empire Strikes Back, The (1980)"],
        terms=["Sci-Fi", "Action"],
    )


def kinds(checker: GroundingChecker, text: str, facts: Facts) -> list[tuple[str, str]]:
    return [(v.kind, v.text) for v in checker.check(text, facts).violations]


def test_title_not_in_facts_is_rejected(checker: GroundingChecker, facts: Facts) -> None:
    text = "Because you watched Star Wars, you will love Toy Story."
    assert kinds(checker, text, facts) == [("title", "Toy Story")]


def test_quoted_title_not_in_facts_is_rejected(checker: GroundingChecker, facts: Facts) -> None:
    text = 'Fans of "Star Wars (1977)" also like "Fargo".'
    assert ("quote", "Fargo") in kinds(checker, text, facts)


def test_an_unclosed_quote_does_not_shift_the_pairs(
    checker: GroundingChecker, facts: Facts
) -> None:
    text = '"Empire Strikes Back (1980) suits fans of "Star Wars (1977)" and "Return of the Jedi".'
    assert checker.check(text, facts).ok
    assert ("quote", "Fargo") in kinds(checker, text.replace("Return of the Jedi", "Fargo"), facts)


def test_invented_number_is_rejected(checker: GroundingChecker, facts: Facts) -> None:
    assert kinds(checker, "The Empire Strikes Back won 3 awards.", facts) == [("number", "3")]


def test_numbers_inside_facts_are_allowed(checker: GroundingChecker, facts: Facts) -> None:
    assert checker.check("Return of the Jedi (1983) closes the story begun in 1977.", facts).ok


def test_invented_people_are_rejected(checker: GroundingChecker, facts: Facts) -> None:
    text = "Directed by Irvin Kershner, it stars Harrison Ford as Han."
    found = kinds(checker, text, facts)
    assert ("name", "Irvin Kershner") in found
    assert ("name", "Harrison Ford") in found
    assert ("name", "Han") in found


def test_term_not_in_facts_is_rejected(checker: GroundingChecker, facts: Facts) -> None:
    assert kinds(checker, "A fun comedy like Star Wars.", facts) == [("term", "comedy")]


def test_paraphrase_of_facts_is_accepted(checker: GroundingChecker, facts: Facts) -> None:
    text = (
        "Since you enjoyed the original Star Wars and the Jedi saga, The Empire Strikes Back "
        "brings more science fiction and action."
    )
    report = checker.check(text, facts)
    assert report.ok, report.violations
    assert set(report.titles) == {"Star Wars (1977)", "Empire Strikes Back, The (1980)"}
    assert set(report.terms) == {"Sci-Fi", "Action"}


def test_plurals_and_case_are_paraphrases(checker: GroundingChecker) -> None:
    facts = Facts.of(titles=["Toy Story (1995)"], terms=["Comedy", "Children's"])
    assert checker.check("You like comedies and children's films such as TOY STORY.", facts).ok


def test_article_moved_back_is_the_same_title(checker: GroundingChecker) -> None:
    facts = Facts.of(titles=["Shawshank Redemption, The (1994)"])
    assert checker.check('You rated "The Shawshank Redemption (1994)" highly.', facts).ok
    assert "the shawshank redemption" in title_aliases("Shawshank Redemption, The (1994)")


def test_common_phrases_are_not_titles_unless_written_as_names(
    checker: GroundingChecker, facts: Facts
) -> None:
    assert checker.check("It is the game changer of Star Wars.", facts).ok
    assert ("title", "The Game") in kinds(checker, "Then watch The Game.", facts)


def test_generic_terms_and_sentence_starts_are_fine(checker: GroundingChecker) -> None:
    facts = Facts.of(terms=["Drama"])
    assert checker.check("Unknown to many, Drama suits you. I think so.", facts).ok


def test_chinese_titles_and_terms(checker: GroundingChecker) -> None:
    facts = Facts.of(titles=["哈利·波特与魔法石"], terms=["科幻"])
    assert checker.check("你喜欢《哈利·波特与魔法石》和科幻。", facts).ok
    found = kinds(checker, "你会喜欢《三体》。", facts)
    assert found == [("quote", "三体")]


def test_empty_text_is_rejected(checker: GroundingChecker, facts: Facts) -> None:
    assert kinds(checker, "  ", facts) == [("empty", "  ")]


def test_without_vocabulary_only_quotes_numbers_and_names(facts: Facts) -> None:
    checker = GroundingChecker()
    assert checker.check("A fun comedy for you.", facts).ok
    assert not checker.check("Try Fargo, from 1996.", facts).ok


def test_split_sentences_respects_quotes_and_abbreviations() -> None:
    text = 'He met Dr. Smith. Then "Mr. Holland\'s Opus. Nice." was great! And more'
    assert split_sentences(text) == [
        "He met Dr. Smith.",
        'Then "Mr. Holland\'s Opus. Nice." was great!',
        "And more",
    ]
    chinese = split_sentences("你喜欢科幻。你会喜欢这部电影！")
    assert chinese == ["你喜欢科幻。", "你会喜欢这部电影！"]


def test_tidy_removes_prefaces_labels_and_wrapping_quotes() -> None:
    assert tidy('Sure! Here is the sentence: "You will like it."') == "You will like it."
    assert tidy("Portrait: **Loves** action. Two. Three. Four.", max_sentences=3) == (
        "Loves action. Two. Three."
    )
    assert tidy("One. Two is cut", complete_only=True) == "One."


def test_form_rejects_cut_off_and_degenerate_texts() -> None:
    cut_off = form_violations("Because you liked Star Wars and")
    assert [v.kind for v in cut_off] == ["incomplete"]
    looping = form_violations("Star Wars, Star Wars, Star Wars, Star Wars.")
    assert [v.kind for v in looping] == ["repetition"]
    assert form_violations('You rated "Star Wars (1977)" highly.') == []
    assert form_violations("你喜欢科幻。") == []


@dataclass
class ScriptedFakeGenerator:
    """A fake for the loop logic only: returns the given answers in order and records the
    requests (the code path with a real model is tested below)."""

    answers: list[str]
    requests: list[GenerationRequest] = field(default_factory=list)
    model_id: str = "fake"
    default_seed: int = 0

    def generate(self, request: GenerationRequest) -> GenerationResult:
        self.requests.append(request)
        text = self.answers[min(len(self.requests) - 1, len(self.answers) - 1)]
        return GenerationResult(text, len(text.split()), 10, 0.01, "stop", "fake")

    def stream(self, request: GenerationRequest) -> TextStream:
        return TextStream(iter([self.generate(request)]))


def test_retry_feeds_violations_back_and_accepts_a_grounded_answer(facts: Facts) -> None:
    fake = ScriptedFakeGenerator(["Starring Mark Hamill.", "More Sci-Fi like Star Wars."])
    request = GenerationRequest.chat("Why?", seed=5, temperature=0.0)
    out = generate_grounded(fake, request, facts, fallback="Because of Star Wars.")
    assert (out.source, out.attempts, out.first_ok) == ("llm", 2, False)
    assert out.text == "More Sci-Fi like Star Wars."
    retry = fake.requests[1]
    assert retry.seed != request.seed and retry.temperature > 0
    assert retry.messages[-2].content == "Starring Mark Hamill."
    assert "Mark Hamill" in retry.messages[-1].content


def test_a_grounded_but_cut_off_answer_is_retried(facts: Facts) -> None:
    fake = ScriptedFakeGenerator(["You will like Star Wars and", "You will like Star Wars."])
    out = generate_grounded(fake, GenerationRequest.chat("Why?"), facts, fallback="-")
    assert (out.source, out.attempts) == ("llm", 2)
    assert [v.kind for v in out.reports[0].violations] == ["incomplete"]


def test_fallback_after_bounded_attempts(facts: Facts) -> None:
    fake = ScriptedFakeGenerator(["Watch Fargo."])
    request = GenerationRequest.chat("Why?")
    out = generate_grounded(fake, request, facts, fallback="Because of Star Wars.", max_attempts=2)
    assert (out.source, out.text, out.attempts, len(fake.requests)) == (
        "fallback",
        "Because of Star Wars.",
        2,
        2,
    )


@pytest.fixture(scope="module")
def smollm(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalGGUFGenerator]:
    """The real SmolLM2-135M through the production backend."""
    if importlib.util.find_spec("llama_cpp") is None:
        pytest.skip("llama-cpp-python is not installed")
    try:
        path: Path = ensure_model("smollm2-135m", models_dir=tmp_path_factory.mktemp("llm"))
    except ModelAssetsMissingError as exc:
        pytest.skip(str(exc))
    generator = LocalGGUFGenerator(path, n_ctx=1024, n_threads=2, seed=7)
    yield generator
    generator.close()


def test_real_model_output_is_checked_or_replaced(
    smollm: LocalGGUFGenerator, checker: GroundingChecker, facts: Facts
) -> None:
    request = GenerationRequest.chat(
        'In one sentence: why would a fan of "Star Wars (1977)" like '
        '"Empire Strikes Back, The (1980)"? Both are Sci-Fi.',
        max_tokens=24,
        temperature=0.0,
        seed=3,
    )
    out = generate_grounded(
        smollm,
        request,
        facts,
        fallback="Because you watched Star Wars.",
        checker=checker,
        max_attempts=2,
    )
    assert 1 <= out.attempts <= 2 and out.tokens > 0
    assert checker.check(out.text, facts).ok
    assert (out.source == "llm") == out.reports[-1].ok
