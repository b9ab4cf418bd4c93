"""Retrieved passages -> an answer with citations. `extractive` picks sentences; no LLM.

It scores each passage for how directly it answers (embedding similarity, how much of the
question's rarer words it covers, whether it holds the kind of thing asked for), leads with the
best one, names the speaker of a quote, and abstains when even the best passage is unlikely to
answer. The answerability model's coefficients were fitted on SQuAD (bench/calibrate.py).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from .align import Alignment, Window, align
from .citations import Citation, CitationList, Span
from .embeddings import MiniLMEmbedding
from .ingest.dates import human
from .lexical import QUESTION_WORDS, STOPWORDS, fold, same_word, stem, terms, words
from .overview import (
    LEAD_SENTENCES,
    articles,
    byline,
    dateline,
    is_headline,
    is_subheading,
    lead,
    mentions,
    overview_kind,
    people,
    topic_phrase,
    topic_terms,
)
from .reported import REPORTED
from .retrieve import Passage
from .selector import AnswerSelector, Candidate, shared_selector
from .store import IndexStore, NodeTable, Snapshot, StoredDocument

ABSTAIN_TEXT = "The articles don't say."
# How an answer starts when the question names what no article mentions (the closest passages
# follow).
NOT_MENTIONED = "The articles don't mention"

# Both fitted on SQuAD v1.1 dev (even-position articles only). RANKING is fitted by
# `python -m bench.fit_answerer` as a per-question softmax over the retrieved sentences of the
# whole-corpus index ("which sentence is cited first"): top-1 answer-sentence hit on held-out dev
# questions 0.749 with the features before word alignment (assistant/align.py), 0.774 with
# alignment, 0.780 with it also weighted by the question words' rarity (IDF) as here.
# ANSWERABILITY = sigmoid(bias + sum(w * feature)) of the best passage, "the index can answer
# this question", with SQuAD v2.0 unanswerable questions and questions about articles not in the
# index as negatives (`python -m bench.calibrate --false-abstention 0.04` fits the weights). Its
# bias of -6.348 (4% of dev answerable questions abstain) is moved to -6.1: at -6.348 the
# bundled article's place and byline questions (d04, m22, m30) abstained. Bench dev: 1.8% false
# abstentions, 4.5% of v2.0 unanswerable questions abstain (-6.2: 2.0% and 6%, but the wire
# story's "When did the floods happen?" abstains, tests/test_ingest.py).
RANKING = {
    "dense": -0.427,
    "coverage": 0.445,
    "window_coverage": -0.623,
    "type_match": 1.153,
    "fused": 298.802,
    "align": 5.635,
    "window_align": -2.165,
    "names": -0.732,
    "align_rare": 3.775,
    "window_align_rare": 9.159,
}
ANSWERABILITY = {
    "dense": 4.161,
    "coverage": -0.624,
    "window_coverage": 1.026,
    "type_match": -0.02,
    "align": 2.934,
    "window_align": 3.92,
    "bias": -6.1,
}
# The learned selector's logit (assistant/selector.py, feature "selector") is in neither: as one
# more feature it did not rank better (`python -m bench.fit_answerer --questions 500 --news`,
# top-1 among the retrieved on 250 held-out dev questions of articles it never trained on: these
# weights 0.820, refitted without it 0.816, with it 0.808, it alone 0.612; news_dev's 76 plain
# questions: 0.737, 0.750, 0.750, 0.605). The answerer reads it only when a weight here names it.


@dataclass(frozen=True)
class AnswerSentence:
    text: str
    citations: list[int]
    supported: bool = True


@dataclass
class Answer:
    """What `Assistant.ask` returns."""

    text: str
    citations: list[Citation]
    abstained: bool
    backend: str
    question: str = ""  # the standalone question that was answered
    sentences: list[AnswerSentence] = field(default_factory=list)
    timings_ms: dict[str, float] = field(default_factory=dict)
    note: str = ""  # e.g. why the LLM was not used

    def to_dict(self) -> dict[str, Any]:
        return {
            "answer": self.text,
            "abstained": self.abstained,
            "backend": self.backend,
            "question": self.question,
            "citations": [c.to_dict() for c in self.citations],
            "sentences": [
                {"text": s.text, "citations": s.citations, "supported": s.supported}
                for s in self.sentences
            ],
            "timings_ms": self.timings_ms,
            "note": self.note,
        }


def abstention(question: str, backend: str, reason: str = "", text: str = "") -> Answer:
    shown = " ".join(question.split())
    shown = shown if len(shown) <= 200 else shown[:199] + "…"
    return Answer(
        text=text or f"{ABSTAIN_TEXT} Nothing in them answers “{shown}”.",
        citations=[],
        abstained=True,
        backend=backend,
        question=question,
        note=reason,
    )


@dataclass(frozen=True)
class Scored:
    passage: Passage
    score: float
    answerability: float
    coverage: float
    features: dict[str, float] = field(default_factory=dict)  # what the score was made of
    anchor: Scored | None = None  # the passage this one was found next to (typed neighbours)


# A year: four digits, or three after "in", "AD" ... ("in 476", "AD 79" but not "280 landslides").
_YEAR = re.compile(
    r"\b(1\d\d\d|20\d\d)s?\b|\b(in|by|from|since|until|of|AD|BC|CE|c\.)\s+[1-9]\d\d\b|"
    r"\b[1-9]\d{1,2}\s*(AD|BC|BCE|CE)\b"
)
_MONTH = re.compile(
    r"\b(January|February|March|April|May|June|July|August|September|October|November|"
    r"December)\b"
)
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
    r"\bhow\s+much\b.*\b(money|cost|costs|worth|pay|paid|spend|spent|earn|earned|price|"
    r"raise|raised|fund|funding|budget|sell|sold|buy|bought)\b",
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
_PLACE = re.compile(r"\b(in|at|from|near|of)\s+(the\s+)?([A-Z][a-z]+)(?![\w’']*[’']s\b)")
# Stricter, for taking a neighbour's place: "the Line of Control" says no where.
_PLACE_STRICT = re.compile(r"\b(in|at|from|near)\s+(the\s+)?[A-Z][a-z]+")
# The question word that says what is asked: the first one, so "What is formed when ...?" asks
# for a thing, not a time.
_WH = re.compile(r"\b(" + "|".join(sorted(QUESTION_WORDS)) + r")\b", re.IGNORECASE)


# "Where did the talks take place?": the phrase frames the question; it is not what to look for.
_FRAME = re.compile(r"\b(take|takes|took|taken|taking)\s+place\b", re.IGNORECASE)


def question_terms(question: str) -> set[str]:
    """The question's content words, as coverage counts them."""
    return set(terms(_FRAME.sub(" ", question)))


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
        r"height|length|cost|price|amount|value|budget|total|distance|temperature)\b",
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


