"""The index: sentence nodes in Chroma (dense), a BM25 index derived from the same nodes, and
the cleaned text of every document.

Chroma is the single source of truth. A document is committed when its record lands in the
documents collection, after all its nodes are in; nodes of uncommitted versions are orphans:
queries never see them, and whoever holds the write lock removes them (a writer, `assistant
doctor`, or any process opening an index no one is writing to). The BM25 index and node table are
a cache built from the committed nodes only, stored under a name derived from the set of committed
documents, so the two never disagree, and processes sharing a folder never read each other's
half-written cache.

With a Chroma server (`chroma_url`), every app process keeps its own BM25 cache under its own
index folder; a generation record in Chroma tells them when the committed documents changed, and
a lock record there keeps writers in different folders from writing at once.
"""

from __future__ import annotations

import contextlib
import threading
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
from llama_index.core.schema import BaseNode, TextNode
from llama_index.vector_stores.chroma import ChromaVectorStore

from ..errors import AssistantError
from ..settings import Settings
from ..text.lexical import terms
from ..types import StoredDocument
from . import bm25 as bm25_cache
from .chroma import chroma_client, ensure_writable, get_all, pages
from .coordination import ServerLease, read_generation, try_lock, unlock, write_generation
from .records import (
    EMPTY,
    Derived,
    NodeTable,
    PendingDocument,
    Snapshot,
    document_of_record,
    fingerprint,
)

_ADD_BATCH = 4000  # below Chroma's largest batch (5,461 in a local client)
# The metadata of a node that the node table and BM25 cache are built from.
_NODE_KEYS = ("article_id", "version", "position", "start", "end", "speaker_start", "speaker_end")


