"""Questions across articles, read before the answerer (which answers from the top passages of
one question): two questions in one ("Which article covers X, and in which court ...?"), what
two named stories have in common ("The painting story and the salon story have a US state in
common. Which state?"), and which other story shares a detail ("In the art story LVMH covers
two-thirds of a purchase. In which other story ...?").
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace

from ..index import StoredDocument
from ..ingest.dates import human
from ..retrieve import Passage
from ..text.patterns import NAME_RUN
from ..text.vocabulary import MONTHS, WEEKDAYS
from . import Answer, AnswerSentence, abstention
from .citations import CitationList, Span
from .result import answered

# "..., and in which court was the plumber convicted?": a second question after the first.
_SECOND = re.compile(
    r",?\s+and\s+(?P<second>(?:in|on|at|from|by|for|to)?\s*(?:which|what|who|whom|where|when|"
    r"how)\b[^?]*\?)\s*$",
    re.IGNORECASE,
)
_STORY = r"(?:stor(?:y|ies)|articles?|pieces?|reports?)"
# "the Chardin painting story and the salon-ban story", "both the Houston salon incident and the
# Napa County supervisors' meeting"
_TWO = re.compile(
    rf"(?:both\s+)?(?P<a>the\s+[^,.?]+?)\s+and\s+(?P<b>the\s+[^,.?]+?)"
    rf"(?=\s+(?:have|has|share|both|mention|happen|took|take|were|are)\b|\s*[,.?]|\s+{_STORY}\b)",
    re.IGNORECASE,
)
_COMMON = re.compile(r"\b(?:in\s+common|both|same|shared?)\b", re.IGNORECASE)
# "Apart from the Berlin street-renaming story, which article ...", "In which other story ...".
_OTHER = re.compile(
    rf"\b(?:which|what)\s+other\s+{_STORY}|\b(?:apart|aside)\s+from\s+(?P<named>the\s+[^,]+?)"
    rf",\s*(?:which|what)\s+{_STORY}",
    re.IGNORECASE,
)
# The words that frame a question about articles: "which article brings up", "and in what
# connection", "and what is it".
_FRAME = re.compile(
    rf"\b(?:which|what)\s+(?:other\s+)?{_STORY}\s+(?:brings?\s+up|mentions?|covers?|talks?\s+"
    r"about|discuss(?:es)?|refers?\s+to|is\s+about|raises?)\b|,?\s*\band\s+(?:in\s+)?(?:what|which)"
    r"\s+(?:connection|way|context|respect|is\s+it|was\s+it)\b[^?]*",
    re.IGNORECASE,
)
_IN_THE = re.compile(rf"^\s*in\s+(?P<named>the\s+[\w\s'’-]+?\s+{_STORY})\s*,?\s*", re.IGNORECASE)
US_STATES = (
    "Alabama",
    "Alaska",
    "Arizona",
    "Arkansas",
    "California",
    "Colorado",
    "Connecticut",
    "Delaware",
    "Florida",
    "Georgia",
    "Hawaii",
    "Idaho",
    "Illinois",
    "Indiana",
    "Iowa",
    "Kansas",
    "Kentucky",
    "Louisiana",
    "Maine",
    "Maryland",
    "Massachusetts",
    "Michigan",
    "Minnesota",
    "Mississippi",
    "Missouri",
    "Montana",
    "Nebraska",
    "Nevada",
    "Ohio",
    "Oklahoma",
    "Oregon",
    "Pennsylvania",
    "Tennessee",
    "Texas",
    "Utah",
    "Vermont",
    "Virginia",
    "Washington",
    "Wisconsin",
    "Wyoming",
    "New Hampshire",
    "New Jersey",
    "New Mexico",
    "New York",
    "North Carolina",
    "North Dakota",
    "Rhode Island",
    "South Carolina",
    "South Dakota",
    "West Virginia",
)

Search = Callable[[str], list[Passage]]
SearchWithout = Callable[[str, frozenset[str]], list[Passage]]  # (text, doc_ids left out)
# "What do the articles say about X?"; "Do the articles agree on X?"
_EACH = re.compile(
    r"^\s*what\s+(?:do|does|did)\s+(?:the|these|all\s+the|both)\s+(?:articles|stories|reports|"
    r"coverage|papers|outlets|sources)\s+(?:say|report|tell\s+us|write)\s+(?:about|on|of|"
    r"regarding)\s+(?P<topic>[^?]+?)\s*\??\s*$",
    re.IGNORECASE,
)
_AGREE = re.compile(
    r"^\s*(?:do|did|does)\s+(?:the|these|all\s+the|both)\s+(?:articles|stories|reports|outlets|"
    r"sources)\s+(?:agree|disagree|differ|match|say\s+the\s+same)\s+(?:on|about|over|"
    r"regarding|as\s+to)?\s*(?P<topic>[^?]+?)\s*\??\s*$",
    re.IGNORECASE,
)
_FIGURE = re.compile(r"(?<![\w.])\d[\d,]*(?:\.\d+)?(?:\s*(?:%|per\s*cent|million|billion))?")
# How much less similar than the closest article's sentence another article's may be and still
# be about the same thing (cosine), when gathering what each article says.
SAME_TOPIC = 0.15
MAX_EACH = 4


@dataclass(frozen=True)
class Parts:
    first: str
    second: str


def compound(question: str) -> Parts | None:
    """Two questions asked as one, when the second stands on its own."""
    found = _SECOND.search(question)
    if not found or not re.match(r"\s*(which|what|who|where|when|how)\b", question, re.I):
        return None
    first = question[: found.start()].strip(" ,") + "?"
    second = found.group("second").strip()
    if len(first.split()) < 4 or len(second.split()) < 4:
        return None
    return Parts(first, second[0].upper() + second[1:])


def joined(first: Answer, second: Answer, question: str) -> Answer:
    """Both answers in one, the second's citations numbered after the first's."""
    if first.abstained and second.abstained:
        return first
    if first.abstained and second.citations:  # the article that answers the second covers it
        title = second.citations[0].title
        first = replace(first, text=f"“{title}”.", sentences=[AnswerSentence(f"“{title}”.", [])])
    shift = len(first.citations)
    moved = [replace(c, n=c.n + shift) for c in second.citations]  # same spans, later numbers

    def renumber(text: str) -> str:
        return re.sub(r"\[(\d+)\]", lambda m: f"[{int(m.group(1)) + shift}]", text)

    sentences = [
        *first.sentences,
        *(
            AnswerSentence(renumber(s.text), [n + shift for n in s.citations], s.supported)
            for s in second.sentences
        ),
    ]
    return Answer(
        text=f"{first.text} {renumber(second.text)}",
        citations=[*first.citations, *moved],
        abstained=False,
        backend=first.backend,
        question=question,
        sentences=sentences,
    )


def in_common(question: str, search: Search, backend: str) -> Answer | None:
    """What two named stories share, of the kind asked (a US state, a city, a day of the
    week, else any name): cited in each."""
    two = _TWO.search(question)
    if not two or not _COMMON.search(question):
        return None
    a = _story(two.group("a"), search)
    b = _story(two.group("b"), search, not_doc=a.doc_id if a else "")
    if a is None or b is None or a.doc_id == b.doc_id:
        return None
    for name in _shared(question, a.text, b.text):
        cites = CitationList()
        spans = [_sentence_with(doc, name) for doc in (a, b)]
        if None in spans:
            continue
        numbers = [cites.cite(s) for s in spans if s is not None]
        text = f"{name}: “{a.title}” [{numbers[0]}] and “{b.title}” [{numbers[1]}] both mention it."
        return _said(text, numbers, cites, backend, question)
    return abstention(question, backend, "the two stories share nothing of that kind")


def other_story(
    question: str, search: Search, search_without: SearchWithout, backend: str
) -> Answer | None:
    """The story, other than the one named, whose passage is closest to the detail asked."""
    other = _OTHER.search(question)
    if not other:
        return None
    named_phrase = other.group("named") or ""
    lead = _IN_THE.match(question)
    if lead:  # "In the art story LVMH covers two-thirds of a purchase. In which other ..."
        named_phrase = named_phrase or lead.group("named")
    named = _story(named_phrase, search) if named_phrase else None
    if named is None:
        return None
    detail = question.replace(named_phrase, " ")
    detail = re.sub(rf"\b(?:which|what)\s+other\s+{_STORY}|\b(?:apart|aside)\s+from\b", " ", detail)
    detail = _FRAME.sub(" ", detail)  # the question's own words, not the detail's
    found = search_without(" ".join(detail.split()), frozenset({named.doc_id}))
    if not found:
        return None
    best = found[0]
    cites = CitationList()
    n = cites.cite(Span(best.document, best.start, best.end))
    text = f"“{best.document.title}”: {best.text} [{n}]"
    return _said(text, [n], cites, backend, question)


def _said(
    text: str, numbers: list[int], cites: CitationList, backend: str, question: str
) -> Answer:
    """An answer of one sentence citing `numbers`."""
    return Answer(
        text=text,
        citations=cites.citations,
        abstained=False,
        backend=backend,
        question=question,
        sentences=[AnswerSentence(text, numbers)],
    )


def each_article(question: str, search_without: SearchWithout, backend: str) -> Answer | None:
    """What each article says about a topic: its closest sentence, led by its headline, outlet
    and date; one article of each story, the closest first."""
    asked = _EACH.match(question)
    if not asked:
        return None
    found = _per_article(asked.group("topic"), search_without)
    if not found:
        return abstention(question, backend, "no article is about that")
    cites = CitationList()
    sentences = []
    for p in found:
        n = cites.cite(Span(p.document, p.start, p.end))
        sentences.append(AnswerSentence(f"{_source(p.document)}: {p.text} [{n}]", [n]))
    return answered(question, backend, sentences, cites)


def agreement(question: str, search_without: SearchWithout, backend: str) -> Answer | None:
    """Whether the articles give the same figure on a topic: each article's closest sentence
    that holds one, side by side; they agree when the figures are the same."""
    asked = _AGREE.match(question)
    if not asked:
        return None
    found = [p for p in _per_article(asked.group("topic"), search_without) if _figures(p.text)]
    if len(found) < 2:
        return abstention(question, backend, "fewer than two articles give a figure on it")
    cites = CitationList()
    numbers = [cites.cite(Span(p.document, p.start, p.end)) for p in found]
    figures = [_figures(p.text) for p in found]
    same = all(f == figures[0] for f in figures)
    parts = [
        f"{_source(p.document)} gives {', '.join(f)} [{n}]"
        for p, f, n in zip(found, figures, numbers, strict=True)
    ]
    lead = "They agree: " if same else "They differ: "
    text = lead + "; ".join(parts) + "."
    return _said(text, numbers, cites, backend, question)


def _per_article(topic: str, search_without: SearchWithout) -> list[Passage]:
    """The closest sentence of each article on `topic` (one article per story), while it is
    about as close as the closest one."""
    found: list[Passage] = []
    left_out: set[str] = set()
    while len(found) < MAX_EACH:
        hits = search_without(topic, frozenset(left_out))
        if not hits or (found and hits[0].dense < found[0].dense - SAME_TOPIC):
            break
        body = [p for p in hits if p.start > 0] or hits  # a sentence of the text, not the headline
        best = body[0]
        found.append(best)
        story = best.document.story or best.document.doc_id
        left_out |= {
            p.document.doc_id for p in hits if (p.document.story or p.document.doc_id) == story
        }
        left_out.add(best.document.doc_id)
    return found


def _figures(text: str) -> list[str]:
    """The figures a sentence gives, not the numbers of its dates ("9 April 2024")."""
    months = "|".join(MONTHS)
    dated = re.compile(rf"^\s*(?:{months})|(?:{months})\s*$", re.IGNORECASE)
    figures = []
    for m in _FIGURE.finditer(text):
        around = text[max(0, m.start() - 12) : m.start()], text[m.end() : m.end() + 12]
        year = re.fullmatch(r"(?:19|20)\d\d", m.group(0)) is not None
        if year or dated.search(around[0]) or dated.search(around[1]):
            continue
        figures.append(" ".join(m.group(0).split()))
    return figures


def _source(doc: StoredDocument) -> str:
    """ "“Headline” (Outlet, 8 March 2021)" """
    about = ", ".join(p for p in (doc.outlet, human(doc.published)) if p)
    return f"“{doc.title}”" + (f" ({about})" if about else "")


def _story(phrase: str, search: Search, not_doc: str = "") -> StoredDocument | None:
    """The article a phrase like "the Chardin painting story" names: the document of the
    passages closest to its words."""
    words = re.sub(rf"\b(?:the|both|{_STORY})\b", " ", phrase, flags=re.IGNORECASE)
    words = re.sub(r"[-–]", " ", words)
    votes: dict[str, float] = {}
    docs: dict[str, StoredDocument] = {}
    for p in search(" ".join(words.split())):
        if p.document.doc_id == not_doc:
            continue
        votes[p.document.doc_id] = votes.get(p.document.doc_id, 0.0) + 1.0 / (1 + p.rank)
        docs[p.document.doc_id] = p.document
    return docs[max(votes, key=lambda d: votes[d])] if votes else None


def _shared(question: str, a: str, b: str) -> list[str]:
    """The names both texts hold, of the kind the question asks for."""
    q = question.lower()
    pool: list[str]
    if "day of the week" in q or "weekday" in q or re.search(r"\bwhat\s+day\b", q):
        pool = [d.capitalize() for d in WEEKDAYS]
    elif "state" in q:
        pool = list(US_STATES)
    else:
        runs = [m.group(0).split() for m in NAME_RUN.finditer(a)]
        pool = list(
            dict.fromkeys(
                " ".join(run[i:j])
                for run in runs
                for i in range(len(run))
                for j in range(i + 1, len(run) + 1)
            )
        )
        if re.search(r"\b(?:city|town|country|place|village|county)\b", q):
            # A place is written after "in", "to", "from", "at" ... somewhere in each text.
            pool = [n for n in pool if _as_place(n, a) and _as_place(n, b)]
    shared = [
        n
        for n in pool
        if re.search(rf"\b{re.escape(n)}\b", a)
        and re.search(rf"\b{re.escape(n)}\b", b)
        and n.lower() not in q
    ]
    return sorted(shared, key=lambda n: -len(n))


def _as_place(name: str, text: str) -> bool:
    return re.search(rf"\b(?:in|to|from|at|near|of)\s+{re.escape(name)}\b", text) is not None


def _sentence_with(doc: StoredDocument, name: str) -> Span | None:
    found = re.search(rf"[^.\n]*\b{re.escape(name)}\b[^.\n]*\.?", doc.text)
    if not found:
        return None
    start = found.start() + len(found.group(0)) - len(found.group(0).lstrip())
    return Span(doc, start, found.end())