_CAPITALISED = re.compile(r"\b[A-Z]\w*")


def _statements_share_answerability(scored: list[Scored]) -> list[Scored]:
    """A quotation and the retrieved sentence that names its speaker are one statement: each is
    as likely to answer as the likelier of the two ("Where does Hackett work?" is answered by
    "James Hackett, defence analyst with the IISS, said:" whichever of the two ranks first)."""
    speakers = {
        (s.passage.document.doc_id, s.passage.speaker_start)
        for s in scored
        if s.passage.speaker_start >= 0
    }

    def statements(p: Passage) -> list[tuple[str, int]]:
        """The speakers whose statement `p` is part of: as their quote or as naming them."""
        doc = p.document.doc_id
        return [
            (doc_id, start)
            for doc_id, start in speakers
            if doc_id == doc and (p.speaker_start == start or p.start <= start < p.end)
        ]

    member = [statements(s.passage) for s in scored]
    best: dict[tuple[str, int], float] = {}
    for s, keys in zip(scored, member, strict=True):
        for key in keys:
            best[key] = max(best.get(key, 0.0), s.answerability)
    return [
        replace(s, answerability=max([s.answerability, *(best[k] for k in keys)]))
        for s, keys in zip(scored, member, strict=True)
    ]


def _idf(table: NodeTable, term: str) -> float:
    """How rare a (stemmed) term is among the index's sentences."""
    return math.log(1.0 + max(table.size, 1) / (1.0 + table.df.get(term, 0)))


def _counts_what_is_asked(question: str, text: str) -> bool:
    """For "How many experts ...?", the text names experts ("... the two nuclear-armed states"
    next to a sentence about experts counts states, not them)."""
    asked = re.search(r"\bhow\s+many\s+(?:of\s+the\s+)?([\w’'-]+)", question, re.IGNORECASE)
    if not asked:
        return True
    noun = stem(fold(asked.group(1)))
    return any(w == noun or same_word(noun, w) for w in terms(text))


def _names_covered(question: str, passage: Passage) -> float:
    """Share of the question's capitalised words (but its first) that the passage or its
    speaker holds; 0.5 when the question has none."""
    names = {fold(m.group(0)) for m in _CAPITALISED.finditer(question, 1)} - STOPWORDS
    if not names:
        return 0.5
    present = set(words(passage.speaker + " " + passage.text))
    return len(names & present) / len(names)


def _new_name(question: str, passage: Passage) -> bool:
    """The passage names something (a capitalised word, not its first) the question does not."""
    asked = set(words(question))
    return any(
        fold(m.group(0)) not in asked and fold(m.group(0)) not in STOPWORDS
        for m in _CAPITALISED.finditer(passage.text, 1)
    )


def _type_match(kind: str, passage: Passage, question: str = "") -> float:
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
        if _ASKS_MONEY.search(question):
            return 1.0 if _MONEY.search(text) else 0.0
        return 1.0 if _NUMBER.search(text) else 0.0
    if kind == "count":  # "How many units ...?" is not answered by a year, a sum or an "S-400"
        return 1.0 if _NUMBER.search(_NOT_COUNTS.sub(" ", text)) else 0.0
    if kind == "person":
        return 1.0 if passage.speaker or _NAME_RUN.search(text) else 0.0
    if kind == "entity":
        return 1.0 if _new_name(question, passage) else 0.0
    if kind == "reason":
        return 1.0 if _REASON.search(text) else 0.0
    if kind == "place":
        asked = set(words(question))
        places = [m.group(3) for m in _PLACE.finditer(text)]
        return 1.0 if any(fold(name) not in asked for name in places) else 0.0
    return 0.5


