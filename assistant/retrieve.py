"""Question -> ranked sentence passages: dense (Chroma) and BM25, fused by reciprocal rank."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from llama_index.core.base.base_retriever import BaseRetriever
from llama_index.core.schema import NodeWithScore, QueryBundle, TextNode

from .embeddings import MiniLMEmbedding
from .store import IndexStore, Snapshot, StoredDocument


@dataclass(frozen=True)
class Passage:
    """A retrieved sentence, located exactly in its document's cleaned text."""

    node_id: str
    document: StoredDocument
    start: int
    end: int
    speaker_start: int
    speaker_end: int
    dense: float  # cosine similarity to the question
    bm25: float
    fused: float
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


class HybridRetriever(BaseRetriever):
    """llama-index retriever over the project's index; nodes carry offsets and raw scores."""

    def __init__(
        self, store: IndexStore, embed: MiniLMEmbedding, top_k: int, candidates: int, rrf_k: int
    ) -> None:
        super().__init__()
        self.store = store
        self.embed = embed
        self.top_k = top_k
        self.candidates = candidates
        self.rrf_k = rrf_k

    def passages(self, question: str, top_k: int | None = None) -> list[Passage]:
        query_vector = self.embed.get_query_embedding(question)
        return self._fuse(question, query_vector, top_k or self.top_k)

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

    def _fuse(self, question: str, query_vector: list[float], top_k: int) -> list[Passage]:
        store = self.store
        view = store.snapshot
        dense = store.dense(query_vector, self.candidates, view)
        lexical = store.bm25(question, self.candidates, view)
        fused: dict[str, float] = {}
        for ranking in (dense, lexical):
            for rank, (node_id, _) in enumerate(ranking):
                fused[node_id] = fused.get(node_id, 0.0) + 1.0 / (self.rrf_k + rank + 1)
        if not fused:
            return []
        dense_scores = dict(dense)
        bm25_scores = dict(lexical)
        order = sorted(fused, key=lambda i: -fused[i])[:top_k]
        missing = [i for i in order if i not in dense_scores]
        if missing:
            q = np.asarray(query_vector, dtype=np.float32)
            for node_id, vector in store.embeddings(missing).items():
                dense_scores[node_id] = float(vector @ q)
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
                    bm25=bm25_scores.get(node_id, 0.0),
                    fused=fused[node_id],
                    rank=rank,
                    row=row,
                    view=view,
                )
            )
        return passages
