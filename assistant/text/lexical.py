"""Word-level text handling shared by BM25, the answerer and the support check."""

from __future__ import annotations

import re
import unicodedata
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


# Letters that carry their mark in themselves, so Unicode decomposition leaves them whole.
_PLAIN = str.maketrans(
    {"ł": "l", "ø": "o", "đ": "d", "ð": "d", "ħ": "h", "ı": "i", "ß": "ss", "æ": "ae", "œ": "oe"}
)


def fold(text: str) -> str:
    """Lower case without accents, as people type names on an English keyboard: "Beyoncé",
    "Gospić", "Łódź" and "Erdoğan" are read as "beyonce", "gospic", "lodz", "erdogan". Other
    scripts keep their letters (Hangul is recomposed after the decomposition)."""
    text = text.lower().replace("’", "'")
    if text.isascii():
        return text
    bare = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return unicodedata.normalize("NFC", bare).translate(_PLAIN)


def words(text: str) -> list[str]:
    """The words of `text`, folded (`fold`): what BM25, coverage and the support check count."""
    return _WORD.findall(fold(text))


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    return str(_STEMMER.stemWord(word))


def terms(text: str) -> list[str]:
    """Stemmed content words: the unit BM25 and term coverage count."""
    return [stem(w) for w in words(text) if w not in STOPWORDS]


def same_word(a: str, b: str) -> bool:
    """One is the other with an ending: "india" / "indian", "weapon" / "weaponry"."""
    short, long = sorted((a, b), key=len)
    return len(short) >= 4 and long.startswith(short)