class ExtractiveAnswerer:
    """Answers with the sentences of the articles themselves."""

    name = "extractive"

    def __init__(
        self,
        store: IndexStore,
        embed: MiniLMEmbedding,
        abstain_below: float,
        max_citations: int,
        selector: AnswerSelector | None = None,
    ) -> None:
        self.store = store
        self.embed = embed
        self.abstain_below = abstain_below
        self.max_citations = max_citations
        self.selector = selector or shared_selector()
        # The learned selector is run only when a fitted weight uses it (the fitting scripts turn
        # it on to measure it).
        self.use_selector = "selector" in RANKING or "selector" in ANSWERABILITY

    @staticmethod
    def coverage(question_terms: set[str], text: str, table: NodeTable) -> float:
        """Share of the question's rarer words (IDF-weighted) that appear in the text."""
        if not question_terms:
            return 0.0
        present = set(terms(text))
        weights = {t: _idf(table, t) for t in question_terms}
        total = sum(weights.values())
        return sum(w for t, w in weights.items() if t in present) / total if total else 0.0

    def _locate(self, passage: Passage) -> tuple[NodeTable, int]:
        """The node table the passage was retrieved from, and its row there."""
        view = passage.view or self.store.snapshot
        row = passage.row if passage.row >= 0 else view.row[passage.node_id]
        return view.table, row

    def window(self, passage: Passage) -> tuple[int, int]:
        """[start, end) of the passage with its neighbouring sentences in the same document."""
        table, row = self._locate(passage)
        doc_id = table.doc_ids[row]
        start, end = passage.start, passage.end
        for other in (row - 1, row + 1):
            if 0 <= other < table.size and table.doc_ids[other] == doc_id:
                o_start, o_end = (int(x) for x in table.offsets[other][:2])
                start, end = min(start, o_start), max(end, o_end)
        return start, end

    def features(
        self,
        question: str,
        passage: Passage,
        read: Window,
        alignment: Alignment,
        selector: float = 0.0,
    ) -> dict[str, float]:
        """What the ranking and the answerability model look at, for one passage."""
        q_terms = question_terms(question)
        table, _ = self._locate(passage)
        own = self.coverage(q_terms, passage.text, table)
        with_speaker = self.coverage(q_terms, passage.speaker + " " + passage.text, table)
        window_text = passage.document.text[read.window_start : read.window_end]
        return {
            # The weights were fitted on exp(cosine - 1), Chroma's similarity as llama-index
            # reports it, which spreads the low similarities of short questions less.
            "dense": math.exp(passage.dense - 1.0),
            "coverage": max(own, 0.85 * with_speaker),
            "window_coverage": self.coverage(q_terms, window_text, table),
            "type_match": _type_match(expected_type(question), passage, question),
            "fused": passage.fused,
            "align": alignment.sentence,
            "window_align": alignment.window,
            "align_rare": alignment.sentence_rare,
            "window_align_rare": alignment.window_rare,
            "names": _names_covered(question, passage),
            # The learned cross-encoder's logit (assistant/selector.py): does it answer?
            "selector": selector,
        }

    def selector_scores(self, question: str, spans: list[Window]) -> list[float]:
        """The selector's logit for each retrieved passage read with its neighbours (zeros when
        it is turned off or its model is not there)."""
        if not self.use_selector or not self.selector.available:
            return [0.0] * len(spans)
        candidates = [
            Candidate(
                w.text[w.start : w.end],
                w.text[w.window_start : w.start],
                w.text[w.end : w.window_end],
            )
            for w in spans
        ]
        return [float(v) for v in self.selector.score(question, candidates)]

    def ranked(self, question: str, passages: list[Passage]) -> list[Scored]:
        """The passages in the order an answer cites them (and a model reads them): by score,
        a story's body before its headline, the sentence naming someone before their quote."""
        scored = self._prefer_body_over_headline(self.score(question, passages))
        return _prefer_naming_sentence(question, scored)

    def score(self, question: str, passages: list[Passage]) -> list[Scored]:
        if not passages:
            return []
        spans = []
        for p in passages:
            start, end = self.window(p)
            spans.append(
                Window(
                    p.document.doc_id,
                    p.document.text,
                    p.start,
                    p.end,
                    start,
                    end,
                    p.speaker_start,
                    p.speaker_end,
                )
            )
        table = self._locate(passages[0])[0]
        # "take place" frames the question; it is not what to look for (as in question_terms).
        # Question words weigh by IDF, as in coverage.
        alignments = align(
            self.embed, _FRAME.sub(" ", question), spans, lambda w: _idf(table, stem(w))
        )
        selected = self.selector_scores(question, spans)
        scored = []
        for p, read, alignment, logit in zip(passages, spans, alignments, selected, strict=True):
            f = self.features(question, p, read, alignment, logit)
            raw = ANSWERABILITY["bias"] + sum(
                w * f[name] for name, w in ANSWERABILITY.items() if name != "bias"
            )
            answerability = 1.0 / (1.0 + math.exp(-raw))
            score = sum(w * f[name] for name, w in RANKING.items())
            scored.append(Scored(p, score, answerability, f["coverage"], f))
        scored.sort(key=lambda s: -s.score)
        return _statements_share_answerability(scored)

    def answer(self, question: str, passages: list[Passage]) -> Answer:
        if not passages:
            return abstention(question, self.name, "nothing in the index matches the question")
        if _AUTHOR_QUESTION.search(question):
            by_author = self._author_answer(question, passages)
            if by_author is not None:
                return by_author
        overview = overview_kind(question)
        if overview is not None:
            return self._overview(question, overview, passages)
        ranked = self.ranked(question, passages)
        asked = _asked_speaker(question)
        who = asked[0] if asked else ""
        if asked:
            # "What did X say ...?" is answered by X's words, or not at all.
            ranked = [r for r in ranked if self._attributed(who, r.passage)]
            if not ranked:
                return unquoted(question, self.name, who)
            # "What else did X say?" asks for the same: all of X's words.
            rest = question_terms(question) - set(terms(f"{who} {asked[1]} else"))
            if not rest:  # nothing asked beyond what X said: X's words, in the article's order
                ranked = [
                    replace(r, answerability=max(r.answerability, self.abstain_below))
                    for r in ranked
                ]
                said_all = [r.passage for r in ranked[: self.max_citations]]
                said_all.sort(
                    key=lambda p: (
                        p.document.doc_id != ranked[0].passage.document.doc_id,
                        p.document.doc_id,
                        p.start,
                    )
                )
                return self._compose(question, self._with_antecedents(said_all))
        kind = expected_type(question)
        if kind in ("time", "number", "count", "place"):
            ranked = self._with_typed_neighbours(question, kind, ranked)
        if kind in ("time", "number", "count"):
            # A when / how-many question is only answered by a sentence that holds one.
            ranked = [r for r in ranked if _type_match(kind, r.passage, question) == 1.0]
        if not ranked or ranked[0].answerability < self.abstain_below:
            return not_answered(question, self.name, passages[0].view or self.store.snapshot)
        people = _people(who)
        if len(people) > 1:  # "What did X and Y say?": the best-ranked words of each
            rows = {
                next((i for i, r in enumerate(ranked) if self._attributed_one(p, r.passage)), -1)
                for p in people
            }
            picked = [ranked[i].passage for i in sorted(rows - {-1})][: self.max_citations]
            return self._compose(question, self._with_antecedents(picked))
        best = ranked[0]
        section = self._under_heading(best.passage)
        if section:  # "What happens next?" and the heading "What happens next": what follows it
            return self._compose(question, section)
        chosen = [best]
        if best.anchor is not None:
            chosen.append(best.anchor)
        covered = set()
        for c in chosen:
            covered |= set(terms(c.passage.speaker + " " + c.passage.text))
        q_terms = question_terms(question)
        for other in ranked[1:]:
            if len(chosen) >= self.max_citations:
                break
            if (
                other.answerability < self.abstain_below
                or best.score - other.score > _ABOUT_AS_HIGH
            ):
                break
            own = set(terms(other.passage.speaker + " " + other.passage.text))
            adds_terms = bool((own - covered) & q_terms)
            if adds_terms or self._adjacent(best.passage, other.passage):
                chosen.append(other)
                covered |= own
        cited = self._with_antecedents([c.passage for c in chosen])
        answer = self._compose(question, cited)
        # Rather than let the passages pass for a yes or no, or for an answer about something
        # no article mentions, say so first.
        if _YES_NO.match(question):
            lacking = _words_not_cited(answer)
            lead = "The articles don't say so directly (the closest passages don't mention {}):"
        else:
            lacking = _listed(
                names_not_mentioned(question, best.passage.view or self.store.snapshot)
            )
            lead = NOT_MENTIONED + " {}; the closest passages:"
        return _led(answer, lead.format(lacking)) if lacking else answer

    def _with_typed_neighbours(
        self, question: str, kind: str, ranked: list[Scored]
    ) -> list[Scored]:
        """News tells an event in one sentence and its date, place or figure in the next ones
        ("Indian experts visited Pakistan ..." then "... occurred between April 28 and April 30
        in ... Islamabad"). A sentence up to two after (or one before) a passage that answers
        all but the kind asked for, holding that kind, takes that passage's place (a little less
        sure the further it is) and is cited before it."""
        added: dict[tuple[str, int], Scored] = {}
        replaced: set[int] = set()
        for r in ranked[:_ANCHORS]:
            if (
                r.answerability < self.abstain_below
                or _type_match(kind, r.passage, question) == 1.0
            ):
                continue
            if kind == "place" and _new_name(question, r.passage):
                continue  # "he relocated to New York City": a name the question lacks may be it
            table, row = self._locate(r.passage)
            for step in _NEIGHBOUR_STEPS:
                other = row + step
                if not (0 <= other < table.size) or table.doc_ids[other] != table.doc_ids[row]:
                    continue
                start, end, s_start, s_end = (int(x) for x in table.offsets[other][:4])
                neighbour = replace(
                    r.passage,
                    node_id=table.ids[other],
                    start=start,
                    end=end,
                    speaker_start=s_start,
                    speaker_end=s_end,
                    row=other,
                    view=r.passage.view,
                )
                typed = (
                    _PLACE_STRICT.search(neighbour.text)
                    if kind == "place"
                    else _type_match(kind, neighbour) == 1.0
                    and (kind != "count" or _counts_what_is_asked(question, neighbour.text))
                )
                if not typed or not self._same_story(r.passage, neighbour):
                    continue
                key = (neighbour.document.doc_id, start)
                candidate = Scored(
                    neighbour,
                    r.score - _NEIGHBOUR_COST * (abs(step) - 1),
                    r.answerability * _NEIGHBOUR_DECAY ** abs(step),
                    r.coverage,
                    {**r.features, "type_match": 1.0},
                    anchor=r,
                )
                if key not in added or added[key].score < candidate.score:
                    added[key] = candidate
                replaced.add(id(r))
                break  # the nearest one
        if not added:
            return ranked
        kept = []
        for r in ranked:
            if id(r) in replaced:
                continue
            key = (r.passage.document.doc_id, r.passage.start)
            lent = added.pop(key, None)
            if lent is None:
                kept.append(r)
            elif lent.score >= r.score:  # found as a neighbour: as likely to answer as either
                kept.append(replace(lent, answerability=max(lent.answerability, r.answerability)))
            else:
                kept.append(replace(r, answerability=max(lent.answerability, r.answerability)))
        return sorted([*kept, *added.values()], key=lambda s: -s.score)

    @staticmethod
    def _same_story(anchor: Passage, other: Passage) -> bool:
        """`other` goes on with what `anchor` tells: it does not bring in someone else (another
        speaker, or "Name, role, ..."), and a sentence before the anchor is in its paragraph."""
        if other.speaker_start >= 0 and other.speaker_start != anchor.speaker_start:
            return False
        if _NAMED_SUBJECT.match(other.text):
            return False
        if other.start < anchor.start:
            return "\n" not in anchor.document.text[other.end : anchor.start]
        return True

    def _attributed(self, who: str, passage: Passage) -> bool:
        """The passage gives the words of `who`, or of one of them ("X and Y"): a quote of
        theirs, or "who (, role,) said ..."."""
        return any(self._attributed_one(person, passage) for person in _people(who))

    def _attributed_one(self, who: str, passage: Passage) -> bool:
        if passage.speaker and _names(who, passage.speaker):
            return True
        text = passage.text
        for match in REPORTED.finditer(text):
            subject = match.group("subject") or match.group("after") or ""
            if _names(who, subject + " " + (match.group("role") or "")):
                return True
            if _PRONOUN_ONLY.fullmatch(subject.strip()):
                start = self._previous_start(passage)
                if start >= 0:
                    before = passage.document.text[start : passage.start]
                    if "\n" not in before.strip() and _names(who, before):
                        return True
        return False

    def _previous_start(self, passage: Passage) -> int:
        """Where the sentence before `passage` in its document starts, or -1."""
        table, row = self._locate(passage)
        if row > 0 and table.doc_ids[row - 1] == table.doc_ids[row]:
            return int(table.offsets[row - 1][0])
        return -1

    def _with_antecedents(self, passages: list[Passage]) -> list[Passage]:
        """A sentence that opens with "It", "He", "They"... is quoted with the sentence before it
        in its paragraph, which names who or what that is ("It appoints the Commissioners" is
        no answer to "Which body appoints the Commissioners?" without it)."""
        out: list[Passage] = []
        for p in passages:
            if not p.quoted and _REFERS_BACK.match(p.text):
                start = self._previous_start(p)
                if start >= 0 and "\n" not in p.document.text[start : p.start]:
                    p = replace(p, start=start)
            # One citation per stretch of text, where the first of them stood.
            inside = [i for i, o in enumerate(out) if _within(o, p)]
            if any(_within(p, o) for o in out):
                continue
            if inside:
                out[inside[0]] = p
                out = [o for i, o in enumerate(out) if i not in inside[1:]]
            else:
                out.append(p)
        return out

    def _under_heading(self, passage: Passage) -> list[Passage]:
        """The sentences under a heading inside the article, up to the next one (at most
        max_citations); none when the passage is no such heading."""
        doc = passage.document
        if not is_subheading(doc, passage.start, passage.end):
            return []
        table, row = self._locate(passage)
        view = passage.view or self.store.snapshot
        found: list[Passage] = []
        for other in range(row + 1, min(row + 1 + self.max_citations, table.size)):
            start, end = (int(x) for x in table.offsets[other][:2])
            if table.doc_ids[other] != table.doc_ids[row] or is_subheading(doc, start, end):
                break
            found.append(Passage.of_row(view, other))
        return found

    @staticmethod
    def _prefer_body_over_headline(ranked: list[Scored]) -> list[Scored]:
        """A headline restates the article; cite the body sentence that says the same, if any."""
        best = ranked[0]
        if not is_headline(best.passage.document, best.passage.start):
            return ranked
        wanted = set(terms(best.passage.text))
        return _promoted(
            ranked,
            lambda other: (
                other.coverage >= best.coverage
                and not is_headline(other.passage.document, other.passage.start)
                and len(wanted & set(terms(other.passage.text))) >= min(2, len(wanted))
            ),
        )

    def speaker_missing(
        self, question: str, passages: list[Passage], backend: str
    ) -> Answer | None:
        """For "What did X say ...?", the abstention to give when no passage holds X's words
        (a model shown other people's words would answer with them); else None."""
        asked = _asked_speaker(question)
        if asked is None or any(self._attributed(asked[0], p) for p in passages):
            return None
        return unquoted(question, backend, asked[0])

    def nothing_else(
        self, question: str, retrieved: list[Passage], fresh: list[Passage], backend: str
    ) -> Answer | None:
        """For "What else did X say?" when the answers before already quoted all of X's words
        that were found (`fresh` is `retrieved` without them): say so, rather than that the
        articles quote nothing by X."""
        if len(fresh) == len(retrieved) or self.speaker_missing(question, fresh, backend) is None:
            return None
        asked = _asked_speaker(question)
        if asked is None or self.speaker_missing(question, retrieved, backend) is not None:
            return None
        text = f"The articles quote nothing more by {asked[0]} than the answers above."
        return abstention(question, backend, "all of their words were quoted already", text=text)

    def _author_answer(self, question: str, passages: list[Passage]) -> Answer | None:
        """Who wrote it: the byline of the article the question is about."""
        ranked = self.score(question, passages)
        doc = ranked[0].passage.document if ranked else None
        if doc is None or not doc.author:
            return None
        found = byline(doc)
        if found is None:
            return None
        cites = CitationList()
        n = cites.cite(found)
        text = f"“{doc.title}” was written by {doc.author} [{n}]."
        return _answered(question, self.name, [AnswerSentence(text, [n])], cites)

    def _overview(self, question: str, kind: str, passages: list[Passage]) -> Answer:
        """What the articles are about (their leads), whom they quote, which of them mention
        something, when they are dated; cited."""
        view = passages[0].view or self.store.snapshot
        topic = topic_terms(question)
        if kind in ("which", "mention"):
            found = mentions(topic, [Span(p.document, p.start, p.end) for p in passages])
            by_doc = [(span.document, [span]) for span in found]
        else:
            docs = articles(view, topic, [p.document.doc_id for p in passages])
            by_doc = [
                (doc, self._overview_spans(view, doc, kind, question, len(docs))) for doc in docs
            ]
        cites = CitationList()
        sentences: list[AnswerSentence] = []
        for doc, spans in by_doc:
            named = f"“{doc.title}”: " if len(by_doc) > 1 or kind == "which" else ""
            if kind == "mention" and not sentences:
                named = f"Yes: {named}"
            for span in spans:
                n = cites.cite(span)
                quote = doc.text[span.start : span.end].strip().rstrip(",;:")
                if kind == "date":
                    text = f"“{doc.title}” is dated {quote} [{n}]."
                else:
                    text = f"{named}{quote} [{n}]"
                sentences.append(AnswerSentence(text, [n]))
                named = ""
        if not sentences and kind == "date" and by_doc:
            dated = [doc for doc, _ in by_doc if doc.published]
            if dated:  # no date line in the text, but the page's markup dates it
                return Answer(
                    question=question,
                    text=" ".join(_published(doc) for doc in dated),
                    citations=[],
                    sentences=[AnswerSentence(_published(doc), []) for doc in dated],
                    abstained=False,
                    backend=self.name,
                )
            titles = " or ".join(f"“{doc.title}”" for doc, _ in by_doc)
            text = f"{ABSTAIN_TEXT[:-1]} when {titles} was published: it gives no date."
            return abstention(question, self.name, "no dateline", text=text)
        asked = topic_phrase(question)
        if not sentences and kind in ("which", "mention") and asked:
            text = (
                f"No: the articles don't mention “{asked}”."
                if kind == "mention"
                else f"None of the articles mentions “{asked}”."
            )
            return abstention(question, self.name, "no retrieved sentence has it", text=text)
        if not sentences:
            return abstention(question, self.name)
        return _answered(question, self.name, sentences, cites)

    @staticmethod
    def _overview_spans(
        view: Snapshot, doc: StoredDocument, kind: str, question: str, n_docs: int
    ) -> list[Span]:
        if kind == "summary":
            return lead(view, doc, LEAD_SENTENCES if n_docs == 1 else 1)
        if kind == "date":
            found = dateline(view, doc)
            return [found] if found else []
        return people(view, doc, question)

    def _adjacent(self, a: Passage, b: Passage) -> bool:
        """Neighbouring sentences of one paragraph or one quotation."""
        if a.document.doc_id != b.document.doc_id:
            return False
        if abs(self._locate(a)[1] - self._locate(b)[1]) != 1:
            return False
        same_quote = a.speaker_start >= 0 and a.speaker_start == b.speaker_start
        return same_quote or "\n" not in a.document.text[min(a.end, b.end) : max(a.start, b.start)]

    def _compose(self, question: str, passages: list[Passage]) -> Answer:
        cites = CitationList()
        sentences: list[AnswerSentence] = []
        shown: list[tuple[str, int, int]] = []  # spans already in the answer's text
        for p in passages:
            doc = p.document
            n = cites.cite(Span(doc, p.start, p.end))
            if p.quoted:
                body = _ATTRIBUTION.sub("", p.text).strip('“”"«» ')
                name = _speaker_name(p.speaker)
                already = _named_in(p.speaker, question) or any(
                    d == doc.doc_id and s <= p.speaker_start and p.speaker_end <= e
                    for d, s, e in shown
                )
                if already:
                    text = f"{_short_name(name)} said: “{body}” [{n}]"
                    sentences.append(AnswerSentence(text, [n]))
                else:
                    speaker_n = cites.cite(Span(doc, p.speaker_start, p.speaker_end))
                    text = f"{name} [{speaker_n}] said: “{body}” [{n}]"
                    sentences.append(AnswerSentence(text, [speaker_n, n]))
            else:
                sentences.append(AnswerSentence(f"{p.text} [{n}]", [n]))
            shown.append((doc.doc_id, p.start, p.end))
        # Citations are numbered in the order the text shows them.
        return _renumbered(_answered(question, self.name, sentences, cites))


