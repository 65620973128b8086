"""Splitting markdown into passages: heading paths, size limits, stable ids."""

from __future__ import annotations

import pytest

from recmind.data.kb_markdown import MIN_PASSAGE_CHARS, sections, split_markdown, title_of

DOC = """Intro before any heading.

# Returns

You can return items within 30 days.

## Refunds

Refunds take 5 days.

## Exchanges

### Sizes

Free size exchanges.

```
# not a heading: code
```

# Contact

Write to us.
"""


def test_heading_paths_are_the_titles() -> None:
    passages = split_markdown(DOC, "returns")
    assert [p.title for p in passages] == [
        "Returns",  # text before any heading is titled with the document's title
        "Returns",
        "Returns > Refunds",
        "Returns > Exchanges > Sizes",
        "Contact",
    ]
    assert passages[3].body.startswith("Free size exchanges.")
    assert "# not a heading: code" in passages[3].body
    assert [p.position for p in passages] == list(range(5))
    assert title_of(DOC, "fallback") == "Returns" and title_of("no headings", "x") == "x"


def test_sections_without_text_are_left_out() -> None:
    assert [s.path for s in sections("# A\n## B\ntext\n")] == [("A", "B")]


def test_ids_are_stable_and_survive_edits_elsewhere() -> None:
    first = {p.title: p.passage_id for p in split_markdown(DOC, "returns")[1:]}
    edited = DOC.replace("Refunds take 5 days.", "Refunds take 3 days.").replace(
        "# Contact", "# Payment\n\nCards.\n\n# Contact"
    )
    second = {p.title: p.passage_id for p in split_markdown(edited, "returns")[1:]}
    assert {k: second[k] for k in first} == first
    assert len(set(second.values())) == len(second)
    other = {p.passage_id for p in split_markdown(DOC, "shipping")}
    assert not other & set(first.values())  # another file never shares an id


def test_long_sections_are_cut_at_paragraphs_then_sentences() -> None:
    paragraph = " ".join(f"Sentence number {n} says one thing." for n in range(40))
    text = "# Long\n\n" + "\n\n".join([paragraph, "Short paragraph."] * 3)
    passages = split_markdown(text, "long", max_chars=400)
    assert all(len(p.body) <= 400 for p in passages)
    assert all(p.title == "Long" for p in passages)
    assert len({p.passage_id for p in passages}) == len(passages)
    words = " ".join(p.body for p in passages).split()
    assert words == " ".join([paragraph, "Short paragraph."] * 3).split()  # nothing lost
    word = "x" * 1000
    assert [len(p.body) for p in split_markdown(word, "w", max_chars=400)] == [400, 400, 200]


def test_a_tiny_limit_is_refused() -> None:
    with pytest.raises(ValueError, match="at least"):
        split_markdown(DOC, "d", max_chars=MIN_PASSAGE_CHARS - 1)
