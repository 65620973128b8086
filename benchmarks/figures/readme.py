"""The README's generated blocks: found between ``<!-- figures:NAME -->`` and
``<!-- /figures:NAME -->`` and replaced whole, so nothing typed by hand survives inside."""

from __future__ import annotations

import re
from collections.abc import Mapping

BLOCK = re.compile(
    r"(?P<open><!-- figures:(?P<name>[\w-]+) -->\n)(?P<body>.*?)"
    r"(?P<close><!-- /figures:(?P=name) -->)",
    re.DOTALL,
)
OPENING = re.compile(r"<!-- figures:([\w-]+) -->")
CLOSING = re.compile(r"<!-- /figures:([\w-]+) -->")


class MarkerError(ValueError):
    """The README's figure markers are unbalanced, repeated or name no figure."""


def blocks(text: str) -> dict[str, str]:
    """Each generated block's name and body; MarkerError if a marker is unpaired or a
    name repeats."""
    found: dict[str, str] = {}
    for match in BLOCK.finditer(text):
        name = match["name"]
        if name in found:
            raise MarkerError(f"figure block {name!r} appears twice in the README")
        found[name] = match["body"]
    opened, closed = OPENING.findall(text), CLOSING.findall(text)
    unpaired = sorted((set(opened) | set(closed)) - set(found))
    if unpaired or len(opened) != len(found) or len(closed) != len(found):
        raise MarkerError(
            f"unpaired figure markers in the README: {', '.join(unpaired) or 'a repeated one'} "
            "(each block is <!-- figures:NAME --> on its own line ... <!-- /figures:NAME -->)"
        )
    return found


def rewrite(text: str, rendered: Mapping[str, str]) -> str:
    """``text`` with every block's body replaced by ``rendered[name]``; MarkerError for a
    block whose name has no rendering (a typo, or a figure not registered)."""
    unknown = sorted(set(blocks(text)) - set(rendered))
    if unknown:
        raise MarkerError(
            f"the README has figure blocks no renderer knows: {', '.join(unknown)} "
            f"(registered: {', '.join(sorted(rendered))})"
        )
    return BLOCK.sub(
        lambda m: m["open"] + rendered[m["name"]].rstrip("\n") + "\n" + m["close"], text
    )