_REFERS_BACK = re.compile(r"(It|He|She|They|This|These|Its|His|Her|Their)\b")
# "What is X's job?", "What does X do?": asked of a name (capitalised), not of "his".
_ROLE_QUESTION = re.compile(
    r"\s*(?:[Ww]hat|[Ww]hich)\s+(?:is|was)\s+(?P<who>[A-Z][^?]*?)(?:[’']s|(?<=s)[’'])\s+"
    r"(?:current\s+|former\s+)?(?:job|role|position|title|post|office|occupation|profession)"
    r"(?:\s+title)?\s*\??\s*$"
    r"|\s*[Ww]hat\s+(?:does|did)\s+(?P<doer>[A-Z][^?]*?)\s+do(?:\s+for\s+a\s+living)?\s*\??\s*$"
)
_AUTHOR_QUESTION = re.compile(
    r"\bwho\s+(wrote|authored|reported|penned)\b|\b(author|byline|writer)\s+of\b|"
    r"\bwho\s+is\s+the\s+(author|writer|reporter|journalist)\b",
    re.IGNORECASE,
)


# Two passages whose scores are this close rank about as high.
_ABOUT_AS_HIGH = 1.0

# Typed neighbours: how many top passages may lend their answerability, which sentences are
# looked at (after first: news gives the details after the event), and what each step costs.
_ANCHORS = 3
_NEIGHBOUR_STEPS = (1, 2, -1)
_NEIGHBOUR_COST = 0.5
_NEIGHBOUR_DECAY = 0.9

