"""A direct answer first: the words of the cited sentence that answer the question ("five
people", "Kristy Marmorato", "12 April 2020", "£4,000"), when the kind of question says what to
look for and the sentence holds exactly that: a count, a sum, a share, a duration, an age, a
date, a person's name (not a place: "visited Pakistan" says where without a preposition, and
"between Islamabad and New Delhi" is no destination). The words are a span of the document, so the
answer leads with them cited to the sentence they come from; nothing else changes."""

from __future__ import annotations

import re

from ..retrieve import Passage
from ..text.lexical import STOPWORDS, fold, same_word, stem, words
from ..text.patterns import FULL_NAME
from ..text.vocabulary import MONTHS, WEEKDAYS
from .kinds import asked_noun, expected_type

_NUMBER_WORD = (
    r"one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|\w+teen|twenty|thirty|"
    r"forty|fifty|sixty|seventy|eighty|ninety|a\s+hundred|hundreds|a\s+thousand|thousands|"
    r"dozens|a\s+dozen"
)
_FIGURE = (
    rf"(?:\d[\d,.]*(?:\s+(?:million|billion|trillion))?|(?:{_NUMBER_WORD})"
    r"(?:[\s-](?:one|two|three|four|five|six|seven|eight|nine|hundred|thousand))?)"
)
# "five people", "25 locations", "2,000 more votes": a figure and the noun it counts.
_COUNT = re.compile(rf"\b{_FIGURE}\s+(?:(?:more|new|other|extra)\s+)?(?P<noun>[a-z][\w-]*)")
_MONEY = re.compile(
    r"[$£€¥]\s?\d[\d,.]*(?:\s*(?:million|billion|trillion|bn|m)\b)?|"
    r"\b\d[\d,.]*\s*(?:million\s+|billion\s+)?(?:dollars|pounds|euros|yen|rupees)\b"
)
_PERCENT = re.compile(r"\b\d[\d,.]*\s*(?:%|per\s?cent\b|percent\b)")
_DURATION = re.compile(
    rf"\b(?:\d[\d,.]*|{_NUMBER_WORD}|a|an|half\s+a)(?:\s+and\s+a\s+half)?[\s-]+"
    r"(?:years?|months?|weeks?|days?|hours?|minutes?|seconds?|decades?|centur(?:y|ies))\b",
    re.IGNORECASE,
)
_AGE = re.compile(r"\b(\d{1,3})[\s-]*years?[\s-]*old\b|\baged\s+(\d{1,3})\b|[A-Za-z],\s*(\d{1,3}),")
_MONTHS = "|".join(m.title() for m in MONTHS)
_DATE = re.compile(
    rf"\b\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?(?:{_MONTHS})(?:,?\s+\d{{4}})?\b|"
    rf"\b(?:{_MONTHS})\s+\d{{1,2}}(?:st|nd|rd|th)?(?:,?\s+\d{{4}})?\b|"
    rf"\b(?:{_MONTHS})\s+\d{{4}}\b|\b(?:in|since|by|until)\s+(\d{{4}})\b"
)
_CALENDAR = frozenset((*MONTHS, *WEEKDAYS))
_NAME = FULL_NAME
# Words that make a name an organisation's, an event's, a place's or a thing's, not a person's.
_NOT_A_PERSON = re.compile(
    r"\b(League|Bowl|Cup|Award|Awards|Prize|Department|Ministry|University|College|School|"
    r"Institute|Association|Party|Council|Committee|Commission|Court|Church|Company|"
    r"Corporation|Inc|Ltd|Group|Agency|Office|Service|Services|Bureau|Board|Bank|Museum|"
    r"Hospital|Police|Army|Navy|Force|Union|Society|Foundation|Fund|Trust|Club|Team|"
    r"Times|News|Post|Journal|Press|Publishing|Media|Street|Road|Avenue|Square|Park|River|"
    r"Lake|Mountain|Island|City|County|State|States|Kingdom|Republic|Province|District|"
    r"North|South|East|West|Central|International|National|Royal|United|Federal)\b"
)
_DEFINING = re.compile(r"\s*(?i:who)\s+(?:is|was|are|were)\s+[A-Z]")


def direct_span(question: str, passage: Passage) -> tuple[int, int] | None:
    """[start, end) in the passage's document of the words that answer `question`, or None
    when the kind of question does not say what to look for or the sentence has no one
    clear such span."""
    kind = expected_type(question)
    found = _found(kind, question, passage.text)
    if found is None:
        return None
    start, end = found
    while end > start and passage.text[end - 1] in ",.;: ":
        end -= 1  # "£1,000," -> "£1,000"
    return passage.start + start, passage.start + end


def _found(kind: str, question: str, text: str) -> tuple[int, int] | None:
    q = question.lower()
    if kind == "count":
        return _counted(question, text)
    if kind == "number":
        if re.search(r"\bhow\s+old\b", q):
            age = _AGE.search(text)
            if age is None:
                return None
            group = next(g for g in (1, 2, 3) if age.group(g))
            return age.span(group)
        if re.search(r"\bhow\s+long\b", q):
            return _only(_DURATION, text)
        if re.search(r"\b(percent|percentage|proportion|share)\b", q):
            return _only(_PERCENT, text)
        if re.search(r"\bhow\s+much\b", q):
            return _only(_MONEY, text)
        return None
    if kind == "time":
        dates = list(_DATE.finditer(text))
        if len(dates) != 1:  # none, or several: which one is asked is the sentence's to say
            return None
        match = dates[0]
        return match.span(1) if match.group(1) else match.span()
    if kind == "person":
        if _DEFINING.match(question):
            return None  # "Who is X?" asks what X is, not for a name
        return _named(question, text, _NAME)
    return None


def _only(pattern: re.Pattern[str], text: str) -> tuple[int, int] | None:
    """The span of the one match of `pattern` in `text`; None for none or several."""
    found = list(pattern.finditer(text))
    return found[0].span() if len(found) == 1 else None


def counts_the_noun(question: str, text: str) -> bool:
    """ "How many people ...?" and "... asked five people to ...": a figure right before the
    noun asked about (or a form of it)."""
    return bool(asked_noun(question)) and _counted(question, text) is not None


def _counted(question: str, text: str) -> tuple[int, int] | None:
    """ "five people" for "How many people ...?": a figure before the noun asked about (or a
    form of it), else the one figure the sentence has."""
    noun = asked_noun(question)
    found = [m for m in _COUNT.finditer(text) if not re.match(r"\d{4}\b", m.group(0))]
    for match in found:
        got = stem(fold(match.group("noun")))
        if noun and (got == noun or same_word(noun, got)):
            return match.span()
    return found[0].span() if len(found) == 1 and not noun else None


def _named(question: str, text: str, pattern: re.Pattern[str]) -> tuple[int, int] | None:
    """The one name of two words or more in `text` that the question does not give (the one
    nearest the question's own words when there are several)."""
    asked = {fold(w) for w in words(question)}
    names = [
        m
        for m in pattern.finditer(text)
        if not {fold(w) for w in words(m.group(0))} & asked
        and fold(m.group(0).split()[0]) not in STOPWORDS | _CALENDAR
    ]
    # Only one name that may be a person's: "Super Bowl", "National Football League" are not.
    people = [m for m in names if not _NOT_A_PERSON.search(m.group(0))]
    return people[0].span() if len(people) == 1 else None
