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

import bisect
import contextlib
import fcntl
import hashlib
import json
import math
import os
import shutil
import socket
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property
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
from .windows import window_terms

_CACHE_VERSION = 4
_GENERATION_ID = "generation"
_LOCK_ID = "write-lock"
_ADD_BATCH = 4000  # below Chroma's largest batch (5,461 in a local client)


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
    windows: bm25s.BM25 | None  # over each node's window (assistant/windows.py)

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

    @cached_property
    def _sorted_vocabulary(self) -> list[str]:
        return sorted(self.windows.vocab_dict) if self.windows is not None else []


# What the store derives from the committed nodes: the node table, BM25 over each node's text,
# BM25 over each node's window.
_Derived = tuple[NodeTable, bm25s.BM25 | None, bm25s.BM25 | None]

_EMPTY = Snapshot({}, NodeTable([], [], np.zeros((0, 4), dtype=np.int64), {}), {}, None, None)


class IndexStore:
    """Reads and writes the index; safe to share between threads for reading."""

    def __init__(self, settings: Settings, *, load: bool = True) -> None:
        """Open the index; with `load=False` nothing is read or repaired yet (for doctor)."""
        self.settings = settings
        self.dir = Path(settings.index_dir)
        _ensure_writable(self.dir)
        self._client = _chroma_client(settings, self.dir)
        prefix = settings.collection
        self.nodes = self._client.get_or_create_collection(
            f"{prefix}_nodes", metadata={"hnsw:space": "cosine"}
        )
        self.docs_collection = self._client.get_or_create_collection(f"{prefix}_documents")
        # One record ("generation") that changes whenever committed documents change; with a
        # server it is how app processes that share nothing else notice another's ingest.
        self.meta = self._client.get_or_create_collection(f"{prefix}_meta")
        self.vector_store = ChromaVectorStore(chroma_collection=self.nodes)
        self.snapshot = _EMPTY
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
            fingerprint = _fingerprint(docs)
            cached = self.load_cache(fingerprint)
            if cached is not None:
                table, bm25, windows = cached
                break
            (table, bm25, windows), whole = self._rebuild_cache(fingerprint, docs)
            if whole or attempt == 2:
                break
            # A writer replaced a document between the two reads; read both again.
            docs = self.read_documents()
        row = {n: i for i, n in enumerate(table.ids)}
        self.snapshot = Snapshot(docs, table, row, bm25, windows)

    def read_documents(self) -> dict[str, StoredDocument]:
        """The committed documents, read from Chroma now."""
        got = get_all(self.docs_collection, ["documents", "metadatas"])
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
                published=str(meta.get("published", "")),
                updated=str(meta.get("updated", "")),
                outlet=str(meta.get("outlet", "")),
                url=str(meta.get("url", "")),
                language=str(meta.get("language", "")),
                story=str(meta.get("story", "") or doc_id),
                minhash=str(meta.get("minhash", "")),
            )
        return docs

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
        query = VectorStoreQuery(
            query_embedding=embedding, similarity_top_k=min(k, view.table.size)
        )
        result = self.vector_store.query(query)
        ids = result.ids or []
        sims = result.similarities or [0.0] * len(ids)
        return [(i, _cosine(s)) for i, s in zip(ids, sims, strict=False) if i in view.row]

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
        handle = self._try_lock()
        if handle is None:
            raise AssistantError(
                f"another process is writing to the index at {self.dir}; "
                "wait for it to finish and run the command again."
            )
        self._lock_handle = handle
        self._lock_thread = threading.get_ident()
        lease = _ServerLease(self.meta, str(self.settings.chroma_url)) if self.remote else None
        try:
            if lease is not None:
                lease.acquire()
            yield
        finally:
            if lease is not None:
                lease.release()
            self._lock_handle = None
            self._lock_thread = 0
            fcntl.flock(handle, fcntl.LOCK_UN)
            handle.close()

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
        if recorded != _fingerprint(self.documents):
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

    def cache_path(self, fingerprint: str) -> Path:
        """Where the BM25 cache for this set of committed documents lives."""
        return self.dir / "bm25" / fingerprint[:32]

    def load_cache(self, fingerprint: str) -> _Derived | None:
        """The cached node table and BM25 models for these committed documents, if saved and
        whole."""
        cache = self.cache_path(fingerprint)
        try:
            state = json.loads((cache / "state.json").read_text())
            if state.get("fingerprint") != fingerprint or state.get("version") != _CACHE_VERSION:
                return None
            arrays = np.load(cache / "offsets.npy")
            table = NodeTable(state["ids"], state["doc_ids"], arrays, state["df"])
            if not len(table.ids) == len(table.doc_ids) == arrays.shape[0]:
                return None
            bm25 = windows = None
            if table.size:
                bm25 = bm25s.BM25.load(str(cache / "model"), mmap=False)
                windows = bm25s.BM25.load(str(cache / "windows"), mmap=False)
        except (OSError, ValueError, KeyError, TypeError):
            return None
        return table, bm25, windows

    def committed_nodes(
        self, docs: dict[str, StoredDocument]
    ) -> list[tuple[str, str, dict[str, Any]]]:
        """(id, text, metadata) of every node of a committed version, in document order."""
        committed = {(d.doc_id, d.version) for d in docs.values()}
        got = get_all(self.nodes, ["documents", "metadatas"])
        rows = [
            (node_id, text or "", meta)
            for node_id, text, meta in zip(
                got["ids"], got["documents"] or [], got["metadatas"] or [], strict=False
            )
            if meta and (str(meta.get("article_id")), str(meta.get("version"))) in committed
        ]
        rows.sort(key=lambda r: (str(r[2]["article_id"]), int(r[2]["position"])))
        return rows

    def _rebuild_cache(
        self, fingerprint: str, docs: dict[str, StoredDocument]
    ) -> tuple[_Derived, bool]:
        """Build the table and the BM25 models from the committed nodes; saved only when every
        document has exactly its nodes (else a writer is mid-way or the index needs `assistant
        doctor`)."""
        # Only committed nodes: another process may be adding a document's nodes right now.
        rows = self.committed_nodes(docs)
        per_doc = Counter(str(r[2]["article_id"]) for r in rows)
        whole = all(per_doc.get(d.doc_id, 0) == d.n_nodes for d in docs.values())
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
        bm25 = windows = None
        if rows:
            bm25 = bm25s.BM25()
            bm25.index(tokenized, show_progress=False)
            windows = bm25s.BM25()
            windows.index(window_terms(table, docs, tokenized), show_progress=False)
        if whole:
            self._save_cache(fingerprint, (table, bm25, windows))
        return (table, bm25, windows), whole

    def _save_cache(self, fingerprint: str, derived: _Derived) -> None:
        """Write the cache under a private name, then rename it into place: a process that
        shares the folder sees a whole cache or none. The cache is only a speed-up, so a
        failure to save it is not an error."""
        target = self.cache_path(fingerprint)
        root = target.parent
        tmp = root / f".tmp-{os.getpid()}-{os.urandom(4).hex()}"
        try:
            table, bm25, windows = derived
            tmp.mkdir(parents=True)
            np.save(tmp / "offsets.npy", table.offsets)
            if bm25 is not None and windows is not None:
                bm25.save(str(tmp / "model"))
                windows.save(str(tmp / "windows"))
            state = {
                "version": _CACHE_VERSION,
                "fingerprint": fingerprint,
                "ids": table.ids,
                "doc_ids": table.doc_ids,
                "df": table.df,
            }
            (tmp / "state.json").write_text(json.dumps(state))
            shutil.rmtree(target, ignore_errors=True)
            os.replace(tmp, target)
        except OSError:
            shutil.rmtree(tmp, ignore_errors=True)
            return
        for old in root.iterdir():
            if old.name != target.name and not old.name.startswith(".tmp-"):
                if old.is_dir():
                    shutil.rmtree(old, ignore_errors=True)
                else:
                    old.unlink(missing_ok=True)

    def _read_generation(self) -> str:
        """Changes whenever committed documents change: `fingerprint:random`."""
        if self.remote:
            try:
                got = self.meta.get(ids=[_GENERATION_ID], include=["documents"])
            except Exception as exc:  # the client raises many kinds; all mean the same here
                raise AssistantError(
                    f"lost the Chroma server at {self.settings.chroma_url} ({exc}); check that "
                    "it runs (chroma run --path DIR) and try again."
                ) from None
            return str((got["documents"] or [""])[0] or "")
        try:
            return (self.dir / "generation").read_text()
        except (FileNotFoundError, UnicodeDecodeError):
            return ""

    def announce(self) -> None:
        """Tell other processes that the committed documents changed."""
        token = f"{_fingerprint(self.documents)}:{os.getpid()}-{os.urandom(4).hex()}"
        if self.remote:
            self.meta.upsert(ids=[_GENERATION_ID], documents=[token], embeddings=[[1.0]])
        else:
            tmp = self.dir / f".generation-{os.getpid()}"
            tmp.write_text(token)
            os.replace(tmp, self.dir / "generation")
        self._generation = token

    def _try_lock(self) -> Any:
        handle = open(self.dir / ".write.lock", "a+")  # noqa: SIM115 - held beyond this call
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            return None
        return handle

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
        handle = self._try_lock()
        if handle is None:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
            handle.close()