_SAY_VERBS = (
    r"say|tell|warn|argue|claim|state|add|insist|announce|declare|stress|emphasi[sz]e|"
    r"predict|suggest|admit|deny|urge|reply|respond|comment"
)
# "What did X say about ...?", "What has X warned ...?"
_SAY_QUESTION = re.compile(
    rf"\b(?:what|how)\s+(?:else\s+)?(?:did|does|do|has|have|had|will|would|could|might)\s+"
    rf"(?P<who>[^?,;]+?)\s+(?P<verb>{_SAY_VERBS})\b",
    re.IGNORECASE,
)
_AND = re.compile(r"\s+and\s+", re.IGNORECASE)
# "X and Y", "X, Y or Z"; not "&": "Transport & Environment", "Marks & Spencer" are one name.
_PEOPLE_SEPARATOR = re.compile(r"\s*(?:,|\band\b|\bor\b)\s*", re.IGNORECASE)
_PRONOUN_ONLY = re.compile(r"(he|she|they|it|we|you|i|one|this|that)", re.IGNORECASE)
_NAMED_SUBJECT = re.compile(r"(?:[A-Z][\w’'.-]+\s){1,3}[A-Z][\w’'-]+,")
_TITLES = {"the", "a", "an", "mr", "mrs", "ms", "dr", "prof", "president", "minister"}