class IndexStore:
    """Reads and writes the index; safe to share between threads for reading."""

    def __init__(self, settings: Settings, *, load: bool = True) -> None:
        """Open the index; with `load=False` nothing is read or repaired yet (for doctor)."""
        self.settings = settings
        self.dir = Path(settings.index_dir)
        ensure_writable(self.dir)
        self._client = chroma_client(settings, self.dir)
        prefix = settings.collection
        self.nodes = self._client.get_or_create_collection(
            f"{prefix}_nodes", metadata={"hnsw:space": "cosine"}
        )
        self.docs_collection = self._client.get_or_create_collection(f"{prefix}_documents")
        # One record ("generation") that changes whenever committed documents change; with a
        # server it is how app processes that share nothing else notice another's ingest.
        self.meta = self._client.get_or_create_collection(f"{prefix}_meta")
        self.vector_store = ChromaVectorStore(chroma_collection=self.nodes)
        self.snapshot = EMPTY
        self._generation = ""
        self._lock_handle: Any = None
        self._lock_thread = 0  # the thread that holds the write lock
        self.repairs: list[str] = []
        if load:
            self.reload()

    # ---------------------------------------------------------------- reading
    def reload(self) -> None:
        """Load documents and the BM25 cache from Chroma; remove orphans left by a crash when
        no other process is writing (its nodes in flight would look like orphans)."""
        self._generation = self._read_generation()
        docs = self.read_documents()
        expected = sum(d.n_nodes for d in docs.values())
        if self.nodes.count() != expected:
            with self._repairing() as safe:
                if safe:
                    docs = self.read_documents()
                    self.remove_orphans(docs)
        for attempt in range(3):
            named = fingerprint(docs)
            cached = bm25_cache.load_cache(self.dir, named)
            if cached is not None:
                table, bm25, windows = cached
                break
            (table, bm25, windows), whole = self._rebuild_cache(named, docs)
            if whole or attempt == 2:
                break
            # A writer replaced a document between the two reads; read both again.
            docs = self.read_documents()
        row = {n: i for i, n in enumerate(table.ids)}
        self.snapshot = Snapshot(docs, table, row, bm25, windows)

    def read_documents(self) -> dict[str, StoredDocument]:
        """The committed documents, read from Chroma now."""
        got = get_all(self.docs_collection, ["documents", "metadatas"])
        return {
            doc_id: document_of_record(doc_id, text, meta)
            for doc_id, text, meta in zip(
                got["ids"], got["documents"] or [], got["metadatas"] or [], strict=False
            )
        }

    @property
    def remote(self) -> bool:
        """True when the index lives on a Chroma server rather than in `dir`."""
        return bool(self.settings.chroma_url)

    @property
    def documents(self) -> dict[str, StoredDocument]:
        return self.snapshot.documents

    @property
    def table(self) -> NodeTable:
        return self.snapshot.table

    def refresh_if_changed(self) -> None:
        """Pick up documents another process committed since we last loaded."""
        if self._read_generation() != self._generation:
            self.reload()

    def dense(
        self, embedding: list[float], k: int, view: Snapshot | None = None
    ) -> list[tuple[str, float]]:
        view = view or self.snapshot
        if not view.table.size:
            return []
        # Chroma's query for distances only: ChromaVectorStore.query also fetches every hit's
        # text and metadata and parses llama-index's copy of the node from it, unused here
        # (3-4 ms of a query's 5-6, at any index size).
        got = self.nodes.query(
            query_embeddings=[embedding], n_results=min(k, view.table.size), include=["distances"]
        )
        ids = got["ids"][0] if got["ids"] else []
        distances = got["distances"][0] if got["distances"] else []
        # Chroma's cosine distance is 1 - cosine: the retriever scores sentences that only BM25
        # found by their plain cosine, so both must be on one scale.
        return [(i, 1.0 - d) for i, d in zip(ids, distances, strict=False) if i in view.row]

    def bm25(self, query: str, k: int, view: Snapshot | None = None) -> list[tuple[str, float]]:
        view = view or self.snapshot
        query_terms = terms(query)
        if view.bm25 is None or not query_terms:
            return []
        scores = view.bm25.get_scores(query_terms)
        k = min(k, len(scores))
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top], kind="stable")]
        return [(view.table.ids[i], float(scores[i])) for i in top if scores[i] > 0]

    def embeddings(self, node_ids: list[str]) -> dict[str, np.ndarray]:
        if not node_ids:
            return {}
        got = self.nodes.get(ids=node_ids, include=["embeddings"])
        vectors = got["embeddings"]
        if vectors is None:
            return {}
        return {
            i: np.asarray(v, dtype=np.float32) for i, v in zip(got["ids"], vectors, strict=False)
        }

    def document_of(self, node_id: str) -> StoredDocument:
        return self.snapshot.document_of(node_id)

    def row(self, node_id: str) -> int:
        return self.snapshot.row[node_id]

    def find_source(self, source: str) -> StoredDocument | None:
        return next((d for d in self.documents.values() if d.source == source), None)

    # ---------------------------------------------------------------- writing
    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        """Exclusive write access across processes; a second writer gets a clear error."""
        if self._lock_handle is not None:
            raise AssistantError(
                f"this process is already writing to the index at {self.dir}; "
                "wait for that to finish and try again."
            )
        handle = try_lock(self.dir)
        if handle is None:
            raise AssistantError(
                f"another process is writing to the index at {self.dir}; "
                "wait for it to finish and run the command again."
            )
        self._lock_handle = handle
        self._lock_thread = threading.get_ident()
        lease = ServerLease(self.meta, str(self.settings.chroma_url)) if self.remote else None
        try:
            if lease is not None:
                lease.acquire()
            yield
        finally:
            if lease is not None:
                lease.release()
            self._lock_handle = None
            self._lock_thread = 0
            unlock(handle)

    @contextlib.contextmanager
    def writing(self) -> Iterator[None]:
        """Hold the write lock with the index loaded and free of orphans."""
        with self.locked():
            self.reload()
            self.announce_if_unannounced()
            yield

    def announce_if_unannounced(self) -> None:
        """A writer killed before `finish_writes` committed documents no one was told about;
        tell other processes now."""
        recorded = self._read_generation().split(":", 1)[0]
        if recorded != fingerprint(self.documents):
            self.announce()

    def commit_document(
        self, doc_id: str, version: str, text: str, meta: dict[str, Any], nodes: list[TextNode]
    ) -> None:
        """Add a document version's nodes, then commit its record, then drop older versions."""
        self.commit_documents([PendingDocument(doc_id, version, text, meta, nodes)])

    def commit_documents(self, pending: list[PendingDocument]) -> None:
        """Commit several documents with a few Chroma calls: all their nodes, then all their
        records, then the older versions of each. A crash in between leaves whole documents
        committed and orphan nodes that the next writer removes."""
        nodes = [node for doc in pending for node in doc.nodes]
        for begin in range(0, len(nodes), _ADD_BATCH):
            self.vector_store.add(list[BaseNode](nodes[begin : begin + _ADD_BATCH]))
        for begin in range(0, len(pending), _ADD_BATCH):
            part = pending[begin : begin + _ADD_BATCH]
            self.docs_collection.upsert(
                ids=[d.doc_id for d in part],
                documents=[d.text for d in part],
                embeddings=[[1.0]] * len(part),
                metadatas=[{**d.meta, "version": d.version, "n_nodes": len(d.nodes)} for d in part],
            )
        for doc in pending:
            self.nodes.delete(
                where={"$and": [{"article_id": doc.doc_id}, {"version": {"$ne": doc.version}}]}
            )

    def delete_document(self, doc_id: str) -> None:
        self.docs_collection.delete(ids=[doc_id])
        self.nodes.delete(where={"article_id": doc_id})

    def finish_writes(self) -> None:
        """Rebuild the caches and tell other processes the index changed."""
        self.reload()
        self.announce()

    def remove_orphans(self, docs: dict[str, StoredDocument]) -> int:
        """Delete nodes of versions that were never committed; the caller holds the lock."""
        committed = {(d.doc_id, d.version) for d in docs.values()}
        got = get_all(self.nodes, ["metadatas"])
        orphans = [
            node_id
            for node_id, meta in zip(got["ids"], got["metadatas"] or [], strict=False)
            if (str((meta or {}).get("article_id")), str((meta or {}).get("version")))
            not in committed
        ]
        for begin in range(0, len(orphans), 5000):
            self.nodes.delete(ids=orphans[begin : begin + 5000])
        if orphans:
            self.repairs.append(f"removed {len(orphans)} nodes of an interrupted ingest")
        return len(orphans)

    def cache_path(self, named: str) -> Path:
        """Where the BM25 cache for the committed documents of fingerprint `named` lives."""
        return bm25_cache.cache_path(self.dir, named)

    def committed_nodes(
        self, docs: dict[str, StoredDocument]
    ) -> list[tuple[str, str, dict[str, Any]]]:
        """(id, text, metadata) of every node of a committed version, in document order; the
        metadata only has the keys the node table is built from (_NODE_KEYS): Chroma's also
        holds llama-index's copy of the whole node (_node_content), about 4 kB a node in
        Python objects, 4 GB at a million nodes."""
        committed = {(d.doc_id, d.version) for d in docs.values()}
        rows = []
        for got in pages(self.nodes, ["documents", "metadatas"]):
            for node_id, text, meta in zip(
                got["ids"], got["documents"] or [], got["metadatas"] or [], strict=False
            ):
                if meta and (str(meta.get("article_id")), str(meta.get("version"))) in committed:
                    rows.append(
                        (node_id, text or "", {k: meta[k] for k in _NODE_KEYS if k in meta})
                    )
        rows.sort(key=lambda r: (str(r[2]["article_id"]), int(r[2]["position"])))
        return rows

    def _rebuild_cache(self, named: str, docs: dict[str, StoredDocument]) -> tuple[Derived, bool]:
        """Build the table and the BM25 models from the committed nodes; saved only when every
        document has exactly its nodes (else a writer is mid-way or the index needs `assistant
        doctor`)."""
        # Only committed nodes: another process may be adding a document's nodes right now.
        rows = self.committed_nodes(docs)
        per_doc = Counter(str(r[2]["article_id"]) for r in rows)
        whole = all(per_doc.get(d.doc_id, 0) == d.n_nodes for d in docs.values())
        derived = bm25_cache.build(rows, docs)
        if whole:
            bm25_cache.save_cache(self.dir, named, derived)
        return derived, whole

    def _read_generation(self) -> str:
        return read_generation(self.meta, self.dir, str(self.settings.chroma_url or ""))

    def announce(self) -> None:
        """Tell other processes that the committed documents changed."""
        self._generation = write_generation(
            self.meta, self.dir, self.remote, fingerprint(self.documents)
        )

    @contextlib.contextmanager
    def _repairing(self) -> Iterator[bool]:
        """Yields True when this process may remove orphans: it holds the write lock, or takes
        it because no one else writes. With a server, processes elsewhere may be writing
        without this folder's lock, so only a writer repairs."""
        if self._lock_handle is not None:
            # Only the writing thread: another thread's reload must not take the writer's
            # nodes in flight for orphans.
            yield self._lock_thread == threading.get_ident()
            return
        if self.remote:
            yield False
            return
        handle = try_lock(self.dir)
        if handle is None:
            yield False
            return
        try:
            yield True
        finally:
            unlock(handle)
