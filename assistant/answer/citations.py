"""Citations: exact character spans of a document, numbered in the order an answer uses them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

from ..ingest.dates import relative_dates
from ..types import Citation, StoredDocument


@dataclass(frozen=True)
class Span:
    """A span to cite, before it gets its number."""

    document: StoredDocument
    start: int
    end: int


class CitationList:
    """Hands out numbers to spans, reusing the number of a span cited twice."""

    def __init__(self) -> None:
        self._numbers: dict[tuple[str, int, int], int] = {}
        self.citations: list[Citation] = []

    def cite(self, span: Span) -> int:
        key = (span.document.doc_id, span.start, span.end)
        if key in self._numbers:
            return self._numbers[key]
        n = len(self.citations) + 1
        text = span.document.text
        para_start = text.rfind("\n", 0, span.start) + 1
        para_end = text.find("\n", span.end)
        para_end = len(text) if para_end < 0 else para_end
        self.citations.append(
            Citation(
                n=n,
                quote=text[span.start : span.end],
                title=span.document.title,
                source=span.document.source,
                start=span.start,
                end=span.end,
                author=span.document.author,
                published=span.document.published,
                outlet=span.document.outlet,
                url=span.document.url,
                context=text[para_start:para_end],
                context_start=para_start,
            )
        )
        self._numbers[key] = n
        return n


def with_copies(
    citations: list[Citation], documents: Mapping[str, StoredDocument]
) -> list[Citation]:
    """Each citation with the other copies of its story (ingest/stories.py) that hold the same
    words: "also in: AP, The Independent"."""
    by_source = {d.source: d for d in documents.values()}
    stories: dict[str, list[StoredDocument]] = {}
    for d in documents.values():
        stories.setdefault(d.story or d.doc_id, []).append(d)
    out = []
    for c in citations:
        doc = by_source.get(c.source)
        copies = stories.get(doc.story or doc.doc_id, []) if doc else []
        also = [d.outlet or d.title for d in copies if d.source != c.source and c.quote in d.text]
        out.append(replace(c, also_in=list(dict.fromkeys(also))) if also else c)
    return out


def with_dates(citations: list[Citation]) -> list[Citation]:
    """Each citation with the relative dates of its quote resolved against its article's date
    ("on Tuesday" in an article of Thursday 9 April 2020: Tuesday, 7 April 2020)."""
    out = []
    for c in citations:
        found = [
            f"{c.quote[start:end]}: {meant}"
            for start, end, meant in relative_dates(c.quote, c.published)
        ]
        out.append(replace(c, dates=list(dict.fromkeys(found))) if found else c)
    return out