# "the other source" is the one introduced as "Another source"; "the first source", "One source".
_SAME_WORD = {"another": "other", "second": "other", "first": "one"}


def _published(doc: StoredDocument) -> str:
    """ "“Title” was published on 8 March 2021 (updated 14 March 2021), by its page." """
    updated = f" (updated {human(doc.updated)})" if doc.updated else ""
    return f"“{doc.title}” was published on {human(doc.published)}{updated}, by its page."


def _name_words(text: str) -> set[str]:
    found = (_SAME_WORD.get(w, w) for w in words(text))
    return {stem(w) for w in found if w not in _TITLES and w not in STOPWORDS}


def _names(who: str, span: str) -> bool:
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


# "Did India cancel the deal?": the cited sentences may be on the subject without settling it.
_YES_NO = re.compile(
    r"\s*(?:and|so|but)?\s*(?:did|does|do|is|are|was|were|has|have|had|can|could|will|would|"
    r"should|may|might)\b",
    re.IGNORECASE,
)


def _asked_speaker(question: str) -> tuple[str, str] | None:
    """For "What did X say (warn, claim ...) ...?": (X, the verb), unless X is a pronoun."""
    said = _SAY_QUESTION.search(question)
    who = said.group("who").strip() if said else ""
    if said is None or not who or _PRONOUN_ONLY.fullmatch(who):
        return None
    return who, said.group("verb")


