"""The hybrid retriever over a real index of the bundled article."""

from __future__ import annotations

import numpy as np

from assistant import Assistant
from assistant.retrieve import HybridRetriever


def test_every_passage_is_scored_by_its_cosine_whichever_search_found_it(
    bundled: Assistant,
) -> None:
    # Few candidates from each search, so some passages are found by BM25 alone: their
    # similarity to the question must be on the scale of those Chroma found, or the mix ranks
    # them below sentences that are further from the question.
    retriever = HybridRetriever(bundled.store, bundled.embed, top_k=12, candidates=4, rrf_k=60)
    question = "Who warned about Russia's reaction to the arms deal?"
    passages = retriever.passages(question)
    query = bundled.embed.get_query_embedding(question)
    dense_ids = {i for i, _ in bundled.store.dense(query, 4)}
    assert any(p.node_id not in dense_ids for p in passages)  # both searches contributed
    assert any(p.node_id in dense_ids for p in passages)
    q = np.asarray(query, dtype=np.float32)
    vectors = bundled.store.embeddings([p.node_id for p in passages])
    for p in passages:
        assert abs(p.dense - float(vectors[p.node_id] @ q)) < 1e-4, p.text
