"""The template reason of an explanation: every word of it from the facts."""

from __future__ import annotations

from collections.abc import Sequence

from recmind.text.grounding.matching import display_title


def _join(words: Sequence[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def display_tag(tag: str) -> str:
    """``sci-fi`` -> ``Sci-Fi`` (lower-cased catalogue categories), others unchanged."""
    if tag != tag.lower():
        return tag
    return "".join(c.upper() if i == 0 or tag[i - 1] in " -/" else c for i, c in enumerate(tag))


def reason_text(verb: str, because: Sequence[str], shared: Sequence[str]) -> str:
    """The template reason (every word of it from the facts)."""
    if because:
        quoted = [f'"{display_title(t)}"' for t in because]
        text = f"Because you {verb} {_join(quoted)}"
        return text + (f"; also {_join(list(shared))}." if shared else ".")
    if shared:
        return f"Matches your interest in {_join(list(shared))}."
    return "Popular right now."