def _people(who: str) -> list[str]:
    """The people a question names: "Kamal Alam and James Hackett" -> both."""
    return [p.strip() for p in _PEOPLE_SEPARATOR.split(who) if p.strip()]


def searched_form(question: str) -> str:
    """The question as it is searched and ranked: "What is X's job?" and "What does X do?" as
    "Who is X?", which the sentence naming X with their office answers ("X, role, ...")."""
    role = _ROLE_QUESTION.match(question)
    if role:
        return f"Who is {role.group('who') or role.group('doer')}?"
    return question


def as_asked(answer: Answer, question: str) -> Answer:
    """An answer found for `searched_form(question)`, told as the answer to `question`."""
    if answer.question != question:
        # "Nothing in them answers “What is X's job?”", not "... “Who is X?”".
        answer.text = answer.text.replace(f"“{answer.question}”", f"“{question}”")
        answer.question = question
    return answer


def not_answered(question: str, backend: str, view: Snapshot, reason: str = "") -> Answer:
    """The abstention for a question no passage answers; it says which of the question's
    names no article mentions, when some are not ("How did China react?")."""
    missing = names_not_mentioned(question, view)
    if not missing:
        return abstention(question, backend, reason)
    text = f"{ABSTAIN_TEXT[:-1]}: they don't mention {_listed(missing)}."
    return abstention(question, backend, reason, text=text)


def names_not_mentioned(question: str, view: Snapshot) -> list[str]:
    """The question's names (capitalised words, not its first) that no article mentions:
    "What is Russia's position on Kashmir?", "Who went to Fort Dusquesne?"."""
    missing: list[str] = []
    if question.upper() == question:
        return missing  # "WHO WARNED ABOUT ...?": capitals that name nothing
    end = -1
    for m in _CAPITALISED.finditer(question, 1):
        if view.mentions(m.group(0)):
            continue
        if missing and not question[end : m.start()].strip():
            missing[-1] += question[end : m.end()]  # "World Cup", one name
        else:
            missing.append(m.group(0))
        end = m.end()
    return list(dict.fromkeys(missing))


