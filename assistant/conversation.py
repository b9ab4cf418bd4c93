"""Follow-up questions -> standalone questions, using the conversation so far (offline).

A pronoun is replaced by what it most likely stands for in the turns before it:
- "he", "she", "his", "her": a person. After "Who ...?" that is the person the answer names
  ("Who warned about Russia's reaction?" -> James Hackett); otherwise the last name in the
  question before, or in its answer. A country in the possessive ("Russia's reaction") is no
  person.
- "they", "them", "their": a group ("the Indian experts", "India and Pakistan"), else a name.
- "it", "its": what the question before was about ("What is Track II diplomacy?", "Tell me
  about the S-400 deal"), unless "it" stands for nothing ("Is it true that ...?").
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from .answer import ABSTAIN_TEXT
from .retrieve import Passage
from .text.lexical import FUNCTION_WORDS, STOPWORDS, stem, words
from .text.patterns import NAME_OF_ANYONE
from .text.vocabulary import MONTHS, TITLE_WORDS, WEEKDAYS

History = Sequence[str | Mapping[str, Any] | Sequence[Any]]


_PERSON = frozenset({"he", "she", "him", "his", "her", "hers"})
_GROUP = frozenset({"they", "them", "their"})
_THING = frozenset({"it", "its"})
_POSSESSIVE = frozenset({"his", "her", "hers", "their", "its"})
_PRONOUNS = re.compile(r"\b(" + "|".join(sorted(_PERSON | _GROUP | _THING)) + r")\b", re.IGNORECASE)
# Runs of capitalised words: names of people, organisations and places.
_NAME = NAME_OF_ANYONE
_NOT_NAMES = {
    "who",
    "what",
    "when",
    "where",
    "which",
    "why",
    "how",
    "is",
    "are",
    "was",
    "were",
    "did",
    "does",
    "do",
    "has",
    "have",
    "had",
    "the",
    "a",
    "an",
    "in",
    "tell",
    "and",
    "but",
    "so",
    "i",
    "can",
    "could",
    "would",
    "will",
}
# Words that make a name an organisation or a place, not a person.
_NOT_PEOPLE = re.compile(
    r"\b(Institute|Institution|Ministry|University|Council|Party|Agency|Bank|Company|Group|"
    r"Office|Department|Army|Force|Forces|Government|Committee|Union|Nations|Studies|Services|"
    r"Centre|Center|Foundation|Association|Organisation|Organization|Court|Parliament|"
    r"Assembly|Commission|Corporation|Times|News|Line|Control|Sea|River|Street|Authority|"
    r"Branch|Bureau|Administration|Board|Service|Police|Trust|Fund|Society|Museum|Hospital|"
    r"School|College|Airport|Caucus|Senate|Congress|Club|Team|Network|Zone|Conference)\b"
)
# "the Indian experts", "the two sides", "these talks": a group.
_GROUP_PHRASE = re.compile(
    r"\b(?:the|these|those)\s+(?:[\w’'-]+\s+){0,2}?[A-Za-z’'-]*[a-rt-z]s\b", re.IGNORECASE
)
_PAIR = re.compile(
    r"\b[A-Z][\w’'-]+(?:\s+[A-Z][\w’'-]+)*\s+and\s+(?:the\s+)?[A-Z][\w’'-]+(?:\s+[A-Z][\w’'-]+)*"
)
# A question asking for someone or something by name: "Who ...?", "Which historian ...?",
# "What group ...?" ("What is ...?" asks for no name).
_ASKS_FOR = re.compile(
    r"^\s*(?:who|whom|which\s+[\w’'-]+|what\s+(?!is\b|was\b|are\b|were\b|did\b|does\b|do\b)"
    r"[\w’'-]+)\b",
    re.IGNORECASE,
)
_ASKS_FOR_GROUP = re.compile(
    r"^\s*(?:which|what)\s+(?:[\w’'-]+\s+){0,2}?(?:group|organi[sz]ation|party|company|"
    r"team|union|committee|council|agency|firm|band|body|association|board|club|network)s?\b",
    re.IGNORECASE,
)
# A question asking for several people or things: "Which two leaders ...?", "Who are ...?".
_ASKS_FOR_SEVERAL = re.compile(
    r"^\s*(?:who\s+(?:are|were)\b|(?:which|what)\s+(?:[\w’'-]+\s+){0,2}?[a-z’'-]+[a-rt-z]s\b)",
    re.IGNORECASE,
)
_CALENDAR = frozenset((*MONTHS, *WEEKDAYS))
# Forms of address around a name that the article may drop when it quotes the person ("His
# Honour Judge Neil Ford QC" is "Judge Ford" two paragraphs later).
_HONORIFIC = re.compile(
    r"^(?:(?:His|Her)\s+(?:Honour|Honor|Excellency|Majesty|Royal\s+Highness|Holiness)|"
    r"The\s+(?:Rt\.?\s+)?(?:Rev(?:erend|\.)?|Hon(?:ourable|\.)?))\s+|"
    r",?\s+(?:QC|KC|MP|MEP|MSP|Jr\.?|Sr\.?|Ph\.?\s?D\.?|OBE|MBE|CBE|KBE|DBE|Esq\.?)$"
)
# What a question is about: "What is X?", "Tell me about X", "the X deal".
_DEFINED = re.compile(
    r"^\s*(?:what|who)\s+(?:is|was|are|were)\s+(?P<topic>[^?]+?)\s*\??\s*$", re.IGNORECASE
)
_ABOUT = re.compile(r"\babout\s+(?P<topic>[^?.,;]+?)\s*[?.]?\s*$", re.IGNORECASE)
_THE_PHRASE = re.compile(
    r"\b(?:the|this|that)\s+(?:[\w’'-]+\s+){0,2}?[\w’'-]+?(?=\s+(?:\w+ed|\w+ing|is|was|are|"
    r"were|has|have|had|do|does|did|will|would|can|could|to|in|on|at|for|with|by|from|of|"
    r"and|or)\b|\s*[?.,;]|\s*$)",
    re.IGNORECASE,
)
# "it" that stands for nothing: "Is it true that ...?", "it is likely to ...", "make it clear";
# or for the article.
_EMPTY_IT = re.compile(
    r"\bit\s+(?:is|was|be|been|seems|seemed)\s+(?:\w+\s+)?(?:that|to|whether)\b|"
    r"\b(?:is|was)\s+it\s+(?:true|possible|likely|clear|known|certain|right|correct|fair)\b|"
    r"\bit\s+(?:rains?|snows?)\b|"
    # "When was it published?": the article itself, which overview.py answers for.
    r"\bit\s+(?:\w+\s+)?(?:published|written|posted|dated)\b",
    re.IGNORECASE,
)


def exchanges(history: History | None) -> list[tuple[str, str]]:
    """Earlier (question, answer) turns, oldest first, from strings (questions alone), role
    dicts or (user, bot) pairs; the answer is "" when the history does not give it."""
    turns: list[tuple[str, str]] = []
    for item in history or []:
        if isinstance(item, str):
            turns.append((item, ""))
        elif isinstance(item, Mapping):
            content = item.get("content")
            if not isinstance(content, str):
                continue
            if item.get("role") == "user":
                turns.append((content, ""))
            elif item.get("role") == "assistant" and turns and not turns[-1][1]:
                turns[-1] = (turns[-1][0], content)
        elif isinstance(item, Sequence) and item and isinstance(item[0], str):
            answer = item[1] if len(item) > 1 and isinstance(item[1], str) else ""
            turns.append((item[0], answer))
    return turns


def _without_question_words(phrase: str) -> str:
    """ "Have India and Pakistan" -> "India and Pakistan"."""
    words = phrase.split()
    while words and words[0].lower() in _NOT_NAMES:
        words.pop(0)
    return " ".join(words)


def names(text: str) -> list[str]:
    """The capitalised names in `text`, in order, without question words before them."""
    found = (_without_question_words(m.group(0)) for m in _NAME.finditer(text))
    return [name for name in found if name]


def _people(text: str) -> list[str]:
    """Names that may be a person's: not a possessive country ("Russia's"), not one made with
    "Institute", "Ministry" ...; a name of two words or more before a single word."""
    found = [
        n
        for n in names(text)
        if not _NOT_PEOPLE.search(n)
        and not re.search(r"[’']s$", n)
        and not n.isupper()
        and not set(n.lower().replace(".", "").split()) <= TITLE_WORDS
        and " the " not in n  # "Meet the Swede": a headline's words, not a name
    ]
    return [n for n in found if " " in n] or found


def _person(question: str, answer: str) -> list[str]:
    """Who "he" or "she" may be after this turn, likeliest first: X after "Who is X?"; after
    another question asking for someone ("Who ...?", "Which historian ...?"), whom the answer
    names for it; then the last person the question names, then the answer's."""
    said = _answer_text(answer)
    defined = _DEFINED.match(question)
    if defined and re.match(r"\s*who\b", question, re.IGNORECASE):
        topic = defined.group("topic").strip()
        named = _people(topic) if _NAME.fullmatch(topic) else []  # "Who is X?", X a name
        if named:
            return [*named, *reversed(_people(question)), *_people(said)]
    asked_for = _asked_for(question, said, people_only=True) if _ASKS_FOR.match(question) else []
    return [*asked_for, *reversed(_people(question)), *_people(said)]


