"""Who said it: whether a passage gives the words of the person a question names, and how the
answer names a speaker."""

from __future__ import annotations

import re

from ..retrieve import Passage
from ..text.lexical import STOPWORDS, fold, stem, words
from ..text.patterns import PROPER_NAME
from ..text.reported import REPORTED
from ..text.vocabulary import REPORT_VERBS
from ..types import Answer
from .overview import is_headline
from .question import AND, PRONOUN_ONLY, named_people
from .ranking import Ranker
from .result import ABSTAIN_TEXT, abstention

_TITLES = {"the", "a", "an", "mr", "mrs", "ms", "dr", "prof", "president", "minister"}


# "the other source" is the one introduced as "Another source"; "the first source", "One source".
_SAME_WORD = {"another": "other", "second": "other", "first": "one"}


def _name_words(text: str) -> set[str]:
    found = (_SAME_WORD.get(w, w) for w in words(text))
    return {stem(w) for w in found if w not in _TITLES and w not in STOPWORDS}


def is_named(who: str, span: str) -> bool:
    """`span` names `who`: all of its words ("the other source" ~ "Another source"), for a
    person's name the surname ("Putin" ~ "Vladimir Putin", "Vladimir Putin" ~ "Mr Putin"), for
    an acronym the words it stands for ("the WHO" ~ "The World Health Organization")."""
    acronym = re.fullmatch(r"(?:the\s+)?([A-Z]{2,6})", who.strip())
    if acronym:  # "the WHO" ~ "The World Health Organization"
        initials = "".join(w[0] for w in re.findall(r"\b[A-Z][\w’'-]*", span))
        if acronym.group(1) in initials:
            return True
    wanted = _name_words(who)
    if not wanted:
        return False
    present = _name_words(span)
    if wanted <= present:
        return True
    capitals = re.findall(r"\b[A-Z][\w’'-]+", who)
    content = [w for w in words(who) if w not in _TITLES]
    if capitals and len(capitals) == len(content):
        return stem(fold(capitals[-1])) in present
    return False


def unquoted(question: str, backend: str, who: str) -> Answer:
    """The answer to "What did X say?" when the articles hold no words of X."""
    anyone = AND.sub(" or ", who)
    return abstention(
        question,
        backend,
        f"no retrieved passage quotes or reports {who}",
        text=f"{ABSTAIN_TEXT[:-1]} what {who} said: they quote no statement by {anyone}.",
    )


def named_in(speaker: str, question: str) -> bool:
    """The question already names the speaker (by the full span or a proper name in it)."""
    q = question.lower()
    names = PROPER_NAME.findall(speaker)
    return speaker.lower() in q or any(name.lower() in q for name in names)


def speaker_name(span: str) -> str:
    return span.rstrip(",;: ")


def short_name(speaker: str) -> str:
    """The person's name in "James Hackett, defence analyst with ...", for a second mention."""
    for part in speaker.split(","):
        if PROPER_NAME.fullmatch(part.strip()):
            return part.strip()
    return speaker


def attributed(ranker: Ranker, who: str, passage: Passage) -> bool:
    """The passage gives the words of `who`, or of one of them ("X and Y"): a quote of
    theirs, or "who (, role,) said ..."."""
    return any(attributed_one(ranker, person, passage) for person in named_people(who))


# Opening quotation marks: a paragraph that is one quote, with no speaker of its own.
_OPENS_QUOTE = ("“", '"', "«", "‘")


# What follows a speaker's name and says who they are: "..., said Leigh Sears, the lake's
# concessions manager" or "... who is the Lake Berryessa concessions manager".
_ROLE_WORDS = r"[^,.;:“”\"()]"  # a role runs to the next punctuation
_ROLE = re.compile(
    rf"\s*(?:,\s*|\s+who\s+(?:is|was)\s+)(?:the\s+|a\s+|an\s+)?({_ROLE_WORDS}{{3,80}})"
)


def _described(who: str) -> bool:
    """`who` is asked by a description ("the lake's concessions manager"), not by a name (no
    capitalised word after an opening "the"): a role may say it then ("Putin" is not named by
    "Putin's adviser")."""
    return not re.search(r"\b[A-Z]", re.sub(r"^\s*(?:the|a|an)\s+", "", who, flags=re.IGNORECASE))


def _role_after(passage: Passage) -> str:
    """The speaker's role as the text gives it right after their name ("" when it gives none)."""
    found = _ROLE.match(passage.document.text, passage.speaker_end)
    return found.group(1) if found else ""


def attributed_one(ranker: Ranker, who: str, passage: Passage, carried: int = 0) -> bool:
    """`passage` gives the words of `who`: a quote of theirs, "who (, role,) said ...", or a
    quote with no speaker of its own right after their words (news runs a statement on over
    paragraphs, naming the speaker once: "Mark Harper told him: “...”" then "“That's why we need
    ...”"), at most two such steps back."""
    if passage.speaker and (
        is_named(who, passage.speaker) or (_described(who) and is_named(who, _role_after(passage)))
    ):
        return True
    if not passage.speaker and passage.text.lstrip().startswith(_OPENS_QUOTE) and carried < 2:
        previous = ranker.previous(passage)
        if previous is not None and attributed_one(ranker, who, previous, carried + 1):
            return True
    text = passage.text
    for match in REPORTED.finditer(text):
        subject = match.group("subject") or match.group("after") or ""
        if is_named(who, subject + " " + (match.group("role") or "")):
            return True
        if _described(who) and match.group("after"):
            # "said Leigh Sears who is the Lake Berryessa concessions manager"
            rest = re.match(f"{_ROLE_WORDS}{{0,80}}", text[match.end() :])
            if rest and is_named(who, subject + " " + rest.group(0)):
                return True
        if PRONOUN_ONLY.fullmatch(subject.strip()):
            start = ranker.previous_start(passage)
            if start >= 0:
                before = passage.document.text[start : passage.start]
                if "\n" not in before.strip() and is_named(who, before):
                    return True
    return False


# A sentence that gives someone's words: a quotation of several words (in double quotes, or in
# single ones as British papers use them; a quoted word alone is a scare quote, "‘Turn’"), or
# a reporting verb.
_SPEECH = re.compile(
    rf"[“”\"]|‘[^’]*\w\s+\w[^’]*’|(?:^|\s)'[^']*\w\s+\w[^']*'|\b(?:{REPORT_VERBS})\b"
)


def near_mention(passage: Passage, who: str) -> bool:
    """`passage` gives someone's words (a quote, a speaker, a reporting verb) and names `who`
    (or one of them) itself: "..., said Per Holm, a transport reporter at the Post and Herald"
    for "the Post and Herald's transport reporter", which `attributed` does not read as his."""
    if is_headline(passage.document, passage.start):
        return False  # a headline sums the story up; it gives no one's words
    if not (passage.speaker or _SPEECH.search(passage.text)):
        return False
    return any(
        is_named(person, f"{passage.text} {passage.speaker}") for person in named_people(who)
    )
