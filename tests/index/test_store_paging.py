"""Reading a whole collection works past one page (an unbounded Chroma get fails when large)."""

from __future__ import annotations

from pathlib import Path

import chromadb
import numpy as np
from chromadb.config import Settings as ChromaSettings

from assistant.index import get_all


def test_get_all_reads_every_record_across_pages(tmp_path: Path) -> None:
    client = chromadb.PersistentClient(
        path=str(tmp_path), settings=ChromaSettings(anonymized_telemetry=False)
    )
    collection = client.get_or_create_collection("paging")
    ids = [str(i) for i in range(2_345)]
    collection.add(
        ids=ids,
        embeddings=np.array([[1.0, float(i)] for i in range(len(ids))], dtype=np.float32),
        documents=[f"text {i}" for i in ids],
        metadatas=[{"i": int(i)} for i in ids],
    )
    got = get_all(collection, ["documents", "metadatas"], page=1000)
    assert sorted(got["ids"], key=int) == ids
    assert {d for d in got["documents"]} == {f"text {i}" for i in ids}
    assert sorted(m["i"] for m in got["metadatas"]) == list(range(len(ids)))
