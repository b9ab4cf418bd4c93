"""Questions about the articles themselves: what they are about, whom they quote.

"Summarize the article" or "What is this article about?" is answered with the article's lead
(the sentences after its headline and byline: news puts the story there); "Who is quoted in
the article?" or "List the analysts mentioned" with the people the article quotes or reports,
each as it introduces them ("James Hackett, defence analyst with ..."), cited. Retrieval finds
sentences like the question, which for these questions is no answer at all.

"Which article mentions China?" is answered with each article's sentence that does, and "When
was the article published?" with its dateline.

Which articles: the one(s) the rest of the question is about ("Summarize the article about the
JF-17"), else every indexed article, up to MAX_ARTICLES.
"""

from __future__ import annotations

import re

from ..index import Snapshot, StoredDocument
from ..retrieve import Passage
from ..text.lexical import FUNCTION_WORDS, same_word, terms
from ..text.reported import REPORTED
from ..text.vocabulary import REPORT_VERBS
from .citations import Span

MAX_ARTICLES = 5
LEAD_SENTENCES = 3
# A model asked for a summary reads this many of an article's first sentences (fewer each when
# several articles are summarised).
SUMMARY_SENTENCES = 8

_ARTICLE = r"(?:this|the|these|that)\s+(?:articles?|stor(?:y|ies)|pieces?|news|reports?)"
_SUMMARY = re.compile(
    rf"^\s*(?:please\s+|can\s+you\s+|could\s+you\s+)?(?:summari[sz]e|sum\s+up)\b|"
    rf"\b(?:give|write|provide|make)\s+(?:me\s+|us\s+)?(?:a|the)\s+(?:short\s+|brief\s+|quick\s+)?"
    rf"summary\b|^\s*(?:a\s+)?summary\b|\btl;?dr\b|\bthe\s+gist\b|"
    rf"\b(?:main|key)\s+(?:points?|facts?|takeaways?|findings?|messages?)"
    rf"(?:\s+(?:of|in|from)\s+{_ARTICLE})?\s*[?.!]?\s*$|"
    rf"^\s*(?:please\s+)?(?:give|show|tell)\s+(?:me|us)\s+(?:the\s+)?(?:highlights|takeaways|"
    rf"an?\s+overview|the\s+headlines)\b|^\s*(?:what\s+are\s+)?the\s+(?:highlights|takeaways)\b|"
    rf"\bwhat\s+(?:is|are|was|were)\s+{_ARTICLE}\s+about\b|"
    rf"\bwhat\s+(?:does|do|did)\s+{_ARTICLE}\s+(?:say|report|cover|tell\s+us)\s*\??\s*$|"
    rf"^\s*what\s+happened\s*\??\s*$",
    re.IGNORECASE,
)
# "... quoted?", "... quoted in the article?": the question ends there.
_END = rf"(?=\s*(?:(?:in|by)\s+{_ARTICLE}(?:\s+about\b[^?]*)?)?\s*\??\s*$)"
_PEOPLE = re.compile(
    rf"\bwho\s+(?:is|are|was|were|gets?|got)\s+(?:quoted|cited|interviewed|mentioned|named){_END}|"
    rf"\bwho\s+(?:spoke|speaks|commented|comments|talked|talks){_END}|"
    rf"\b(?:people|persons|experts|analysts|sources|officials|speakers|names)\s+"
    rf"(?:quoted|cited|interviewed|mentioned|named)\b|"
    rf"\b(?:list|name)\s+(?:all\s+)?(?:the\s+)?"
    rf"(?:people|experts|analysts|sources|officials|speakers)\b",
    re.IGNORECASE,
)
# "Which article mentions China?"
_WHICH = re.compile(
    r"\bwhich\s+(?:articles?|stor(?:y|ies)|pieces?|reports?|sources?|documents?)\s+"
    r"(?:mentions?|talks?\s+about|discuss(?:es)?|covers?|says?|is\s+about|are\s+about|names?|"
    r"quotes?|reports?\s+on|deals?\s+with)\b",
    re.IGNORECASE,
)
# "the Russia article", "the JF-17 story"
_NAMED_ARTICLE = (
    r"(?:this|the|these|that)\s+(?:[\w’'-]+\s+){0,3}?(?:articles?|stor(?:y|ies)|pieces?)"
)
# "Does the article mention China?", "Is Kanwal Sibal mentioned?": asked yes or no.
_MENTION = re.compile(
    rf"^\s*(?:does|do|did)\s+(?:{_NAMED_ARTICLE}|it|they|any\s+(?:of\s+the\s+)?articles?)\s+"
    r"(?:mention|talk\s+about|discuss|cover|name|quote|say\s+anything\s+about|deal\s+with|"
    r"report\s+on)\b|"
    rf"^\s*(?:is|are|was|were)\s+[^?]+?\s+(?:mentioned|named|discussed|quoted|covered)"
    rf"(?:\s+(?:in|by)\s+(?:{_NAMED_ARTICLE}|it|them))?\s*\??\s*$",
    re.IGNORECASE,
)
_DATED = re.compile(
    rf"\bwhen\s+(?:was|were|is)\s+(?:{_NAMED_ARTICLE}|it|this)(?:\s+about\b[^?]*?)?\s+"
    rf"(?:published|written|posted|dated|released|out)\b|"
    rf"\b(?:date|publication\s+date)\s+of\s+{_NAMED_ARTICLE}",
    re.IGNORECASE,
)
# The words that ask about the articles; what is left is what the question is about ("... the
# article about the JF-17").
_META_WORDS = re.compile(
    r"\b(summari[sz]e|summary|sum|up|gist|tl;?dr|main|key|points?|facts?|takeaways?|findings?|"
    r"messages?|highlights|overview|headlines|show|us|few|two|three|four|five|articles?|stor(?:y|ies)|"
    r"pieces?|news|about|quoted|cited|interviewed|mentioned|named|list|name|people|persons|"
    r"speakers|spoke|speaks|commented|comments|says?|report|reports|cover|covers|happened|"
    r"briefly|please|give|me|tell|all|this|these|that|in|the|what|who|which|when|is|are|was|"
    r"were|does|do|of|a|an|mentions?|talks?|discuss(?:es)?|deals?|with|on|names?|quotes?|"
    r"documents?|sources?|published|written|posted|dated|released|out|date|publication)\b",
    re.IGNORECASE,
)
# Roles a listing may ask for: "List the analysts mentioned" keeps the analysts.
_ROLES = ("analyst", "expert", "official", "source", "minister", "spokes")
# How news introduces someone it reports: "Kanwal Sibal, India's former foreign secretary,
# emphasised ..." (the name and the role, up to the role's closing comma).
_INTRODUCED = re.compile(
    rf"^(?P<who>(?:[A-Z][\w’'.-]+\s+){{1,3}}[A-Z][\w’'-]+,\s+[^,;:“\"]{{3,160}}?),\s+"
    rf"(?:(?:has|have|had|also|\w+ly)\s+)*(?:{REPORT_VERBS})\b"
)
_WIRE_DATELINE = re.compile(
    r"(?P<dateline>[A-Z][A-Z .'-]+,\s+(?:[A-Z][a-z]+\.?\s+\d{1,2}|\d{1,2}\s+[A-Z][a-z]+)"
    r"(?:,?\s+\d{4})?(?:\s*\([^)]{1,40}\))?)\s*[-–—]"
)
# The end of the article's first full sentence: a line ending in a full stop (or ? !).
_FIRST_SENTENCE = re.compile(r"[.!?][\"”’']?[ \t]*(?:\n|$)")
_DATE_LABEL = re.compile(
    r"\s*(?:(?:first\s+)?published|updated|posted|last\s+modified|dated?)(?:\s+on)?\s*:?\s+",
    re.IGNORECASE,
)
_DATE_LINE = re.compile(r"^[\w ,.:/-]{0,40}\b(1\d|20)\d\d\b[\w ,.:/-]{0,20}$")


