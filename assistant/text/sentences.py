"""Cleaned text -> sentences with exact character offsets, and who is speaking in each.

A quote that runs over several paragraphs ("... added: “Russia is ... / “So in this context,
...”") stays attributed to its speaker: every sentence inside it carries the speaker's span.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .patterns import NAMED_SUBJECT

ABBREVIATIONS = {
    "mr",
    "mrs",
    "ms",
    "dr",
    "prof",
    "st",
    "jr",
    "sr",
    "gen",
    "col",
    "lt",
    "sgt",
    "capt",
    "gov",
    "sen",
    "rep",
    "rev",
    "inc",
    "ltd",
    "co",
    "corp",
    "vs",
    "etc",
    "no",
    "nos",
    "vol",
    "fig",
    "al",
    "jan",
    "feb",
    "mar",
    "apr",
    "jun",
    "jul",
    "aug",
    "sep",
    "sept",
    "oct",
    "nov",
    "dec",
    "mt",
    "ft",
    "approx",
    "dept",
    "est",
    "u.s",
    "u.k",
    "u.n",
    "e.g",
    "i.e",
    "a.m",
    "p.m",
    "d.c",
}
# Candidate ends: terminal punctuation, optional closing quotes/brackets, whitespace, then
# something that can start a sentence.
# The lookbehind starts a match only at the first mark of a run: without it, a line of
# thousands of dots is rescanned from every dot (quadratic time).
_END = re.compile(r"(?<![.!?…])[.!?…]+[”\"’'»)\]]*(?=\s+[“\"‘'«(\[]?[A-Z0-9])")
_WORD_BEFORE = re.compile(r"([\w.]+)$")
# How far back to look for the word before a full stop; abbreviations are short, and looking
# from the paragraph's start made one enormous paragraph take quadratic time.
_WORD_WINDOW = 64
_OPEN_QUOTES = '“"«'
_CLOSE_QUOTES = '”"»'
_SPEECH_VERBS = (
    r"said|says|added|adds|stated|states|told|tells|warned|warns|explained|explains|noted|notes|"
    r"argued|argues|claimed|claims|wrote|writes|insisted|insists|emphasised|emphasized|"
    r"continued|concluded|asked|declared|announced|commented|remarked|believes|thinks|replied"
)
# "James Hackett, defence analyst ..., added: “" / "He stated: "" / "X said: “"
_SPEAKER_BEFORE_QUOTE = re.compile(
    rf"^(?P<speaker>.+?)(?:,\s*)?\s+(?:{_SPEECH_VERBS})\s*[:,]?\s*[“\"«]", re.IGNORECASE
)
_PRONOUN = re.compile(r"^(he|she|they)$", re.IGNORECASE)


@dataclass(frozen=True)
class Sentence:
    start: int
    end: int
    paragraph: int
    speaker_start: int = -1
    speaker_end: int = -1


def split_sentences(text: str) -> list[Sentence]:
    """Split cleaned text (paragraphs separated by newlines) into sentences with offsets."""
    sentences: list[Sentence] = []
    offset = 0
    for p_index, para in enumerate(text.split("\n")):
        for start, end in _split_paragraph(para):
            sentences.append(Sentence(offset + start, offset + end, p_index))
        offset += len(para) + 1
    return _attribute_quotes(text, sentences)


def _split_paragraph(para: str) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    start = 0
    for match in _END.finditer(para):
        word = _WORD_BEFORE.search(para, max(0, match.start() - _WORD_WINDOW), match.start())
        token = word.group(1).lower() if word else ""
        if para[match.start()] == "." and (
            token in ABBREVIATIONS or (len(token) == 1 and token.isalpha())
        ):
            continue
        spans.append((start, match.end()))
        start = match.end()
    spans.append((start, len(para)))
    result = []
    for s, e in spans:
        while s < e and para[s].isspace():
            s += 1
        while e > s and para[e - 1].isspace():
            e -= 1
        if e > s:
            result.append((s, e))
    return result


def _attribute_quotes(text: str, sentences: list[Sentence]) -> list[Sentence]:
    """Give each sentence inside a quotation the character span of whoever is quoted."""
    result: list[Sentence] = []
    speaker: tuple[int, int] | None = None  # speaker of a quote still open
    last_named: tuple[int, int] | None = None  # last person introduced "Name, role, ..."
    para_index = -1
    for sent in sentences:
        chunk = text[sent.start : sent.end]
        if sent.paragraph != para_index:
            para_index = sent.paragraph
            named = NAMED_SUBJECT.match(chunk)
            if named:
                last_named = (sent.start, sent.start + len(named.group("name")))
            starts_quoted = chunk[:1] in _OPEN_QUOTES or chunk[:1] == "‘"
            if not starts_quoted:
                speaker = None
        found = _SPEAKER_BEFORE_QUOTE.match(chunk)
        if found:
            s_start, s_end = sent.start, sent.start + len(found.group("speaker").rstrip(", "))
            if _PRONOUN.match(found.group("speaker").strip()) and last_named:
                s_start, s_end = last_named
            speaker = (s_start, s_end)
        current = speaker
        if current is not None:
            result.append(Sentence(sent.start, sent.end, sent.paragraph, *current))
        else:
            result.append(sent)
        if speaker is not None and _closes_quote(chunk):
            speaker = None
    return result


def _closes_quote(chunk: str) -> bool:
    """True when the quotation marks in this sentence leave no quote open."""
    opens = sum(chunk.count(q) for q in "“«")
    closes = sum(chunk.count(q) for q in "”»")
    straight = chunk.count('"')
    if opens or closes:
        return closes >= opens and chunk.rstrip()[-1:] in _CLOSE_QUOTES
    return straight % 2 == 0 and straight > 0
