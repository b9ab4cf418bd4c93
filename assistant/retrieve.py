"""Question -> ranked sentence passages, from two granularities.

Each sentence is scored by its own embedding similarity to the question (Chroma) and by BM25 over
its window, the sentence with its neighbours in the same document: a question's words are often
spread over a passage ("Which NFL team represented the AFC at Super Bowl 50?" names the game in
one sentence and the team in the next), while the sentence that answers is still the unit cited.
The two are mixed linearly (BM25 scaled by the best window's score); on SQuAD dev this ranks the
gold paragraph first far more often than rank fusion of sentence-level lists (bench/retrieval.py).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import bm25s
import numpy as np
from llama_index.core.base.base_retriever import BaseRetriever
from llama_index.core.schema import NodeWithScore, QueryBundle, TextNode

from .embeddings import MiniLMEmbedding
from .lexical import terms
from .store import IndexStore, NodeTable, Snapshot, StoredDocument


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


class WindowIndex:
    """BM25 over every node's window: its sentence and the sentences either side of it in the
    same document, plus the sentence again and the document's title. Derived from the store's
    node table, rebuilt when that table changes."""

    width = 1  # sentences either side

    def __init__(self) -> None:
        self._table: NodeTable | None = None
        self._bm25: bm25s.BM25 | None = None
        self._lock = threading.Lock()

    def _current(self, view: Snapshot) -> bm25s.BM25 | None:
        table = view.table
        with self._lock:
            if self._table is not table:
                self._bm25 = self._build(table, view.documents)
                self._table = table
            return self._bm25

    @staticmethod
    def _build(table: NodeTable, documents: dict[str, StoredDocument]) -> bm25s.BM25 | None:
        if not table.size:
            return None
        tokenized = []
        for row in range(table.size):
            doc_id = table.doc_ids[row]
            first = last = row
            for step in range(1, WindowIndex.width + 1):
                if row - step >= 0 and table.doc_ids[row - step] == doc_id:
                    first = row - step
                if row + step < table.size and table.doc_ids[row + step] == doc_id:
                    last = row + step
            document = documents[doc_id]
            start, end, s_start, s_end = (int(x) for x in table.offsets[row])
            own = document.text[start:end]
            if 0 <= s_start < start:  # a quote: its speaker, as the node's index text has it
                own = document.text[s_start:s_end] + " " + own
            window = document.text[table.offsets[first][0] : table.offsets[last][1]]
            # The sentence's own words count twice, and the title once, like a headline.
            tokenized.append(terms(window) + terms(own) + terms(document.title) or [""])
        model = bm25s.BM25()
        model.index(tokenized, show_progress=False)
        return model

    def scores(self, question: str, view: Snapshot) -> np.ndarray:
        """BM25 of every node's window, in the row order of `view.table` (zeros when none)."""
        model = self._current(view)
        query = terms(question)
        if model is None or not query:
            return np.zeros(view.table.size, dtype=np.float32)
        return np.asarray(model.get_scores(query), dtype=np.float32)


class HybridRetriever(BaseRetriever):
    """llama-index retriever over the project's index; nodes carry offsets and raw scores."""

    def __init__(
        self,
        store: IndexStore,
        embed: MiniLMEmbedding,
        top_k: int,
        candidates: int,
        rrf_k: int,
        dense_weight: float | None = None,
    ) -> None:
        super().__init__()
        self.store = store
        self.embed = embed
        self.top_k = top_k
        self.candidates = candidates
        self.rrf_k = rrf_k
        # Read from the settings the store was opened with unless given.
        self.dense_weight = store.settings.dense_weight if dense_weight is None else dense_weight
        self.windows = WindowIndex()

    def passages(self, question: str, top_k: int | None = None) -> list[Passage]:
        query_vector = self.embed.get_query_embedding(question)
        return self._rank(question, query_vector, top_k or self.top_k)

    def _retrieve(self, query_bundle: QueryBundle) -> list[NodeWithScore]:
        results = []
        for p in self.passages(query_bundle.query_str):
            node = TextNode(
                id_=p.node_id,
                text=p.text,
                metadata={
                    "title": p.document.title,
                    "source": p.document.source,
                    "start": p.start,
                    "end": p.end,
                    "dense": p.dense,
                    "bm25": p.bm25,
                },
            )
            results.append(NodeWithScore(node=node, score=p.fused))
        return results

    def _rank(self, question: str, query_vector: list[float], top_k: int) -> list[Passage]:
        store = self.store
        view = store.snapshot
        dense_scores = dict(store.dense(query_vector, self.candidates, view))
        window = self.windows.scores(question, view)
        k = min(self.candidates, len(window))
        lexical_rows = np.argpartition(-window, k - 1)[:k] if k else np.zeros(0, dtype=int)
        lexical_ids = [view.table.ids[i] for i in lexical_rows if window[i] > 0]
        candidates = list(dict.fromkeys([*dense_scores, *lexical_ids]))
        if not candidates:
            return []
        missing = [i for i in candidates if i not in dense_scores]
        if missing:
            q = np.asarray(query_vector, dtype=np.float32)
            for node_id, vector in store.embeddings(missing).items():
                dense_scores[node_id] = float(vector @ q)
        best_window = float(window.max()) if len(window) else 0.0
        scale = (1.0 - self.dense_weight) / best_window if best_window > 0 else 0.0
        score = {
            i: self.dense_weight * dense_scores.get(i, 0.0) + scale * float(window[view.row[i]])
            for i in candidates
        }
        order = sorted(candidates, key=lambda i: -score[i])[:top_k]
        passages = []
        for rank, node_id in enumerate(order):
            row = view.row[node_id]
            start, end, s_start, s_end = (int(x) for x in view.table.offsets[row])
            passages.append(
                Passage(
                    node_id=node_id,
                    document=view.document_of(node_id),
                    start=start,
                    end=end,
                    speaker_start=s_start,
                    speaker_end=s_end,
                    dense=dense_scores.get(node_id, 0.0),
                    bm25=float(window[row]),
                    fused=2.0 / (self.rrf_k + rank + 1),
                    rank=rank,
                    row=row,
                    view=view,
                )
            )
        return passages
