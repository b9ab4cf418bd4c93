"""Word-level text handling shared by BM25, the answerer and the support check."""

from __future__ import annotations

import re
from functools import lru_cache

import Stemmer
from bm25s.stopwords import STOPWORDS_EN

_WORD = re.compile(r"\w+", re.UNICODE)
_STEMMER = Stemmer.Stemmer("english")
# The words that open a question: what is asked, never what to look for.
QUESTION_WORDS = frozenset({"what", "which", "who", "whom", "whose", "when", "where", "why", "how"})
# The function words plus the question words: "in", "was", "why".
FUNCTION_WORDS = frozenset(STOPWORDS_EN) | QUESTION_WORDS
STOPWORDS = FUNCTION_WORDS | {
    "s",
    "t",
    "did",
    "does",
    "do",
    "much",
    "many",
    "said",
    "say",
    "says",
    "according",
    "would",
    "could",
    "also",
}


def words(text: str) -> list[str]:
    return _WORD.findall(text.lower().replace("’", "'"))


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    return str(_STEMMER.stemWord(word))


def terms(text: str) -> list[str]:
    """Stemmed content words: the unit BM25 and term coverage count."""
    return [stem(w) for w in words(text) if w not in STOPWORDS]