def _group(question: str, answer: str = "") -> list[str]:
    """What "they" may be after this turn, likeliest first: after "Which group ...?" (or
    organisation, party ...), what the answer names for it; else the last group the question
    names."""
    said = _answer_text(answer)
    asked_for = (
        _asked_for(question, said, people_only=False) if _ASKS_FOR_GROUP.match(question) else []
    )
    if _ASKS_FOR_SEVERAL.match(question):  # "Which two leaders ...?": the people named for it
        people = _asked_for(question, said, people_only=True)
        if len(people) >= 2:
            pair = sorted(people[:2], key=said.find)  # in the answer's order
            asked_for = [" and ".join(pair), *asked_for]
    phrases = [(m.start(), m.group(0)) for m in _GROUP_PHRASE.finditer(question)]
    pairs = [(m.start(), _without_question_words(m.group(0))) for m in _PAIR.finditer(question)]
    groups = [text for _, text in sorted(phrases + pairs, reverse=True)]
    return [*asked_for, *groups, *reversed(names(question))]


def _answer_text(answer: str) -> str:
    """The answer's own words: none for an abstention; after "...; the closest passages:"."""
    if not answer or answer.startswith(ABSTAIN_TEXT[:-1]):
        return ""
    lead = answer.find("the closest passages:")
    return answer[lead + len("the closest passages:") :] if lead >= 0 else answer


