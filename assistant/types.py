"""The records that pass between the pipeline's stages, in one place: a stored article
(StoredDocument, what ingest commits and the index returns), a retrieved sentence (Passage, what
retrieval hands the answerers), a quoted span (Citation) and what every answerer returns
(Answer and its AnswerSentences)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .index.records import Snapshot


@dataclass(frozen=True)
class StoredDocument:
    doc_id: str
    version: str
    source: str
    title: str
    author: str
    sha256: str
    n_nodes: int
    text: str
    published: str = ""  # ISO date ("" when the article gives none)
    updated: str = ""
    outlet: str = ""
    url: str = ""
    language: str = ""
    story: str = ""  # the doc_id its near-copies share (assistant/ingest/stories.py)
    minhash: str = ""  # its shingles' MinHash signature, hex

    def node_id(self, position: int) -> str:
        """The id of this version's node (sentence) at `position`."""
        return node_id(self.doc_id, self.version, position)


def node_id(doc_id: str, version: str, position: int) -> str:
    return f"{doc_id}-{version}-{position}"


@dataclass(frozen=True)
class Citation:
    """A quoted span: `document text[start:end] == quote`."""

    n: int
    quote: str
    title: str
    source: str
    start: int
    end: int
    author: str = ""
    published: str = ""  # the article's ISO date, "" when it gives none
    outlet: str = ""
    url: str = ""
    # The other copies of the story that hold the same words: their outlets (or titles).
    also_in: list[str] = field(default_factory=list)
    # Relative dates in the quote read against the article's date: "Tuesday: Tuesday, 7 April
    # 2020", "last month: March 2020".
    dates: list[str] = field(default_factory=list)
    context: str = ""  # the paragraph around the quote, for showing it in place
    context_start: int = 0  # offset of `context` in the document text

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Passage:
    """A retrieved sentence, located exactly in its document's cleaned text."""

    node_id: str
    document: StoredDocument
    start: int
    end: int
    speaker_start: int
    speaker_end: int
    dense: float  # cosine similarity of the sentence to the question
    bm25: float  # BM25 of the sentence's window
    fused: float  # retrieval rank on the reciprocal-rank scale, 2 / (rrf_k + rank + 1)
    rank: int
    row: int = -1  # position in `view.table`
    view: Snapshot | None = None  # the index version this passage was read from

    @classmethod
    def of_row(
        cls,
        view: Snapshot,
        row: int,
        rank: int = 0,
        dense: float = 0.0,
        bm25: float = 0.0,
        fused: float = 0.0,
    ) -> Passage:
        """The sentence at `row` of the view's node table, with the scores it was found by."""
        node_id = view.table.ids[row]
        start, end, s_start, s_end = (int(x) for x in view.table.offsets[row])
        return cls(
            node_id=node_id,
            document=view.document_of(node_id),
            start=start,
            end=end,
            speaker_start=s_start,
            speaker_end=s_end,
            dense=dense,
            bm25=bm25,
            fused=fused,
            rank=rank,
            row=row,
            view=view,
        )

    @property
    def text(self) -> str:
        return self.document.text[self.start : self.end]

    @property
    def speaker(self) -> str:
        if self.speaker_start < 0:
            return ""
        return self.document.text[self.speaker_start : self.speaker_end]

    @property
    def quoted(self) -> bool:
        """Inside a quotation whose speaker is named in an earlier sentence."""
        return 0 <= self.speaker_start < self.start


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
    # The words that answer, from the first cited sentence ("five people"), when the answer
    # leads with them; "" when it does not.
    direct: str = ""

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
            "direct": self.direct,
        }
