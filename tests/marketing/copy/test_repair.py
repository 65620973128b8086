"""Editing a rejected draft: the sentences that carry an unsupported claim (or a stray
number, a leak, an avoided word) are cut out, the rest is reviewed in full again, and the
result is recorded as edited, never as grounded at the first attempt."""

from __future__ import annotations

import json
from collections.abc import Callable

from tests.marketing.copy.conftest import Held
from tests.marketing.copy.shop import BRAND
from tests.marketing.copy.test_generate import context

from recmind.marketing.copy.generate import write_copy
from recmind.marketing.copy.kinds import kind_spec
from recmind.marketing.copy.repair import repair, sentences
from recmind.marketing.copy.review import copies_example
from recmind.text.claims import check


def test_sentences_split_after_english_and_chinese_marks() -> None:
    assert sentences("Warm wool. Soft too! Yours? ") == ["Warm wool.", "Soft too!", "Yours?"]
    assert sentences("温暖的羊毛。很柔软！") == ["温暖的羊毛。", "很柔软！"]
    whole = "{{title:item1}} for {{price:item1}}"
    assert sentences(whole) == [whole]


def test_a_body_sentence_with_an_invented_claim_is_cut_out(
    held: Callable[[list[str]], Held],
) -> None:
    answer = {
        "subject": "{{title:item1}} for you",
        "preheader": "{{discount}} off with {{code}} until {{ends}}.",
        "body": "Hi {{name}}, meet the {{title:item1}} in merino wool. It is our best-selling "
        "sweater. It is {{price:item1}}, and {{code}} takes {{discount}} off until {{ends}}.",
        "cta": "Shop the sweater",
    }
    model = held([json.dumps(answer)])
    result = write_copy(context("email"), model, timeout_s=60)
    assert result.source == "llm" and result.attempts == 1 and len(model.requests) == 1
    assert not result.first_attempt_grounded
    assert any("best-selling" in reason for reason in result.edited)
    assert "best-selling" not in result.parts["body"]
    assert result.parts["body"].startswith("Hi Maya, meet the Merino Crew Sweater in merino wool.")
    assert "$89.00" in result.parts["body"]
    assert check("\n".join(result.parts.values()), context("email").facts()).ok


def test_a_part_of_one_faulty_sentence_is_not_edited_but_regenerated(
    held: Callable[[list[str]], Held],
) -> None:
    first = "{{brand}}: {{title:item1}} is our best-selling sweater, {{price:item1}}."
    second = "{{brand}}: {{title:item1}} in soft merino wool, {{price:item1}}."
    result = write_copy(context("sms"), held([first, second]), timeout_s=60)
    assert result.source == "llm" and result.attempts == 2 and not result.edited


def test_a_part_that_would_lose_most_of_its_text_is_not_edited() -> None:
    spec = kind_spec("description")
    text = (
        "{{title:item1}} is the best-selling sweater of the season, loved by thousands of "
        "customers in every city. Merino wool."
    )
    assert repair({"text": text}, context("description"), spec) is None


def test_nothing_to_cut_gives_none() -> None:
    spec = kind_spec("description")
    text = "{{title:item1}} in merino wool. A regular fit in charcoal."
    assert repair({"text": text}, context("description"), spec) is None


def test_a_customers_voice_and_a_copied_example_are_rejected(
    held: Callable[[list[str]], Held],
) -> None:
    example = "Soft layers for cooler days, made to be worn, washed and worn again."
    ctx = context("slogan", brand=BRAND.model_copy(update={"examples": [example]}))
    answers = ["I love how soft it is.", "Soft layers for cooler days, made to be worn."]
    result = write_copy(ctx, held(answers), timeout_s=60)
    assert result.source == "fallback"
    assert any("never as one person" in r for r in result.rejected[0])
    assert any("do not copy" in r for r in result.rejected[1])


def test_copying_is_a_long_run_of_the_examples_words() -> None:
    examples = ["Soft layers for cooler days, made to be worn.", "柔软的层次，适合凉爽的日子穿着。"]
    assert copies_example("Our soft layers for cooler days, made to last.", examples)
    assert not copies_example("Soft layers for {{title:item1}} days.", examples)
    assert copies_example("全新上市：柔软的层次，适合凉爽的日子！", examples)
    assert not copies_example("柔软的羊毛，温暖每一天。", examples)


def test_one_missing_ad_line_comes_from_the_template_but_never_a_body(
    held: Callable[[list[str]], Held],
) -> None:
    answer = (
        "Headline 1: {{title:item1}}\nHeadline 2: Soft merino wool\n"
        "Description 1: A regular fit crew neck in merino wool.\n"
        "Description 2: {{title:item1}}, {{price:item1}}, at {{brand}}."
    )
    result = write_copy(context("ad"), held([answer]), timeout_s=60)
    assert result.source == "llm" and result.attempts == 1, result.rejected
    assert result.edited == ("the Headline 3 line was missing: the template's was used",)
    assert result.parts["headline1"] == "Merino Crew Sweater"
    assert result.parts["headline3"]
    no_body = "Subject: New for you\nPreheader: A pick from {{brand}}.\nButton: Shop now"
    again = write_copy(context("email"), held([no_body, no_body]), timeout_s=60)
    assert again.source == "fallback"
    assert "lacks Body" in again.rejected[0][0]


def test_a_discount_written_as_a_number_becomes_the_offers_slot(
    held: Callable[[list[str]], Held],
) -> None:
    text = "Save 40% on the {{title:item1}} with {{code}} until {{ends}}."
    result = write_copy(context("push"), held([text]), timeout_s=60)
    assert result.source == "llm" and result.attempts == 1, result.rejected
    assert result.parts["text"] == "Save 15% on the Merino Crew Sweater with WOOL15 until June 30."
    assert result.edited == ("a discount written as a number was replaced by the offer's",)
    no_offer = context("push", offer=None)
    kept = write_copy(no_offer, held([text, "{{title:item1}} in merino wool."]), timeout_s=60)
    assert kept.attempts == 2 and not kept.edited