def _asked_for(question: str, said: str, people_only: bool) -> list[str]:
    """The names the question does not give in the answer's first sentence naming anyone (it
    may cite a headline first that names no one), the one closest to the question's own words
    first ("Which American historian ...?" -> the name beside "historian"): what the question
    asked for."""
    for sentence in re.split(r"\[\d+\]", said):
        if _people(sentence) if people_only else names(sentence):
            return _asked_for_in(question, sentence, people_only)
    return []


def _asked_for_in(question: str, first: str, people_only: bool) -> list[str]:
    asked = {stem(w) for w in words(question) if w.lower() not in STOPWORDS}
    tokens = list(re.finditer(r"[\w’'-]+", first))
    near = [i for i, t in enumerate(tokens) if stem(t.group(0).lower()) in asked]
    if not near:
        return []
    folded = question.lower()
    found: list[tuple[int, int, str]] = []
    pool = _people(first) if people_only else names(first)
    for name in pool:
        if name.lower() in folded or _opener(name):
            continue
        at = first.find(name)
        if people_only and re.search(r"\bthe\s+$", first[max(0, at - 4) : at], re.IGNORECASE):
            continue  # "the British media", "the Louvre": no person's name follows "the"
        index = next((i for i, t in enumerate(tokens) if t.start() >= at), 0)
        span = len(name.split())
        distance = min(min(abs(i - index), abs(i - (index + span - 1))) for i in near)
        found.append((distance, at, name))
    return [name for _, _, name in sorted(found)]


def _opener(name: str) -> bool:
    """A run of capitals that is a sentence opener or a date, not a name ("In December")."""
    first = name.split()[0].lower()
    return first in FUNCTION_WORDS or first in _CALENDAR


def _thing(question: str) -> list[str]:
    """What "it" may be after this question, likeliest first: what it was about."""
    topics = [
        match.group("topic")
        for match in (pattern.search(question) for pattern in (_DEFINED, _ABOUT))
        if match and not _PRONOUNS.search(match.group("topic"))
    ]
    phrases = [m.group(0) for m in _THE_PHRASE.finditer(question)]
    return [*topics, *reversed(phrases), *reversed(names(question))]


