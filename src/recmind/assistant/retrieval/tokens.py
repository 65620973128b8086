"""Words for the lexical index: English stems and Chinese character bigrams, in one pass.

Text is NFKC-normalised and lower-cased. A run of Latin letters and digits is a word: the
Lucene English stop words are dropped and the rest stemmed with Snowball (PyStemmer), so
"returns", "returned" and "return" meet. A run of Chinese characters is cut into overlapping
**character bigrams** ("退货政策" -> 退货, 货政, 政策), and a document also keeps each
character on its own, so a one-character question ("裙") still matches.

Why bigrams and not a word segmenter such as jieba: a segmenter is a dictionary (about
20 MB loaded on first use) whose cut of a shop's own words (product names, brand words, new
slang) is often wrong, and a wrong cut on either side loses the match entirely; bigrams need
no dictionary or dependency, never lose a word to a bad cut, and BM25's idf discounts the
bigrams that span two words. This is the CJK analyser of Lucene and Elasticsearch, and it
is recall-oriented, which is what the fusion wants: the semantic list brings the precision
(and the cross-language matches, a Chinese question to an English policy).
"""

from __future__ import annotations

import re
import threading
import unicodedata

import Stemmer
from bm25s.stopwords import STOPWORDS_EN

_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_TOKEN = re.compile(rf"[{_CJK}]+|[a-z0-9]+(?:'[a-z]+)?")
_CJK_CHAR = re.compile(rf"[{_CJK}]")
_LATIN_CHAR = re.compile(r"[A-Za-z]")
STOP_WORDS = frozenset(STOPWORDS_EN)
_stemmer = Stemmer.Stemmer("english")
_stem_lock = threading.Lock()


def _normalise(text: str) -> str:
    return unicodedata.normalize("NFKC", text).lower()


def _stems(words: list[str]) -> list[str]:
    with _stem_lock:
        return list(_stemmer.stemWords(words))


def tokens(text: str, *, document: bool = False) -> list[str]:
    """The index words of ``text``; ``document`` adds single Chinese characters."""
    out: list[str] = []
    latin: list[str] = []
    for match in _TOKEN.finditer(_normalise(text)):
        run = match.group()
        if _CJK_CHAR.match(run):
            if latin:
                out.extend(_stems(latin))
                latin = []
            bigrams = [run[i : i + 2] for i in range(len(run) - 1)]
            out.extend(bigrams or [run])
            if document and bigrams:
                out.extend(run)
            continue
        word = run.split("'", 1)[0]
        if word not in STOP_WORDS:
            latin.append(word)
    if latin:
        out.extend(_stems(latin))
    return out


def language_of(text: str) -> str:
    """``zh`` when Chinese characters are at least a third of the text's letters (four Latin
    letters, about a word, counted as one), else ``en``."""
    chinese = len(_CJK_CHAR.findall(text))
    latin = len(_LATIN_CHAR.findall(text))
    return "zh" if chinese and chinese * 3 >= chinese + latin / 4 else "en"