def overview_kind(question: str) -> str | None:
    """ "summary", "people", "which", "mention" (does any article mention X?), "date", or None
    when the question is about what the articles say."""
    if _DATED.search(question):
        return "date"
    if _WHICH.search(question):
        return "which"
    if _MENTION.search(question):
        return "mention"
    if _PEOPLE.search(question):
        return "people"
    if _SUMMARY.search(question):
        return "summary"
    return None


def topic_terms(question: str) -> set[str]:
    """What the question asks about besides the articles themselves."""
    return set(terms(_META_WORDS.sub(" ", question)))


def topic_phrase(question: str) -> str:
    """The same as it was typed: "Does the article mention Track II diplomacy?" -> "Track II
    diplomacy"."""
    return " ".join(_META_WORDS.sub(" ", question).split()).strip(" ?.!,")


def articles(view: Snapshot, topic: set[str], ranked_doc_ids: list[str]) -> list[StoredDocument]:
    """The articles the question is about: the best-ranked article of the retrieved passages
    that holds a topic word; with no topic, every article (by title)."""
    if topic:
        chosen = []
        for doc_id in dict.fromkeys(ranked_doc_ids):
            doc = view.documents.get(doc_id)
            if doc and topic & set(terms(doc.title + " " + doc.text)):
                chosen.append(doc)
        return chosen[:1]
    return sorted(view.documents.values(), key=lambda d: d.title.lower())[:MAX_ARTICLES]


