"""The template fallback: copy written from the facts alone, when no generation passed.

One sandboxed Jinja file per kind (``fallback/<kind>.j2``, English and Chinese), one block
per part, writing slots for every value exactly as the model must; it then goes through the
same slot filling, length limits and claim check as generated copy. It knows which slots
have a value here (``v``), the language (``zh``), the items' attributes as stored
(``attributes``, ``words``) and a reviewed item's rating (``rating``).
"""

from __future__ import annotations

import re
import threading
from pathlib import Path

from jinja2 import FileSystemLoader, StrictUndefined, Template
from jinja2.sandbox import ImmutableSandboxedEnvironment

from recmind.marketing.copy.context import CopyContext
from recmind.marketing.copy.kinds import KindSpec

FALLBACK_DIR = Path(__file__).parent / "fallback"
MAX_WORDS = 3
LABELS = {
    "en": {
        "materials": "Material",
        "colors": "Colour",
        "fit": "Fit",
        "occasions": "For",
        "features": "Details",
    },
    "zh": {
        "materials": "材质",
        "colors": "颜色",
        "fit": "版型",
        "occasions": "适合",
        "features": "细节",
    },
}
_CJK_GAP = re.compile(r"(?<=[\u3000-\u303f\uff00-\uffef]) | (?=[\u3000-\u303f\uff00-\uffef])")

_env = ImmutableSandboxedEnvironment(
    loader=FileSystemLoader(str(FALLBACK_DIR)),
    undefined=StrictUndefined,
    autoescape=False,
    trim_blocks=True,
    lstrip_blocks=True,
)
_lock = threading.Lock()


def _template(kind: str) -> Template:
    with _lock:
        return _env.get_template(f"{kind.replace('-', '_')}.j2")


def fallback_parts(context: CopyContext, spec: KindSpec) -> dict[str, str]:
    """The fallback copy of ``context`` (slot text, one entry per part of ``spec``)."""
    template = _template(spec.kind)
    values = {k: v for k, v in context.slot_values().items() if v is not None}
    first = context.items[0] if context.items else None
    labels = LABELS[context.language]
    attributes = [
        (labels.get(k, k.replace("_", " ")), v)
        for k, v in sorted(first.attributes.items() if first is not None else [])
    ]
    words = [v for _, values_ in attributes for v in values_][:MAX_WORDS]
    variables = {
        "v": values,
        "zh": context.language == "zh",
        "attributes": attributes,
        "words": words,
        "rating": context.review.rating if context.review else None,
    }
    out = {}
    for part in spec.parts:
        render = template.new_context(dict(variables))
        text = " ".join("".join(template.blocks[part](render)).split())
        out[part] = _CJK_GAP.sub("", text) if context.language == "zh" else text
    return out
