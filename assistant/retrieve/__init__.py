"""Question -> ranked sentence passages, from two granularities.

Each sentence is scored by its own embedding similarity to the question (Chroma) and by BM25 over
its window (assistant/index/bm25.py: the sentence with its neighbours in the same document, kept by
the store beside its other caches). The two are mixed linearly (BM25 scaled by the best window's
score); on SQuAD dev this ranks the gold paragraph first far more often than rank fusion of
sentence-level lists (bench/retrieval.py).
"""

from __future__ import annotations

import numpy as np
from llama_index.core.base.base_retriever import BaseRetriever
from llama_index.core.schema import NodeWithScore, QueryBundle, TextNode

from ..index import IndexStore, Snapshot
from ..index.embeddings import MiniLMEmbedding
from ..text.lexical import terms
from ..types import Passage

__all__ = ["HybridRetriever", "Passage"]


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

    def passages(
        self, question: str, top_k: int | None = None, allowed: frozenset[str] | None = None
    ) -> list[Passage]:
        """The top passages for `question`; from the documents `allowed` only, when given."""
        query_vector = self.embed.get_query_embedding(question)
        return self._rank(question, query_vector, top_k or self.top_k, allowed)

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

    def _rank(
        self,
        question: str,
        query_vector: list[float],
        top_k: int,
        allowed: frozenset[str] | None = None,
    ) -> list[Passage]:
        store = self.store
        view = store.snapshot
        window = _window_scores(question, view)
        if allowed is None:
            dense_scores = dict(store.dense(query_vector, self.candidates, view))
        else:  # the allowed documents' sentences only, each scored exactly
            keep = np.fromiter((d in allowed for d in view.table.doc_ids), bool, view.table.size)
            window = np.where(keep, window, 0.0).astype(np.float32)
            rows = np.flatnonzero(keep)
            q = np.asarray(query_vector, dtype=np.float32)
            vectors = store.embeddings([view.table.ids[i] for i in rows])
            cosines = sorted(((float(v @ q), i) for i, v in vectors.items()), reverse=True)
            dense_scores = dict((i, c) for c, i in cosines[: self.candidates])
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
        order = _one_copy(sorted(candidates, key=lambda i: -score[i]), view)[:top_k]
        passages = []
        for rank, node_id in enumerate(order):
            row = view.row[node_id]
            passages.append(
                Passage.of_row(
                    view,
                    row,
                    rank=rank,
                    dense=dense_scores.get(node_id, 0.0),
                    bm25=float(window[row]),
                    fused=2.0 / (self.rrf_k + rank + 1),
                )
            )
        return passages


def _one_copy(order: list[str], view: Snapshot) -> list[str]:
    """The ranked node ids with each sentence of a story once: a wire story reprinted by
    several outlets (ingest/stories.py) fills the top passages with one sentence otherwise."""
    seen: set[tuple[str, str]] = set()
    kept = []
    for node_id in order:
        row = view.row[node_id]
        doc = view.documents[view.table.doc_ids[row]]
        start, end = int(view.table.offsets[row][0]), int(view.table.offsets[row][1])
        key = (doc.story or doc.doc_id, " ".join(doc.text[start:end].lower().split()))
        if key not in seen:
            seen.add(key)
            kept.append(node_id)
    return kept


def _window_scores(question: str, view: Snapshot) -> np.ndarray:
    """BM25 of every node's window, in the row order of `view.table` (zeros when none)."""
    query = terms(question)
    if view.windows is None or not query:
        return np.zeros(view.table.size, dtype=np.float32)
    return np.asarray(view.windows.get_scores(query), dtype=np.float32)