def _sentences(view: Snapshot, doc: StoredDocument) -> list[tuple[int, int, int, int, int]]:
    """The document's sentences in order: start, end, speaker start, speaker end, row."""
    rows = [view.row[node] for node in map(doc.node_id, range(doc.n_nodes)) if node in view.row]
    found = [(*(int(x) for x in view.table.offsets[i][:4]), i) for i in rows]
    return sorted((a, b, c, d, row) for a, b, c, d, row in found)


def is_headline(doc: StoredDocument, start: int) -> bool:
    """A sentence starting at `start` is the headline: the first line of a multi-line article."""
    return start == 0 and "\n" in doc.text


def is_subheading(doc: StoredDocument, start: int, end: int) -> bool:
    """The sentence is a heading inside the article ("What happens next"): a short line of its
    own that does not end like a sentence, after the article's first full sentence (so not the
    headline, a standfirst, a byline or a date line)."""
    text = doc.text
    line = text[start:end].strip()
    own_line = (start == 0 or text[start - 1] == "\n") and text[end : end + 1] in ("", "\n")
    if not (
        own_line
        and 0 < len(line.split()) <= 8
        and not re.search(r"[.!?:;,\"”’')\]]$", line)
        and not re.match(r"(?i)(written\s+)?by\s", line)
        and any(c.isalpha() for c in line)
    ):
        return False
    body = _FIRST_SENTENCE.search(text)  # only for short lines of their own: a scan of the text
    return body is not None and start >= body.end()


def byline(doc: StoredDocument) -> Span | None:
    """The line that names the article's author ("by Thomas Mackie", "By Sarah Khan, Defence
    Correspondent"), when cleaning found one."""
    if not doc.author:
        return None
    pattern = rf"(?im)^(?:written\s+)?by\s+{re.escape(doc.author)}\b[^\n]*$"
    found = re.search(pattern, doc.text)
    return Span(doc, found.start(), found.end()) if found else None


def lead(view: Snapshot, doc: StoredDocument, n: int = LEAD_SENTENCES) -> list[Span]:
    """The first sentences after the headline, byline and dateline."""
    return [Span(doc, p.start, p.end) for p in lead_passages(view, doc, n)]


def lead_passages(view: Snapshot, doc: StoredDocument, n: int) -> list[Passage]:
    """`lead` as passages, to give a model to summarise from."""
    out: list[Passage] = []
    by = byline(doc)
    for start, end, _, _, row in _sentences(view, doc):
        text = doc.text[start:end].strip()
        signed = by is not None and by.start <= start < by.end
        if is_headline(doc, start) or signed or _DATE_LINE.match(text):
            continue
        if len(text.split()) < 4:
            continue
        out.append(Passage.of_row(view, row, rank=len(out)))
        if len(out) == n:
            break
    return out


