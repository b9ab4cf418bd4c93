"""The kind of thing a question asks for (a time, a number, a count, a person, a place, a reason,
a named entity) and whether a passage holds one."""

from __future__ import annotations

import re

from ..retrieve import Passage
from ..text.lexical import QUESTION_WORDS, STOPWORDS, fold, same_word, stem, terms, words
from ..text.vocabulary import MONTHS, WEEKDAYS

# A year: four digits, or three after "in", "AD" ... ("in 476", "AD 79" but not "280 landslides").
_YEAR = re.compile(
    r"\b(1\d\d\d|20\d\d)s?\b|\b(in|by|from|since|until|of|AD|BC|CE|c\.)\s+[1-9]\d\d\b|"
    r"\b[1-9]\d{1,2}\s*(AD|BC|BCE|CE)\b"
)
_MONTH = re.compile(r"\b(" + "|".join(m.title() for m in MONTHS) + r")\b")
# Other ways a sentence says when: days, times of day, centuries and decades, relative dates.
_WHEN = re.compile(
    r"\b(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|"
    r"yesterday|today|tomorrow|tonight|\d{1,2}:\d\d|\d{1,2}\s*[ap]\.?m\b|"
    r"(\d+(st|nd|rd|th)|\w+teenth|\w+th)[\s-]century|century|decades?|ago|"
    r"(last|next|this|earlier|later)\s+(week|month|year|spring|summer|autumn|fall|winter)|"
    r"(the\s+)?(early|late|mid)[\s-]\d|(before|after|during|until|since)\s+the\s+\w+)",
    re.IGNORECASE,
)
# Currencies by name: "how many dollars" asks for a sum, "$5 million" counts nothing.
_CURRENCIES = r"dollars?|pounds?|euros?|yen|rupees?"
_ASKS_YEAR = re.compile(r"\b(what|which)\s+year\b", re.IGNORECASE)
_ASKS_DURATION = re.compile(r"\bhow\s+long\b", re.IGNORECASE)
_DURATION = re.compile(
    r"\b(years?|months?|weeks?|days?|hours?|minutes?|seconds?|decades?|centur(y|ies)|"
    r"generations?|lifetime|overnight)\b",
    re.IGNORECASE,
)
_LENGTH = re.compile(
    r"\d\s*(km|kilomet(re|er)s?|miles?|mi|met(re|er)s?|m|feet|foot|ft|inch(es)?|yards?|cm|mm)\b",
    re.IGNORECASE,
)
_SINCE = re.compile(r"\b(since|until|till)\b", re.IGNORECASE)
_ASKS_MONEY = re.compile(
    r"\bhow\s+much\b.*\b(money|cost\w*|worth|pa(y|ys|id|ying)|spen(d|ds|t|ding)|earn\w*|"
    r"pric\w+|rais\w+|fund\w*|budget\w*|sell\w*|sold|buy\w*|bought|invest\w*|donat\w+|"
    r"charg\w+|fined|fine|loan\w*|grant\w*|owe\w*|salary|wages?|fees?|revenue|profit)\b",
    re.IGNORECASE,
)
# "How old was the man?": an age ("24-year-old", "aged 24", "Zoe Anderson, 24,"), or for a
# thing a year, a century, so many years.
_ASKS_AGE = re.compile(r"\bhow\s+old\b", re.IGNORECASE)
_AGE = re.compile(
    r"\b\d{1,3}[\s-]*(years?|yrs?|months?)[\s-]*old\b|\b(aged?|ages)\s+(of\s+)?\d|"
    r"[A-Za-z],\s*\d{1,3}\s*,|\(\d{1,3}\)|\b\d{1,3}s\b|\b(teen\w*|toddler|infant|newborn|"
    r"centur(y|ies)|decades?)\b|\b\d+\s+years\b",
    re.IGNORECASE,
)
_MONEY = re.compile(
    rf"[$£€¥]|\b({_CURRENCIES}|francs?|marks?|cents?|million|billion|trillion|bn)\b",
    re.IGNORECASE,
)
_CENTURY = re.compile(r"\bcentur(y|ies)\b", re.IGNORECASE)
_ASKS_MONTH = re.compile(r"\b(what|which)\s+month\b", re.IGNORECASE)
_ASKS_DAY = re.compile(r"\b(what|which)\s+(day|date)\b", re.IGNORECASE)
_WEEKDAY = re.compile(
    r"\b(Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)days?\b|\b(yesterday|today|tomorrow)\b"
)
_ASKS_PERCENT = re.compile(r"\b(percent|percentage|proportion)\b", re.IGNORECASE)
_PERCENT = re.compile(
    r"%|\bper\s?cent\b|\bpercentage\b|\bhalf\b|\bquarter\b|\bthird\b", re.IGNORECASE
)
_DAY_OF_MONTH = re.compile(
    rf"{_MONTH.pattern}\s+\d{{1,2}}\b|\b\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH.pattern}"
)
# What holds digits without counting anything: sums of money, model names ("S-400", "JF-17"),
# years (_YEAR), days of a month ("April 28", "3 May").
_NOT_COUNTS = re.compile(
    r"[£$€¥]\s?\d[\d,.]*(?:\s*(?:million|billion|trillion|bn|m)\b)?|"
    rf"\b\d[\d,.]*\s*(?:million\s+|billion\s+)?(?:{_CURRENCIES})\b|"
    r"\b[A-Za-z]+-?\d+\b|" + _YEAR.pattern + "|" + _DAY_OF_MONTH.pattern
)
_NUMBER = re.compile(
    r"\d|\b(one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|\w+teen|twenty|"
    r"thirty|forty|fifty|sixty|seventy|eighty|ninety|hundreds?|thousands?|millions?|"
    r"billions?|trillions?|dozens?|half|twice|thrice|several|few|single|double|triple|"
    r"once)\b",
    re.IGNORECASE,
)
_NAME_RUN = re.compile(r"\b[A-Z][a-z’'-]+\s+[A-Z][a-z’'-]+")
_REASON = re.compile(
    r"\b(because|due to|since|as a result|so that|in order to|owing to|reason|thanks to)\b",
    re.IGNORECASE,
)
# "of India's potential reaction" names no place: a possessive is not one.
# Months and weekdays name no place ("in July").
_PLACE = re.compile(
    r"\b(in|at|from|near|of)\s+(the\s+)?(?!("
    + "|".join(w.title() for w in (*MONTHS, *WEEKDAYS))
    + r")\b)([A-Z][a-z]+)(?![\w’']*[’']s\b)"
)
# Stricter, for taking a neighbour's place: "the Line of Control" says no where.
PLACE_STRICT = re.compile(r"\b(in|at|from|near)\s+(the\s+)?[A-Z][a-z]+")
# The question word that says what is asked: the first one, so "What is formed when ...?" asks
# for a thing, not a time.
_WH = re.compile(r"\b(" + "|".join(sorted(QUESTION_WORDS)) + r")\b", re.IGNORECASE)


