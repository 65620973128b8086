"""Check generated text against the facts it was given, before anyone reads it.

A generated explanation or portrait may only name what its facts name. The checker flags:

- ``title``: a catalogue title that is not among the facts' titles;
- ``term``: a known tag, category or attribute value that is not among the facts' terms;
- ``number``: a number that no fact contains;
- ``quote``: a quoted span that is neither a fact title nor a fact term;
- ``name``: a capitalised word inside a sentence that no fact contains (invented actors,
  directors, brands, places; English only);
- ``empty``: nothing usable was generated.

:func:`generate_grounded` also rejects the form of a text: ``incomplete`` (cut off
mid-sentence) and ``repetition`` (a phrase said three times: a degenerate generation).

Paraphrase is fine: titles match without their year, with the article moved back to the
front (``"Shawshank Redemption, The (1994)"`` is also ``"The Shawshank Redemption"``),
terms match in any case, singular or plural, and through a few synonyms (``Sci-Fi`` is
``science fiction``). What the catalogue knows (every title and term, the *vocabulary*)
decides what counts as naming something; without a vocabulary only quotes, numbers and
names are checked.
"""

from __future__ import annotations

from recmind.text.grounding.checker import (
    Facts,
    GroundingChecker,
    GroundingReport,
    Violation,
    ViolationKind,
    Vocabulary,
)
from recmind.text.grounding.generate import (
    GroundedText,
    form_violations,
    generate_grounded,
    split_sentences,
    tidy,
)
from recmind.text.grounding.matching import normalise, term_aliases, title_aliases

__all__ = [
    "Facts",
    "GroundedText",
    "GroundingChecker",
    "GroundingReport",
    "Violation",
    "ViolationKind",
    "Vocabulary",
    "form_violations",
    "generate_grounded",
    "normalise",
    "split_sentences",
    "term_aliases",
    "tidy",
    "title_aliases",
]
