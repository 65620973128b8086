"""Length limits on the filled text: cut at a word boundary, never inside a slot."""

from __future__ import annotations

from recmind.marketing.copy.kinds import COPY_KINDS, kind_spec
from recmind.marketing.copy.limits import Limit, ad_width, cut_to, sms_limit
from recmind.marketing.copy.slots import SLOT, fill

VALUES = {"title:item1": "Merino Crew Sweater in Charcoal Grey", "price:item1": "$89.00"}


def test_a_text_that_fits_is_left_alone() -> None:
    assert cut_to("Short {{price:item1}}", Limit(30), VALUES) == "Short {{price:item1}}"


def test_cut_at_a_word_boundary_and_never_inside_a_slot() -> None:
    text = "Warm and soft for the cold days ahead: {{title:item1}} at {{price:item1}} now"
    for chars in range(12, 90):
        short = cut_to(text, Limit(chars, ellipsis=True), VALUES)
        filled = fill(short, VALUES) if short else ""
        assert len(filled) <= chars, (chars, filled)
        assert "{" not in SLOT.sub("", short)  # no half slot left behind
        if short:
            body = short.removesuffix("…")
            assert text.startswith(body)
            rest = text[len(body) :]
            assert rest == "" or rest[0] in " :"  # the cut fell between words


def test_ad_width_counts_wide_characters_twice() -> None:
    assert ad_width("Merino") == 6
    assert ad_width("美利奴羊毛") == 10
    headline = kind_spec("ad").limits["headline1"]
    assert headline.fits("美利奴羊毛衫，柔软保暖，秋冬必备") is False
    short = cut_to("美利奴羊毛衫，柔软保暖，秋冬必备款式推荐给你", headline, {})
    assert ad_width(short) <= 30 and short


def test_one_sms_is_160_gsm_characters_or_70_unicode() -> None:
    assert sms_limit("Hello") == 160
    assert sms_limit("你好") == 70
    sms = kind_spec("sms").limits["text"]
    assert sms.fits("a" * 160) and not sms.fits("a" * 161)
    assert sms.fits("好" * 70) and not sms.fits("好" * 71)


def test_every_kind_has_a_limit_per_part() -> None:
    for kind in COPY_KINDS:
        spec = kind_spec(kind)
        assert set(spec.limits) == set(spec.parts)
        assert (spec.schema() is not None) == spec.json
    ad = kind_spec("ad")
    assert {ad.limits[p].chars for p in ad.parts} == {30, 90}
    assert kind_spec("push", push_max_chars=120).limits["text"].chars == 120