# What is asked for by name: "Which company ...?", "What network ...?".
_NAMED_KINDS = (
    r"company|companies|team|teams|network|networks|organi[sz]ations?|university|school|newspaper|"
    r"magazine|station|channel|party|church|army|book|film|movie|show|programs?|programmes?|award|"
    r"prize|ship|tribe|dynasty|empire|family|club|band|league|conference|agency|court|institute|"
    r"museum|hotel|stadium|airport|bank|king|queen|emperor|president|general|leader|language|"
    r"languages|religion|river|mountain|island|lake|sea|ocean|continent|province|district|"
    r"borough|street|building|scientist|author|writer|poet|composer|artist|player|coach|"
    r"quarterback|singer|actor|explorer|inventor|philosopher|pope|bishop|ruler|commander|"
    r"governor|minister|architect|engineer|physicist|chemist|mathematician|theologian"
)


def expected_type(question: str) -> str:
    q = question.lower()
    clause = re.match(
        r"(when|where|if|after|before|while)\b[^,?]*,\s*(?=(what|which|who|how)\b)", q
    )
    if clause:  # "When B cells begin to replicate, what do ... become?" asks for a thing
        q = q[clause.end() :]
    wh = next((m for m in _WH.finditer(q) if _asks(q, m)), None)
    head = q[wh.start() :] if wh else q
    first = wh.group(1) if wh else ""
    if re.match(r"(what|which)\s+(year|date|day|month|decade|century|time)\b", head) or (
        first == "when"
    ):
        return "time"
    if re.match(rf"how\s+many\b(?!\s+({_CURRENCIES})\b)", head):
        return "count"
    if re.match(r"how\s+(many|much|long|old|far|big|large|tall|often)\b", head) or re.match(
        r"what\s+(is|was|are|were)?\s*(the\s+)?(percentage|number|population|size|area|"
        r"height|length|cost|price|amount|value|budget|total|distance|temperature|margin|"
        r"score|rate|age|salary|fee|fine|speed|weight|capacity|toll|majority|turnout|sum|"
        r"revenue|profit|debt)\b",
        head,
    ):
        return "number"
    if first == "why" or re.match(r"what\s+(is|was)\s+the\s+reason\b", head):
        return "reason"
    if first in ("who", "whom", "whose"):
        return "person"
    if re.match(rf"(which|what)\s+(other\s+)?({_NAMED_KINDS})\b", head):
        return "entity"
    if first == "where" or re.match(
        r"(which|what)\s+(city|country|place|capital|town|state|region|county|location)\b",
        head,
    ):
        return "place"
    return "other"


_CONJUNCTIONS = frozenset({"when", "where", "why", "how"})
# What may stand before a question word that asks: "In which year ...", "..., when did ...",
# "... built by when?"
_ASKING_AFTER = re.compile(
    r"(^|[,;:(]|\b(in|on|at|by|for|from|to|of|with|until|till|since|before|after|during|"
    r"about|around|into|than|and|or|but|so|then|exactly|roughly|approximately|"
    # an asked question inside a question: "Did Putin say when ...?", "Is it known how ...?"
    r"say|says|said|know|knows|knew|known|tell|told|explain|explained|reveal|revealed|show|"
    r"showed|mention|mentioned|ask|asked|describe|described|report|reported|clear))\s*$"
)
# What may follow a question word that asks: a verb ("where did", "why must") or, after "how",
# what is measured ("how many", "how long").
_ASKING_BEFORE = re.compile(
    r"\s+(did|does|do|is|was|are|were|has|have|had|can|could|will|would|must|should|may|"
    r"might|shall|many|much|long|old|far|big|large|tall|often|high|deep|wide|soon|close|"
    r"early|late)\b"
)


