"""What the index holds, as the rest of the project reads it: documents, the node table, and the
snapshot a query reads (replaced whole when the index changes)."""

from __future__ import annotations

import bisect
import hashlib
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import bm25s
import numpy as np
from llama_index.core.schema import TextNode

from ..text.lexical import terms
from ..types import StoredDocument, node_id


@dataclass(frozen=True)
class PendingDocument:
    """A document version ready to commit: its nodes carry their embeddings."""

    doc_id: str
    version: str
    text: str
    meta: dict[str, Any]
    nodes: list[TextNode]


@dataclass
class NodeTable:
    """Per-node facts in index order (row i = BM25 document i)."""

    ids: list[str]
    doc_ids: list[str]
    offsets: np.ndarray  # (n, 4): start, end, speaker_start, speaker_end
    df: dict[str, int]

    @property
    def size(self) -> int:
        return len(self.ids)


@dataclass(frozen=True)
class Snapshot:
    """Everything a query reads, replaced as one object when the index changes, so a query
    that runs while another thread ingests sees one consistent version."""

    documents: dict[str, StoredDocument]
    table: NodeTable
    row: dict[str, int]
    bm25: bm25s.BM25 | None  # over each node's own text
    windows: bm25s.BM25 | None  # over each node's window (bm25.py)

    def document_of(self, node_id: str) -> StoredDocument:
        return self.documents[self.table.doc_ids[self.row[node_id]]]

    def mentions(self, word: str) -> bool:
        """Some article or title has `word`, or a longer or shorter form of it ("India" /
        "Indian", "Pakistani" / "Pakistan"), without accents (lexical.fold)."""
        vocabulary = self.windows.vocab_dict if self.windows is not None else {}
        found = terms(word)
        if not found:
            return True  # a function word: nothing to look for
        t = found[0]
        if t in vocabulary or any(t[:k] in vocabulary for k in range(4, len(t))):
            return True
        if len(t) < 4:
            return False
        longer = self._sorted_vocabulary  # the words that start with t follow it in order
        at = bisect.bisect_left(longer, t)
        return at < len(longer) and longer[at].startswith(t)

    def texts_with(self, word: str) -> list[str]:
        """The texts of the articles that hold `word` (as BM25 indexes it: lexical.terms), found
        through the index rather than by reading every article."""
        found = terms(word)
        if self.bm25 is None or not found or found[0] not in self.bm25.vocab_dict:
            return []
        postings = self.bm25.scores
        term = self.bm25.vocab_dict[found[0]]
        rows = postings["indices"][postings["indptr"][term] : postings["indptr"][term + 1]]
        doc_ids = dict.fromkeys(self.table.doc_ids[int(r)] for r in rows)
        return [self.documents[d].text for d in doc_ids if d in self.documents]

    @cached_property
    def outlets(self) -> list[str]:
        """The outlets the articles are from, each once."""
        return sorted({d.outlet for d in self.documents.values() if d.outlet})

    @cached_property
    def published(self) -> list[str]:
        """The articles' publication dates (ISO), each once."""
        return sorted({d.published for d in self.documents.values() if d.published})

    @cached_property
    def _sorted_vocabulary(self) -> list[str]:
        return sorted(self.windows.vocab_dict) if self.windows is not None else []


# What the store derives from the committed nodes: the node table, BM25 over each node's text,
# BM25 over each node's window.
Derived = tuple[NodeTable, bm25s.BM25 | None, bm25s.BM25 | None]

EMPTY = Snapshot({}, NodeTable([], [], np.zeros((0, 4), dtype=np.int64), {}), {}, None, None)


def document_of_record(doc_id: str, text: str | None, meta: dict[str, Any]) -> StoredDocument:
    """A committed document from its record in Chroma's documents collection."""
    return StoredDocument(
        doc_id=doc_id,
        version=str(meta["version"]),
        source=str(meta["source"]),
        title=str(meta.get("title", "")),
        author=str(meta.get("author", "")),
        sha256=str(meta["sha256"]),
        n_nodes=int(meta["n_nodes"]),
        text=text or "",
        published=str(meta.get("published", "")),
        updated=str(meta.get("updated", "")),
        outlet=str(meta.get("outlet", "")),
        url=str(meta.get("url", "")),
        language=str(meta.get("language", "")),
        story=str(meta.get("story", "") or doc_id),
        minhash=str(meta.get("minhash", "")),
    )


def fingerprint(docs: dict[str, StoredDocument]) -> str:
    """Names a set of committed document versions (the BM25 cache and generation use it)."""
    parts = sorted(f"{d.doc_id}:{d.version}:{d.n_nodes}" for d in docs.values())
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()