_HE = frozenset({"he", "him", "his"})
_SHE = frozenset({"she", "her", "hers"})
_PERSONAL = re.compile(r"\b(he|him|his|she|her|hers)\b", re.IGNORECASE)
# How far after a mention of someone a "he" or "she" is taken to be them (about a sentence).
_REACH = 160


def _surname(name: str) -> str:
    return name.split()[-1] if name.split() else ""


def referred_to_as(name: str, texts: Iterable[str]) -> str:
    """ "he" or "she", as the articles refer to the person named `name` (by the pronoun that
    follows the mentions of their surname, within about a sentence), or "" when they don't
    say clearly (fewer than two such pronouns, or not two to one)."""
    surname = _surname(name)
    if len(surname) < 2 or not surname[0].isupper():
        return ""
    mention = re.compile(rf"\b{re.escape(surname)}\b")
    he = she = 0
    for text in texts:
        for m in mention.finditer(text):
            near = text[m.end() : m.end() + _REACH]
            pronoun = _PERSONAL.search(near)
            if pronoun is None:
                continue
            if pronoun.group(1).lower() in _HE:
                he += 1
            else:
                she += 1
    if he + she < 2:
        return ""
    if he >= 2 * she:
        return "he"
    return "she" if she >= 2 * he else ""


def condense(
    question: str, history: History | None, texts: Callable[[str], Iterable[str]] | None = None
) -> str:
    """Replace the first pronoun pointing back at the conversation with what it stands for:
    the likeliest referent from the latest turn that has one, not one the question already
    names ("Did Russia listen to them?" after "What did India plead with Russia?": India).
    With `texts` (the texts of the articles that hold a given word), "she" is no one the
    articles call "he", and the other way round."""
    pronoun = next(
        (
            m
            for m in _PRONOUNS.finditer(question)
            if m.group(1).lower() not in _THING or not _EMPTY_IT.search(question)
        ),
        None,
    )
    if pronoun is None:
        return question
    word = pronoun.group(1).lower()
    for asked, answer in reversed(exchanges(history)):
        if word in _PERSON:
            candidates = _person(asked, answer)
        elif word in _GROUP:
            candidates = _group(asked, answer)
        else:
            candidates = _thing(asked)
        if word in _PERSON and texts is not None:
            candidates = _agreeing(word, candidates, texts)
        for referent in candidates:
            if referent.lower() not in question.lower():
                named = _replace(word, referent)
                return question[: pronoun.start()] + named + question[pronoun.end() :]
    return question


def _agreeing(
    pronoun: str, candidates: list[str], texts: Callable[[str], Iterable[str]]
) -> list[str]:
    """The candidates for "he" or "she" the articles refer to by that pronoun, then those they
    don't say (in their order); none they refer to by the other one ("she" after "Who did
    Meghan meet?" is not Harry, nor "British" when Meghan is called "she"). Only the articles
    that hold a candidate's surname are read."""
    known = [(c, referred_to_as(c, texts(_surname(c)))) for c in candidates]
    wanted = "he" if pronoun in _HE else "she"
    return [c for c, k in known if k == wanted] + [c for c, k in known if not k]


def _replace(pronoun: str, referent: str) -> str:
    referent = _HONORIFIC.sub("", referent).strip() or referent
    if pronoun in _POSSESSIVE:
        return f"{referent}’s"
    return referent


_ELSE = re.compile(r"\belse\b", re.IGNORECASE)


def not_said_before(
    question: str, history: History | None, passages: list[Passage]
) -> list[Passage]:
    """For "What else did he say?": the passages the answer before did not already quote (when
    the history gives that answer), so the follow-up brings what is new."""
    turns = exchanges(history)
    if not _ELSE.search(question) or not turns or not turns[-1][1]:
        return passages
    before = turns[-1][1]
    # By its end: a sentence that names its speaker begins with what the answer named him by,
    # and the answer quotes "He stated: ..." without those words.
    fresh = [p for p in passages if p.text.strip('“”"«» ')[-40:] not in before]
    return fresh or passages
