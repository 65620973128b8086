"""Marketing copy written by the language model in the shop's voice, whose facts come only
from the store: every value is a slot filled after generation, every claim of the filled
text is checked (:func:`recmind.text.claims.check`), a rejected draft is regenerated once
with the reasons, then replaced by the template fallback.

- :mod:`.brand`: the brand profile (tone, words to avoid, examples, language, policies);
- :mod:`.facts_store`, :mod:`.facts_build`: facts read from items' descriptions and reviews
  (attributes, sentiment, keywords) with their source;
- :mod:`.kinds`, :mod:`.limits`, :mod:`.slots`: what each kind of copy is made of, its
  length limits, the slots;
- :mod:`.context`, :mod:`.items`, :mod:`.person`: what one piece of copy is written from;
- :mod:`.generate`, :mod:`.review`, :mod:`.fallback`: writing it;
- :mod:`.service`: copy for a store's items and people;
- :mod:`.variants`, :mod:`.personalise`: a campaign's copy, generated per segment and
  language, personalised by slots.
"""
