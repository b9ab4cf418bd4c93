"""The index: sentence nodes in Chroma (dense), a BM25 index derived from the same nodes, and
the cleaned text of every document.

Chroma is the single source of truth. A document is committed when its record lands in the
documents collection, after all its nodes are in; nodes of uncommitted versions are orphans and
are removed on open. The BM25 index and node table are a cache rebuilt from Chroma whenever the
set of committed documents differs from the one the cache was built for, so the two never
disagree.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import shutil
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import bm25s
import numpy as np
from llama_index.core.schema import BaseNode, TextNode
from llama_index.core.vector_stores.types import VectorStoreQuery
from llama_index.vector_stores.chroma import ChromaVectorStore

from .errors import AssistantError
from .lexical import terms
from .settings import Settings

_CACHE_VERSION = 1


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
    bm25: bm25s.BM25 | None

    def document_of(self, node_id: str) -> StoredDocument:
        return self.documents[self.table.doc_ids[self.row[node_id]]]


_EMPTY = Snapshot({}, NodeTable([], [], np.zeros((0, 4), dtype=np.int64), {}), {}, None)


class IndexStore:
    """Reads and writes the index; safe to share between threads for reading."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.dir = Path(settings.index_dir)
        _ensure_writable(self.dir)
        self._client = _chroma_client(settings, self.dir)
        prefix = settings.collection
        self.nodes = self._client.get_or_create_collection(
            f"{prefix}_nodes", metadata={"hnsw:space": "cosine"}
        )
        self.docs_collection = self._client.get_or_create_collection(f"{prefix}_documents")
        self.vector_store = ChromaVectorStore(chroma_collection=self.nodes)
        self.snapshot = _EMPTY
        self._generation = -1.0
        self.repairs: list[str] = []
        self.reload()

    # ---------------------------------------------------------------- reading
    def reload(self) -> None:
        """Load documents and the BM25 cache from Chroma; repair orphans left by a crash."""
        self._generation = self._read_generation()
        got = self.docs_collection.get(include=["documents", "metadatas"])
        docs: dict[str, StoredDocument] = {}
        for doc_id, text, meta in zip(
            got["ids"], got["documents"] or [], got["metadatas"] or [], strict=False
        ):
            docs[doc_id] = StoredDocument(
                doc_id=doc_id,
                version=str(meta["version"]),
                source=str(meta["source"]),
                title=str(meta.get("title", "")),
                author=str(meta.get("author", "")),
                sha256=str(meta["sha256"]),
                n_nodes=int(meta["n_nodes"]),
                text=text or "",
            )
        expected = sum(d.n_nodes for d in docs.values())
        if self.nodes.count() != expected:
            self._remove_orphans(docs)
        fingerprint = _fingerprint(docs)
        loaded = self._load_cache(fingerprint) or self._rebuild_cache(fingerprint)
        table, bm25 = loaded
        self.snapshot = Snapshot(docs, table, {n: i for i, n in enumerate(table.ids)}, bm25)

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
        query = VectorStoreQuery(
            query_embedding=embedding, similarity_top_k=min(k, view.table.size)
        )
        result = self.vector_store.query(query)
        ids = result.ids or []
        sims = result.similarities or [0.0] * len(ids)
        return [(i, float(s)) for i, s in zip(ids, sims, strict=False) if i in view.row]

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

    def find_hash(self, sha256: str) -> StoredDocument | None:
        return next((d for d in self.documents.values() if d.sha256 == sha256), None)

    # ---------------------------------------------------------------- writing
    @contextlib.contextmanager
    def writing(self) -> Iterator[None]:
        """Exclusive write access across processes; a second writer gets a clear error."""
        lock_path = self.dir / ".write.lock"
        with open(lock_path, "a+") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise AssistantError(
                    f"another process is writing to the index at {self.dir}; "
                    "wait for it to finish and run the command again."
                ) from None
            try:
                self.reload()
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def commit_document(
        self, doc_id: str, version: str, text: str, meta: dict[str, Any], nodes: list[TextNode]
    ) -> None:
        """Add a document version's nodes, then commit its record, then drop older versions."""
        if nodes:
            self.vector_store.add(list[BaseNode](nodes))
        record = {**meta, "version": version, "n_nodes": len(nodes)}
        self.docs_collection.upsert(
            ids=[doc_id], documents=[text], embeddings=[[1.0]], metadatas=[record]
        )
        self.nodes.delete(where={"$and": [{"article_id": doc_id}, {"version": {"$ne": version}}]})

    def delete_document(self, doc_id: str) -> None:
        self.docs_collection.delete(ids=[doc_id])
        self.nodes.delete(where={"article_id": doc_id})

    def finish_writes(self) -> None:
        """Rebuild the caches and tell other processes the index changed."""
        marker = self.dir / "generation"
        marker.write_text(str(os.getpid()) + ":" + os.urandom(4).hex())
        self.reload()

    # ---------------------------------------------------------------- internals
    def _read_generation(self) -> float:
        try:
            return (self.dir / "generation").stat().st_mtime_ns
        except FileNotFoundError:
            return 0.0

    def _remove_orphans(self, docs: dict[str, StoredDocument]) -> None:
        committed = {(d.doc_id, d.version) for d in docs.values()}
        got = self.nodes.get(include=["metadatas"])
        orphans = [
            node_id
            for node_id, meta in zip(got["ids"], got["metadatas"] or [], strict=False)
            if (str(meta.get("article_id")), str(meta.get("version"))) not in committed
        ]
        for begin in range(0, len(orphans), 5000):
            self.nodes.delete(ids=orphans[begin : begin + 5000])
        if orphans:
            self.repairs.append(f"removed {len(orphans)} nodes of an interrupted ingest")

    def _cache_dir(self) -> Path:
        return self.dir / "bm25"

    def _load_cache(self, fingerprint: str) -> tuple[NodeTable, bm25s.BM25 | None] | None:
        cache = self._cache_dir()
        try:
            state = json.loads((cache / "state.json").read_text())
            if state.get("fingerprint") != fingerprint or state.get("version") != _CACHE_VERSION:
                return None
            arrays = np.load(cache / "offsets.npy")
            table = NodeTable(state["ids"], state["doc_ids"], arrays, state["df"])
            bm25 = bm25s.BM25.load(str(cache / "model"), mmap=False) if table.size else None
        except (OSError, ValueError, KeyError):
            return None
        return table, bm25

    def _rebuild_cache(self, fingerprint: str) -> tuple[NodeTable, bm25s.BM25 | None]:
        got = self.nodes.get(include=["documents", "metadatas"])
        rows = sorted(
            zip(got["ids"], got["documents"] or [], got["metadatas"] or [], strict=False),
            key=lambda r: (str(r[2]["article_id"]), int(r[2]["position"])),
        )
        ids = [r[0] for r in rows]
        doc_ids = [str(r[2]["article_id"]) for r in rows]
        offsets = np.array(
            [
                [int(r[2][k]) for k in ("start", "end", "speaker_start", "speaker_end")]
                for r in rows
            ],
            dtype=np.int64,
        ).reshape(-1, 4)
        tokenized = [terms(r[1] or "") or [""] for r in rows]
        df: Counter[str] = Counter()
        for toks in tokenized:
            df.update(set(toks))
        table = NodeTable(ids, doc_ids, offsets, dict(df))
        bm25 = None
        if rows:
            bm25 = bm25s.BM25()
            bm25.index(tokenized, show_progress=False)
        self._save_cache(fingerprint, table, bm25)
        return table, bm25

    def _save_cache(self, fingerprint: str, table: NodeTable, bm25: bm25s.BM25 | None) -> None:
        cache = self._cache_dir()
        tmp = cache.with_name("bm25.tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        np.save(tmp / "offsets.npy", table.offsets)
        if bm25 is not None:
            bm25.save(str(tmp / "model"))
        state = {
            "version": _CACHE_VERSION,
            "fingerprint": fingerprint,
            "ids": table.ids,
            "doc_ids": table.doc_ids,
            "df": table.df,
        }
        (tmp / "state.json").write_text(json.dumps(state))
        shutil.rmtree(cache, ignore_errors=True)
        os.replace(tmp, cache)


def _fingerprint(docs: dict[str, StoredDocument]) -> str:
    parts = sorted(f"{d.doc_id}:{d.version}:{d.n_nodes}" for d in docs.values())
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def _ensure_writable(path: Path) -> None:
    try:
        path.mkdir(parents=True, exist_ok=True)
        probe = path / ".write-test"
        probe.write_text("ok")
        probe.unlink()
    except OSError as exc:
        raise AssistantError(
            f"index folder {path} is not writable ({exc.strerror or exc}); choose another with "
            "--index DIR or ASSISTANT_INDEX_DIR, or fix the folder's permissions."
        ) from None


def _chroma_client(settings: Settings, path: Path) -> Any:
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    if settings.chroma_url:
        from urllib.parse import urlparse

        url = urlparse(settings.chroma_url)
        try:
            return chromadb.HttpClient(
                host=url.hostname or "127.0.0.1",
                port=url.port or 8000,
                ssl=url.scheme == "https",
                settings=chroma_settings,
            )
        except Exception as exc:
            raise AssistantError(
                f"cannot reach the Chroma server at {settings.chroma_url} ({exc}); start it "
                "(chroma run --path DIR) or unset ASSISTANT_CHROMA_URL to use the local index."
            ) from None
    return chromadb.PersistentClient(path=str(path / "chroma"), settings=chroma_settings)