def people(view: Snapshot, doc: StoredDocument, question: str) -> list[Span]:
    """Whom the article quotes or reports, as it introduces them, in its order (once each);
    only those in a role the question names ("analysts"), if it names one and any has it."""
    found: dict[int, Span] = {}
    for start, end, s_start, s_end, _ in _sentences(view, doc):
        if s_start >= 0 and s_end > s_start:
            found.setdefault(s_start, Span(doc, s_start, s_end))
            continue
        sentence = doc.text[start:end]
        introduced = _INTRODUCED.match(sentence)
        if introduced:
            found.setdefault(start, Span(doc, start, start + len(introduced.group("who"))))
            continue
        for match in REPORTED.finditer(sentence):
            group = "subject" if match.group("subject") else "after"
            a, b = match.span(group)
            if _names_someone(sentence, a, b):
                found.setdefault(start + a, Span(doc, start + a, start + b))
    spans: list[Span] = []
    seen: set[frozenset[str]] = set()
    for key in sorted(found):
        names = frozenset(re.findall(r"\b[A-Z][\w’'-]+", _text(found[key])))
        if names and names not in seen:
            seen.add(names)
            spans.append(found[key])
    asked = [r for r in _ROLES if re.search(rf"\b{r}", question, re.IGNORECASE)]
    if asked:
        in_role = [s for s in spans if any(re.search(rf"\b{r}", _text(s), re.I) for r in asked)]
        spans = in_role or spans
    return spans


def _names_someone(sentence: str, start: int, end: int) -> bool:
    """The reported subject names someone: a capitalised word that does not merely open the
    sentence ("Prime Minister Giorgia Meloni said", not "The agency said", "Climate scientists
    say"), or a source, official ... ("One source detailed")."""
    subject = sentence[start:end]
    if any(re.search(rf"\b{role}", subject, re.IGNORECASE) for role in _ROLES):
        return True
    return any(
        m.start() > 0 and m.group(0).lower() not in FUNCTION_WORDS
        for m in re.finditer(r"\b[A-Z][\w’'-]*", sentence[:end])
        if m.start() >= start
    )


def dateline(view: Snapshot, doc: StoredDocument) -> Span | None:
    """Where the article gives its date near the top: a line of its own ("12 March 2024") or a
    wire dateline opening the story ("ROME, May 17 (Reuters) - ...")."""
    for start, end, _, _, _ in _sentences(view, doc)[:6]:
        sentence = doc.text[start:end]
        if is_headline(doc, start):
            continue  # "EU agrees ban on new petrol cars from 2035" is no date line
        if _DATE_LINE.match(sentence.strip()):
            label = _DATE_LABEL.match(sentence)  # "Published 28 March 2023": the date itself
            return Span(doc, start + (label.end() if label else 0), end)
        wire = _WIRE_DATELINE.match(sentence)
        if wire:
            return Span(doc, start, start + wire.end("dateline"))
    return None


def mentions(topic: set[str], passages_by_rank: list[Span]) -> list[Span]:
    """For each article, in the order retrieval ranks them, its best sentence that holds more
    than half of the topic's words (in some form: "Russian arms sales" is mentioned by "Russia
    ... sell arms", "climate change" not by "this stance could change")."""
    found: dict[str, Span] = {}
    headlines: dict[str, Span] = {}  # a headline only when no other sentence of it has the word
    for span in passages_by_rank:
        doc_id = span.document.doc_id
        held = set(terms(_text(span)))
        share = sum(any(t == w or same_word(t, w) for w in held) for t in topic)
        if doc_id in found or 2 * share <= len(topic):
            continue
        if is_headline(span.document, span.start):
            headlines.setdefault(doc_id, span)
        else:
            found[doc_id] = span
    ranked = [s.document.doc_id for s in passages_by_rank]
    both = {**headlines, **found}
    return sorted(both.values(), key=lambda s: ranked.index(s.document.doc_id))[:MAX_ARTICLES]


def _text(span: Span) -> str:
    return span.document.text[span.start : span.end]