class _ServerLease:
    """The write lock on a Chroma server, for writers that share no folder: a record that `add`
    creates only when absent (Chroma ignores an `add` of an existing id), renewed while held, and
    taken over once its holder has stopped renewing it (a killed writer)."""

    ttl = 60.0

    def __init__(self, collection: Any, url: str) -> None:
        self.collection = collection
        self.url = url
        self.token = f"{socket.gethostname()}:{os.getpid()}:{os.urandom(6).hex()}"
        self._stop = threading.Event()
        self._renewer: threading.Thread | None = None

    def acquire(self) -> None:
        holder = ""
        for _ in range(3):
            self.collection.add(
                ids=[_LOCK_ID],
                documents=[self.token],
                metadatas=[{"expires": time.time() + self.ttl}],
                embeddings=[[1.0]],
            )
            got = self.collection.get(ids=[_LOCK_ID], include=["documents", "metadatas"])
            holder = str((got["documents"] or [""])[0] or "")
            meta = (got["metadatas"] or [{}])[0] or {}
            if holder == self.token:
                self._renewer = threading.Thread(target=self._renew, daemon=True)
                self._renewer.start()
                return
            if holder and float(meta.get("expires", 0.0)) < time.time():
                # Its holder died: remove that lock (and only that one) and try again.
                self.collection.delete(ids=[_LOCK_ID], where_document={"$contains": holder})
        who = holder.rsplit(":", 1)[0] or "another process"
        raise AssistantError(
            f"another process ({who}) is writing to the index on the Chroma server at "
            f"{self.url}; wait for it to finish and run the command again (a writer that died "
            f"releases it within {self.ttl:.0f} seconds)."
        )

    def _renew(self) -> None:
        while not self._stop.wait(self.ttl / 4):
            with contextlib.suppress(Exception):
                got = self.collection.get(ids=[_LOCK_ID], include=["documents"])
                if (got["documents"] or [""])[0] == self.token:
                    self.collection.update(
                        ids=[_LOCK_ID], metadatas=[{"expires": time.time() + self.ttl}]
                    )

    def release(self) -> None:
        self._stop.set()
        if self._renewer is not None:
            self._renewer.join(timeout=5)
            with contextlib.suppress(Exception):
                self.collection.delete(ids=[_LOCK_ID], where_document={"$contains": self.token})