def unquoted(question: str, backend: str, who: str) -> Answer:
    """The answer to "What did X say?" when the articles hold no words of X."""
    anyone = _AND.sub(" or ", who)
    return abstention(
        question,
        backend,
        f"no retrieved passage quotes or reports {who}",
        text=f"{ABSTAIN_TEXT[:-1]} what {who} said: they quote no statement by {anyone}.",
    )


def _words_not_cited(answer: Answer) -> str:
    """The words of a yes/no question that the cited passages lack, as the question has them,
    listed ("" when none).
    The opening "Has" / "Did" is no word to look for, and a word is mentioned by a longer or
    shorter form of it ("India" by "Indian", "Pakistani" by "Pakistan")."""
    opening = _YES_NO.match(answer.question)
    asked = answer.question[opening.end() :] if opening else answer.question
    said = words(answer.text)
    missing = {
        t
        for t in question_terms(asked) - set(terms(answer.text))
        if not any(same_word(t, w) for w in said)
    }
    if not missing:
        return ""
    shown = [w for w in dict.fromkeys(re.findall(r"\w+", asked)) if stem(fold(w)) in missing]
    return _listed(shown) or "all of the question"


def _listed(found: list[str]) -> str:
    return ", ".join(f"“{w}”" for w in found)


def _led(answer: Answer, lead: str) -> Answer:
    """The answer after an uncited first sentence that says the passages may not answer."""
    answer.sentences = [AnswerSentence(lead, []), *answer.sentences]
    answer.text = " ".join(s.text for s in answer.sentences)
    return answer


def _prefer_naming_sentence(question: str, ranked: list[Scored]) -> list[Scored]:
    """A quotation that matches the question only through its speaker ("Who is Mohammad
    Faisal?" and his "Our armed forces ..." quote) gives way to the sentence that names the
    speaker, when that ranks about as high: it is the one that says who they are."""
    if not ranked or not ranked[0].passage.quoted:
        return ranked
    p = ranked[0].passage
    if set(terms(p.text)) & question_terms(question):
        return ranked
    return _promoted(
        ranked,
        lambda other: (
            other.passage.document.doc_id == p.document.doc_id
            and other.passage.start <= p.speaker_start < other.passage.end
        ),
    )


def _promoted(ranked: list[Scored], better: Callable[[Scored], bool]) -> list[Scored]:
    """`ranked` with the first passage ranked about as high as the best for which `better`
    holds put first, if there is one."""
    for other in ranked[1:]:
        if ranked[0].score - other.score > _ABOUT_AS_HIGH:
            break
        if better(other):
            return [other] + [r for r in ranked if r is not other]
    return ranked


def _within(inner: Passage, outer: Passage) -> bool:
    """`inner` is a stretch of `outer`'s text."""
    return (
        inner.document.doc_id == outer.document.doc_id
        and outer.start <= inner.start
        and inner.end <= outer.end
    )


# "He stated: " / "She said, " at the start of a quoted sentence.
_ATTRIBUTION = re.compile(r"^(he|she|they|it)\s+\w+\s*[:,]\s*", re.IGNORECASE)
_PROPER_NAME = re.compile(r"[A-Z][\w’'-]+(?:\s+[A-Z][\w’'-]+)+")


def _named_in(speaker: str, question: str) -> bool:
    """The question already names the speaker (by the full span or a proper name in it)."""
    q = question.lower()
    names = _PROPER_NAME.findall(speaker)
    return speaker.lower() in q or any(name.lower() in q for name in names)


def _answered(
    question: str, backend: str, sentences: list[AnswerSentence], cites: CitationList
) -> Answer:
    """The answer these sentences make, citing `cites`."""
    return Answer(
        text=" ".join(s.text for s in sentences),
        citations=cites.citations,
        abstained=False,
        backend=backend,
        question=question,
        sentences=sentences,
    )


def _renumbered(answer: Answer) -> Answer:
    """Renumber citations 1, 2, ... in the order their markers appear in the text."""
    order: list[int] = []
    for s in answer.sentences:
        for n in s.citations:
            if n not in order:
                order.append(n)
    mapping = {old: new for new, old in enumerate(order, start=1)}
    if all(old == new for old, new in mapping.items()):
        return answer
    by_old = {c.n: c for c in answer.citations}
    answer.citations = [replace(by_old[old], n=new) for old, new in mapping.items()]
    marker = re.compile(r"\[(\d+)\]")
    answer.sentences = [
        AnswerSentence(
            marker.sub(lambda m: f"[{mapping.get(int(m.group(1)), int(m.group(1)))}]", s.text),
            [mapping[n] for n in s.citations],
            s.supported,
        )
        for s in answer.sentences
    ]
    answer.text = " ".join(s.text for s in answer.sentences)
    return answer


def _speaker_name(span: str) -> str:
    return span.rstrip(",;: ")


def _short_name(speaker: str) -> str:
    """The person's name in "James Hackett, defence analyst with ...", for a second mention."""
    for part in speaker.split(","):
        if _PROPER_NAME.fullmatch(part.strip()):
            return part.strip()
    return speaker
