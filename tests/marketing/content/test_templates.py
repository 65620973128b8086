"""The built-in message templates and a shop's own: every part renders, HTML is escaped and
self-contained, text is not escaped, mistakes and sandbox escapes are errors."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from recmind.config import Settings
from recmind.config.marketing import MarketingSettings
from recmind.marketing.content.templates import (
    BUILTIN_TEMPLATES,
    PARTS,
    MessageTemplateError,
    TemplateLibrary,
    available_templates,
    get_template,
)


def variables(items: list[dict[str, Any]], first_name: str | None = "Ann") -> dict[str, Any]:
    return {
        "shop": {"name": "Corner Shop", "url": "https://shop.test", "link": "https://t.test/c/0"},
        "person": {"user_id": "u1", "first_name": first_name},
        "items": items,
        "item": items[0] if items else None,
        "unsubscribe_url": "https://t.test/u/x",
        "message_id": "m1",
        "channel": "email",
        "context": {},
        "preheader": "the preheader",
    }


def an_item(title: str = "Blue Mug", **extra: Any) -> dict[str, Any]:
    item = {
        "item_id": "i1",
        "title": title,
        "price": "$12.50",
        "price_value": 12.5,
        "old_price": None,
        "old_price_value": None,
        "discount_percent": None,
        "stock": 3,
        "in_stock": True,
        "low_stock": True,
        "category": "kitchen",
        "url": "https://shop.test/items/i1",
        "link": "https://t.test/c/1",
    }
    item.update(extra)
    return item


def test_the_built_in_set() -> None:
    assert available_templates(Settings()) == set(BUILTIN_TEMPLATES)
    assert len(BUILTIN_TEMPLATES) == 11


@pytest.mark.parametrize("name", sorted(BUILTIN_TEMPLATES))
def test_every_part_renders_with_items(name: str) -> None:
    template = get_template(Settings(), name)
    values = variables([an_item(), an_item("Green Tea", item_id="i2", link="https://t.test/c/2")])
    parts = {part: template.render_part(part, values) for part in PARTS}
    assert all(parts[p] for p in PARTS if p != "preheader" or name != "newsletter")
    html = parts["html"]
    assert "https://t.test/u/x" in html and "https://t.test/u/x" in parts["text"]
    # self-contained: inline CSS only, nothing fetched from elsewhere
    for remote in ("<link", "<script", "<img", "@import", "url(", "<style"):
        assert remote not in html.lower()
    assert 'style="' in html
    if name not in {"newsletter", "welcome_1", "win_back"}:
        assert "Blue Mug" in parts["subject"] + parts["preheader"] + parts["onsite_body"]


ITEMS_OPTIONAL = sorted(n for n in BUILTIN_TEMPLATES if not get_template(Settings(), n).needs_items)


def test_which_templates_need_items() -> None:
    assert ITEMS_OPTIONAL == ["newsletter", "welcome_1", "win_back"]


@pytest.mark.parametrize("name", ITEMS_OPTIONAL)
def test_templates_without_items(name: str) -> None:
    template = get_template(Settings(), name)
    values = variables([], first_name=None)
    for part in PARTS:
        assert "None" not in template.render_part(part, values)


def test_html_is_escaped_and_text_is_not() -> None:
    template = get_template(Settings(), "cart_abandonment")
    values = variables([an_item('Mugs & "Cups" <script>alert(1)</script>')])
    html = template.render_part("html", values)
    assert "<script>" not in html
    assert "Mugs &amp; &#34;Cups&#34; &lt;script&gt;" in html
    subject = template.render_part("subject", values)
    assert subject == 'Ann, you left Mugs & "Cups" <script>alert(1)</script> in your cart'
    assert 'Mugs & "Cups"' in template.render_part("text", values)


def shop_settings(folder: Path) -> Settings:
    return Settings(marketing=MarketingSettings(templates_dir=folder))


def test_a_shops_template_overrides_and_adds(tmp_path: Path) -> None:
    blocks = "".join(f"{{% block {p} %}}{p}: {{{{ shop.name }}}}{{% endblock %}}" for p in PARTS)
    (tmp_path / "cart_abandonment.j2").write_text("{% set needs_items = true %}" + blocks)
    (tmp_path / "birthday.j2").write_text(blocks)
    (tmp_path / "_shared.j2").write_text("macros, not a message")
    settings = shop_settings(tmp_path)
    assert available_templates(settings) == set(BUILTIN_TEMPLATES) | {"birthday"}
    library = TemplateLibrary(tmp_path)
    own = library.get("cart_abandonment")
    assert own.needs_items
    assert own.render_part("subject", variables([])) == "subject: Corner Shop"
    assert not library.get("birthday").needs_items
    with pytest.raises(MessageTemplateError, match="no message template '_shared'"):
        library.get("_shared")


def test_mistakes_are_errors(tmp_path: Path) -> None:
    (tmp_path / "half.j2").write_text("{% block subject %}hi{% endblock %}")
    (tmp_path / "typo.j2").write_text(
        "".join(f"{{% block {p} %}}{{{{ shop.nmae }}}}{{% endblock %}}" for p in PARTS)
    )
    (tmp_path / "broken.j2").write_text("{% block subject %}{{ oops {% endblock %}")
    library = TemplateLibrary(tmp_path)
    with pytest.raises(MessageTemplateError, match="lacks the block"):
        library.get("half")
    with pytest.raises(MessageTemplateError, match="nmae"):
        library.get("typo").render_part("subject", variables([]))
    with pytest.raises(MessageTemplateError, match="broken"):
        library.get("broken")
    with pytest.raises(MessageTemplateError, match="no message template 'nope'"):
        library.get("nope")


def test_the_sandbox_holds(tmp_path: Path) -> None:
    escape = "{{ shop.__class__.__mro__[1].__subclasses__() }}"
    (tmp_path / "evil.j2").write_text(
        "".join(f"{{% block {p} %}}{escape}{{% endblock %}}" for p in PARTS)
    )
    template = TemplateLibrary(tmp_path).get("evil")
    with pytest.raises(MessageTemplateError):
        rendered = template.render_part("subject", variables([]))
        assert not re.search(r"class '", rendered)