def get_all(collection: Any, include: list[str], page: int = 5000) -> dict[str, list[Any]]:
    """Every record of a collection, read in pages: one unbounded get of a large collection
    fails inside Chroma ("too many SQL variables")."""
    out: dict[str, list[Any]] = {"ids": [], **{key: [] for key in include}}
    offset = 0
    while True:
        got = collection.get(include=include, limit=page, offset=offset)
        out["ids"].extend(got["ids"])
        for key in include:
            out[key].extend(got[key] or [])
        if len(got["ids"]) < page:
            return out
        offset += page


def _fingerprint(docs: dict[str, StoredDocument]) -> str:
    parts = sorted(f"{d.doc_id}:{d.version}:{d.n_nodes}" for d in docs.values())
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def _ensure_writable(path: Path) -> None:
    try:
        path.mkdir(parents=True, exist_ok=True)
        # A name of its own: processes opening the index at once must not unlink each other's.
        probe = path / f".write-test-{os.getpid()}-{os.urandom(4).hex()}"
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


def _cosine(similarity: float) -> float:
    """Cosine similarity from ChromaVectorStore's score, which is exp(-distance) of the cosine
    distance (1 - cosine). The retriever scores sentences that only BM25 found by their plain
    cosine, so both must be on one scale."""
    return 1.0 + math.log(similarity) if similarity > 0 else -1.0
