"""Writing one piece of copy: the model never sees a value, every claim is checked, a
rejected draft is sent back once with the reasons, then the template takes over."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from tests.marketing.copy.conftest import Held
from tests.marketing.copy.shop import BRAND, NOW_DT, OFFER

from recmind.marketing.copy.context import CopyContext, CopyItem, PersonContext, ReviewContext
from recmind.marketing.copy.generate import prompt_messages, write_copy
from recmind.marketing.copy.kinds import COPY_KINDS, CopyKind, kind_spec
from recmind.marketing.copy.limits import ad_width
from recmind.text.claims import check
from recmind.text.llm.cache import CachingGenerator, GenerationCache
from recmind.text.llm.local import LocalGGUFGenerator

SWEATER = CopyItem(
    "sweater",
    "Merino Crew Sweater",
    price=89.0,
    stock=4,
    category="Knitwear",
    attributes={"materials": ["merino wool"], "colors": ["charcoal"], "fit": ["regular"]},
    sentiment={"reviews": 2, "positive": 1, "positive_share": 0.5, "rated": 2, "mean_rating": 3.5},
    snippets=("So soft and warm, fits true to size.",),
)
TEE = CopyItem(
    "tee", "Organic Cotton Tee", price=24.5, stock=120, attributes={"materials": ["organic cotton"]}
)
SECRETS = ("89", "24.5", "24.50", "WOOL15", "15%", "June 30", "6月30日", "Maya")


def context(kind: CopyKind, language: str = "en", **changes: object) -> CopyContext:
    fields: dict[str, object] = {
        "kind": kind,
        "language": language,
        "brand": BRAND,
        "currency": "USD",
        "now": NOW_DT,
        "items": (SWEATER, TEE),
        "person": PersonContext("maya", "Maya", language, ("knitwear", "wool")),  # type: ignore[arg-type]
        "offer": OFFER,
        "review": ReviewContext("Lovely, but it runs a bit small.", 4.0)
        if kind == "review-reply"
        else None,
    }
    fields.update(changes)
    return CopyContext(**fields)  # type: ignore[arg-type]


@pytest.mark.parametrize("kind", COPY_KINDS)
@pytest.mark.parametrize("language", ["en", "zh"])
def test_the_prompt_never_holds_a_value_only_slots(kind: CopyKind, language: str) -> None:
    ctx = context(kind, language)
    prompt = "\n".join(m.content for m in prompt_messages(ctx, kind_spec(kind)))
    for secret in SECRETS:
        assert secret not in prompt, (secret, prompt)
    assert "{{price:item1}}" in prompt or kind == "slogan"
    assert "{{code}}" in prompt and "{{name}}" in prompt
    assert ("Simplified Chinese" in prompt) == (language == "zh")


@pytest.mark.llm
@pytest.mark.parametrize(
    ("kind", "language"),
    [(k, "en" if n % 2 == 0 else "zh") for n, k in enumerate(COPY_KINDS)]
    + [("email", "zh"), ("push", "en")],
)
def test_real_model_copy_is_checked_and_slot_filled(
    smollm: LocalGGUFGenerator, kind: CopyKind, language: str
) -> None:
    ctx = context(kind, language)
    result = write_copy(ctx, smollm, timeout_s=60, seed=3)
    assert result.source in ("llm", "fallback"), result.reasons
    assert set(result.parts) == set(kind_spec(kind).parts)
    text = "\n".join(result.parts.values())
    assert "{{" not in text and "}}" not in text
    assert check(text, ctx.facts()).ok
    for part, limit in kind_spec(kind).limits.items():
        assert limit.fits(result.parts[part]), (kind, part, result.parts[part])
    if result.source == "fallback":
        assert result.attempts == 2 and len(result.rejected) == 2


def test_an_invented_discount_is_sent_back_with_the_reason_then_the_template_is_used(
    held: Callable[[list[str]], Held],
) -> None:
    # no offer: the 50% cannot be the offer's discount (with one, it would become its slot)
    model = held(["Get 50% off everything today!", "Everything is 50% off, this week only!"])
    result = write_copy(context("push", offer=None), model, timeout_s=60)
    assert result.source == "fallback"
    assert result.attempts == 2
    assert "50" in result.rejected[0][0]
    retry = model.requests[1].messages
    assert retry[-2].role == "assistant" and "50% off" in retry[-2].content
    assert retry[-1].role == "user" and "rejected" in retry[-1].content
    assert "50" in retry[-1].content  # the reason is in the prompt
    assert result.parts["text"].startswith("Harbor & Pine: Merino Crew Sweater, $89.00.")
    assert check(result.parts["text"], context("push", offer=None).facts()).ok


def test_an_unsupported_claim_in_slot_text_is_rejected_by_the_checker(
    held: Callable[[list[str]], Held],
) -> None:
    ctx = context("sms")
    model = held(
        [
            "{{brand}}: {{title:item1}} is our best-selling sweater, {{price:item1}}.",
            "{{brand}}: {{title:item1}} in soft merino wool, {{price:item1}} with {{code}}.",
        ]
    )
    result = write_copy(ctx, model, timeout_s=60)
    assert result.source == "llm" and result.attempts == 2
    assert any("best-selling" in r for r in result.rejected[0])
    assert result.parts["text"] == (
        "Harbor & Pine: Merino Crew Sweater in soft merino wool, $89.00 with WOOL15."
    )
    assert result.template["text"].startswith("{{brand}}: {{title:item1}}")


def test_a_good_first_answer_is_filled_from_the_store(held: Callable[[list[str]], Held]) -> None:
    answer = {
        "subject": "{{name}}, your {{title:item1}} is waiting",
        "preheader": "{{discount}} off with {{code}} until {{ends}}.",
        "body": "Hi {{name}}, the {{title:item1}} in charcoal merino wool is {{price:item1}}. "
        "Use {{code}} for {{discount}} off until {{ends}}, with {{free_shipping}}.",
        "cta": "Shop the sweater",
    }
    result = write_copy(context("email"), held([json.dumps(answer)]), timeout_s=60)
    assert result.first_attempt_grounded
    assert result.parts["subject"] == "Maya, your Merino Crew Sweater is waiting"
    assert result.parts["preheader"] == "15% off with WOOL15 until June 30."
    assert (
        "$89.00" in result.parts["body"]
        and "free shipping on orders over $75.00" in result.parts["body"]
    )
    assert all(c.supported for c in result.claims) and result.claims


def test_over_long_parts_are_cut_at_a_word_boundary(held: Callable[[list[str]], Held]) -> None:
    long = " ".join(["Warm merino wool for cold mornings and long walks."] * 8)
    result = write_copy(context("push"), held([long]), timeout_s=60, push_max_chars=80)
    assert result.source == "llm" and result.cut == ("text",)
    text = result.parts["text"]
    assert len(text) <= 80 and text.endswith("…")
    body = text.removesuffix("…")
    assert long.startswith(body)
    assert long[len(body)] in " ."  # the cut fell between words


def test_ad_headlines_fit_30_and_descriptions_90(held: Callable[[list[str]], Held]) -> None:
    answer = {
        "headline1": "{{title:item1}}",
        "headline2": "Soft Merino Wool in Charcoal Grey For You",
        "headline3": "{{discount}} Off With {{code}}",
        "description1": "A regular fit crew neck in merino wool, charcoal. " * 3,
        "description2": "{{title:item1}}, {{price:item1}}, at {{brand}}.",
    }
    result = write_copy(context("ad", "en"), held([json.dumps(answer)]), timeout_s=60)
    assert result.source == "llm", result.rejected
    for part, text in result.parts.items():
        assert ad_width(text) <= (30 if part.startswith("headline") else 90), (part, text)


def test_the_language_is_the_persons(held: Callable[[list[str]], Held]) -> None:
    ctx = context("slogan", "zh")
    result = write_copy(ctx, held(["Warm wool for you.", "温暖的羊毛，为你而来。"]), timeout_s=60)
    assert result.rejected[0] == ("write in Simplified Chinese",)
    assert result.source == "llm" and result.parts["text"] == "温暖的羊毛，为你而来。"
    fallback = write_copy(context("email", "zh"), None)
    assert fallback.source == "fallback"
    assert re.search(r"[\u4e00-\u9fff]", fallback.parts["body"])
    assert "Maya，您好" in fallback.parts["body"] and "WOOL15" in fallback.parts["body"]


def test_a_prompt_leak_and_avoided_words_are_rejected(held: Callable[[list[str]], Held]) -> None:
    result = write_copy(
        context("slogan"),
        held(["The customer likes: knitwear.", "Cheap wool, amazing deals."]),
        timeout_s=60,
    )
    assert result.source == "fallback"
    assert any("prompt's own words" in r for r in result.rejected[0])
    assert any("never use" in r for r in result.rejected[1])


def test_generations_are_cached(smollm: LocalGGUFGenerator, tmp_path: Path) -> None:
    cache = GenerationCache(tmp_path / "llm")
    cached = CachingGenerator(smollm, cache)
    first = write_copy(context("slogan"), cached, timeout_s=60, seed=11)
    assert first.llm_calls == first.attempts >= 1
    again = write_copy(context("slogan"), cached, timeout_s=60, seed=11)
    assert again.llm_calls == 0 and again.attempts == first.attempts
    assert again.parts == first.parts and len(cache) == first.attempts


def test_a_review_reply_may_say_what_the_reviewer_said(held: Callable[[list[str]], Held]) -> None:
    ctx = context("review-reply", "zh", items=(SWEATER,))
    result = write_copy(
        ctx,
        held(
            ["感谢您的评价！很高兴您喜欢{{title:item1}}，我们会把尺码建议告诉更多顾客。{{brand}}"]
        ),
        timeout_s=60,
    )
    assert result.source == "llm", result.rejected
    assert result.parts["text"].endswith("Harbor & Pine")


def test_an_email_without_its_button_line_gets_the_templates(
    held: Callable[[list[str]], Held],
) -> None:
    answer = (
        "Subject: New for you\nPreheader: A pick from {{brand}}.\n"
        "Body: Hi {{name}}, see {{title:item1}}."
    )
    result = write_copy(context("email"), held([answer]), timeout_s=60)
    assert result.source == "llm" and result.attempts == 1, result.rejected
    assert not result.first_attempt_grounded
    assert result.edited == ("the Button line was missing: the template's was used",)
    assert result.parts["cta"] == "Take a look"
    assert result.parts["body"] == "Hi Maya, see Merino Crew Sweater."