def _asks(q: str, wh: re.Match[str]) -> bool:
    """Whether this question word says what is asked. "when", "where", "why" and "how" in the
    middle of a question may join a clause ("Did Russia object when Pakistan bought jets?"); they
    ask when they open the question or a clause of it, follow a preposition, come before a verb
    ("By 2010 how many schools ...", "According to Lenin why must ...") or end it ("... built
    when?")."""
    if wh.group(1) not in _CONJUNCTIONS or _ASKING_AFTER.search(q[: wh.start()]):
        return True
    rest = q[wh.end() :]
    return _ASKING_BEFORE.match(rest) is not None or not re.search(r"\w", rest)


CAPITALISED = re.compile(r"\b[A-Z]\w*")


_HOW_MANY = re.compile(r"\bhow\s+many\s+(?:of\s+the\s+)?([\w’'-]+)", re.IGNORECASE)


def asked_noun(question: str) -> str:
    """What "How many ...?" counts, stemmed ("experts" -> "expert"); "" for other questions."""
    asked = _HOW_MANY.search(question)
    return stem(fold(asked.group(1))) if asked else ""


def counts_what_is_asked(question: str, text: str) -> bool:
    """For "How many experts ...?", the text names experts ("... the two nuclear-armed states"
    next to a sentence about experts counts states, not them)."""
    noun = asked_noun(question)
    return not noun or any(w == noun or same_word(noun, w) for w in terms(text))


def names_covered(question: str, passage: Passage) -> float:
    """Share of the question's capitalised words (but its first) that the passage or its
    speaker holds; 0.5 when the question has none."""
    names = {fold(m.group(0)) for m in CAPITALISED.finditer(question, 1)} - STOPWORDS
    if not names:
        return 0.5
    present = set(words(passage.speaker + " " + passage.text))
    return len(names & present) / len(names)


def new_name(question: str, passage: Passage) -> bool:
    """The passage names something (a capitalised word, not its first) the question does not."""
    asked = set(words(question))
    return any(
        fold(m.group(0)) not in asked and fold(m.group(0)) not in STOPWORDS
        for m in CAPITALISED.finditer(passage.text, 1)
    )


def type_match(kind: str, passage: Passage, question: str = "") -> float:
    """1 when the passage holds the kind of thing asked for, 0 when not, 0.5 when none is asked.
    A place must be one the question does not name ("Where ... in Victoria?" is not answered by
    "... in Victoria")."""
    text = passage.text
    if kind == "time":
        if _ASKS_YEAR.search(question):  # "In what year ...?" is not answered by "in May"
            return 1.0 if _YEAR.search(text) or _CENTURY.search(text) else 0.0
        if _ASKS_MONTH.search(question):
            return 1.0 if _MONTH.search(text) else 0.0
        if _ASKS_DAY.search(question):  # a weekday or a date; "which date" may be a year
            found = _WEEKDAY.search(text) or _DAY_OF_MONTH.search(text)
            return 1.0 if found or ("date" in question.lower() and _YEAR.search(text)) else 0.0
        found = _YEAR.search(text) or _MONTH.search(text) or _WHEN.search(text)
        return 1.0 if found else 0.0
    if kind == "number":
        if _ASKS_PERCENT.search(question):
            return 1.0 if _PERCENT.search(text) else 0.0
        if _ASKS_DURATION.search(question):  # "How long ...?": so many days, or since when
            found = (
                _DURATION.search(text)
                or _YEAR.search(text)
                or _SINCE.search(text)
                or _LENGTH.search(text)  # "How long is the Rhine?"
            )
            return 1.0 if found else 0.0
        if _ASKS_AGE.search(question):
            return 1.0 if _AGE.search(text) or _YEAR.search(text) else 0.0
        if _ASKS_MONEY.search(question):
            return 1.0 if _MONEY.search(text) else 0.0
        return 1.0 if _NUMBER.search(text) else 0.0
    if kind == "count":  # "How many units ...?" is not answered by a year, a sum or an "S-400"
        return 1.0 if _NUMBER.search(_NOT_COUNTS.sub(" ", text)) else 0.0
    if kind == "person":
        return 1.0 if passage.speaker or _NAME_RUN.search(text) else 0.0
    if kind == "entity":
        return 1.0 if new_name(question, passage) else 0.0
    if kind == "reason":
        return 1.0 if _REASON.search(text) else 0.0
    if kind == "place":
        asked = set(words(question))
        places = [m.group(4) for m in _PLACE.finditer(text)]
        return 1.0 if any(fold(name) not in asked for name in places) else 0.0
    return 0.5
