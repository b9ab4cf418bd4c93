"""Questions about the articles rather than in them: who wrote one, when it was published,
what they are about, whom they quote, which of them mention something."""

from __future__ import annotations

from ..index import Snapshot, StoredDocument
from ..ingest.dates import human
from ..retrieve import Passage
from ..types import Answer, AnswerSentence
from .citations import CitationList, Span
from .overview import (
    LEAD_SENTENCES,
    articles,
    byline,
    dateline,
    lead,
    mentions,
    people,
    topic_phrase,
    topic_terms,
)
from .ranking import Ranker
from .result import ABSTAIN_TEXT, abstention, answered


def _published(doc: StoredDocument) -> str:
    """ "“Title” was published on 8 March 2021 (updated 14 March 2021), by its page." """
    updated = f" (updated {human(doc.updated)})" if doc.updated else ""
    return f"“{doc.title}” was published on {human(doc.published)}{updated}, by its page."


def author_answer(
    ranker: Ranker, question: str, passages: list[Passage], backend: str
) -> Answer | None:
    """Who wrote it: the byline of the article the question is about."""
    ranked = ranker.score(question, passages)
    doc = ranked[0].passage.document if ranked else None
    if doc is None or not doc.author:
        return None
    found = byline(doc)
    if found is None:
        return None
    cites = CitationList()
    n = cites.cite(found)
    text = f"“{doc.title}” was written by {doc.author} [{n}]."
    return answered(question, backend, [AnswerSentence(text, [n])], cites)


def overview_answer(
    ranker: Ranker, question: str, kind: str, passages: list[Passage], backend: str
) -> Answer:
    """What the articles are about (their leads), whom they quote, which of them mention
    something, when they are dated; cited."""
    view = passages[0].view or ranker.store.snapshot
    topic = topic_terms(question)
    if kind in ("which", "mention"):
        found = mentions(topic, [Span(p.document, p.start, p.end) for p in passages])
        by_doc = [(span.document, [span]) for span in found]
    else:
        docs = articles(view, topic, [p.document.doc_id for p in passages])
        by_doc = [(doc, _overview_spans(view, doc, kind, question, len(docs))) for doc in docs]
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
                backend=backend,
            )
        titles = " or ".join(f"“{doc.title}”" for doc, _ in by_doc)
        text = f"{ABSTAIN_TEXT[:-1]} when {titles} was published: it gives no date."
        return abstention(question, backend, "no dateline", text=text)
    asked = topic_phrase(question)
    if not sentences and kind in ("which", "mention") and asked:
        text = (
            f"No: the articles don't mention “{asked}”."
            if kind == "mention"
            else f"None of the articles mentions “{asked}”."
        )
        return abstention(question, backend, "no retrieved sentence has it", text=text)
    if not sentences:
        return abstention(question, backend)
    return answered(question, backend, sentences, cites)


def _overview_spans(
    view: Snapshot, doc: StoredDocument, kind: str, question: str, n_docs: int
) -> list[Span]:
    if kind == "summary":
        return lead(view, doc, LEAD_SENTENCES if n_docs == 1 else 1)
    if kind == "date":
        found = dateline(view, doc)
        return [found] if found else []
    return people(view, doc, question)
