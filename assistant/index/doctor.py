"""`assistant doctor`: check that Chroma and the BM25 cache agree, and repair what does not.

Checks, under the write lock so no ingest runs meanwhile:
- orphan nodes (of a version whose document record was never committed) -> removed;
- documents whose nodes are missing, extra, duplicated or out of the text's bounds -> removed,
  and named so they can be ingested again;
- the BM25 cache unreadable or not matching Chroma's committed nodes -> rebuilt (none saved
  yet for the current documents is fine: it is built on open, and by the repair);
- source files that no longer exist (for a URL, its fetched copy) -> noted (the index keeps
  their text; nothing to repair).
"""

from __future__ import annotations

import shlex
import shutil
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..ingest.fetch import Fetcher, is_url
from ..settings import Settings
from .bm25 import load_cache
from .chroma import get_all
from .records import fingerprint
from ..types import StoredDocument
from .store import IndexStore


@dataclass
class DoctorReport:
    """What the check found and, unless it was only a check, what it did about it."""

    documents: int = 0
    nodes: int = 0
    repaired: bool = False
    orphans: int = 0
    broken: list[tuple[str, str]] = field(default_factory=list)  # (source, what was wrong)
    cache_problem: str = ""
    missing_sources: list[str] = field(default_factory=list)

    @property
    def healthy(self) -> bool:
        """Nothing wrong with the index (a missing source file is only noted)."""
        return not (self.orphans or self.broken or self.cache_problem)

    @property
    def reingest(self) -> list[str]:
        """Sources of removed documents that still exist and can be ingested again."""
        return [s for s, _ in self.broken if Path(s).is_file()]

    def lines(self) -> list[str]:
        verb = "removed" if self.repaired else "found"
        out = [f"checked {self.documents} documents, {self.nodes} nodes"]
        if self.orphans:
            out.append(f"{verb} {self.orphans} orphan nodes (left by an interrupted ingest)")
        for source, problem in self.broken:
            out.append(f"{verb} document {source}: {problem}")
        if self.cache_problem:
            action = "rebuilt" if self.repaired else "needs rebuilding"
            out.append(f"BM25 cache {action}: {self.cache_problem}")
        for source in self.missing_sources:
            out.append(f"note: source file missing: {source} (its text stays in the index)")
        if self.broken and self.repaired:
            again = self.reingest
            if again:
                out.append("re-ingest: assistant ingest " + " ".join(_quote(s) for s in again))
        if self.healthy:
            out.append("the index is healthy")
        elif self.repaired:
            out.append("the index is repaired")
        else:
            out.append("the index needs repair: run assistant doctor")
        return out

    def to_dict(self) -> dict[str, Any]:
        return {
            "documents": self.documents,
            "nodes": self.nodes,
            "healthy": self.healthy,
            "repaired": self.repaired,
            "orphans": self.orphans,
            "broken": [{"source": s, "problem": p} for s, p in self.broken],
            "reingest": self.reingest,
            "cache_problem": self.cache_problem,
            "missing_sources": self.missing_sources,
        }


def doctor(settings: Settings, repair: bool = True) -> DoctorReport:
    """Check the index the settings name; repair it unless `repair` is False."""
    store = IndexStore(settings, load=False)
    report = DoctorReport(repaired=repair)
    with store.locked():
        docs = store.read_documents()
        got = get_all(store.nodes, ["metadatas"])
        committed = {(d.doc_id, d.version) for d in docs.values()}
        orphans: list[str] = []
        by_doc: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for node_id, meta in zip(got["ids"], got["metadatas"] or [], strict=False):
            key = (str((meta or {}).get("article_id")), str((meta or {}).get("version")))
            if key in committed:
                by_doc[key[0]].append(meta or {})
            else:
                orphans.append(node_id)
        report.orphans = len(orphans)
        report.cache_problem = _cache_problem(store, docs)
        broken = {d.doc_id: p for d in docs.values() if (p := _node_problem(d, by_doc[d.doc_id]))}
        report.broken = sorted((docs[i].source, p) for i, p in broken.items())
        fetched = Fetcher(store.settings)
        report.missing_sources = sorted(
            d.source
            for d in docs.values()
            if not (fetched.saved(d.source) if is_url(d.source) else Path(d.source).exists())
        )
        healthy_docs = {i: d for i, d in docs.items() if i not in broken}
        report.documents = len(healthy_docs) if repair else len(docs)
        report.nodes = len(got["ids"]) - (len(orphans) if repair else 0)
        if repair:
            report.nodes -= sum(len(by_doc[i]) for i in broken)
            for doc_id in broken:
                store.delete_document(doc_id)
            if orphans:
                store.remove_orphans(store.read_documents())
        if repair:
            if report.cache_problem:
                shutil.rmtree(store.cache_path(fingerprint(docs)), ignore_errors=True)
            store.reload()
            if not report.healthy:
                store.announce()
    return report


def _node_problem(doc: StoredDocument, metas: list[dict[str, Any]]) -> str:
    """Why a committed document's nodes are not exactly its nodes, or ''."""
    if len(metas) != doc.n_nodes:
        return f"has {len(metas)} of its {doc.n_nodes} nodes"
    positions = sorted(int(m.get("position", -1)) for m in metas)
    if positions != list(range(doc.n_nodes)):
        return "its nodes' positions are not 0..n-1 (duplicated or missing sentences)"
    spans = [(int(m.get("start", -1)), int(m.get("end", -1))) for m in metas]
    if len(set(spans)) != len(spans):
        return "two of its nodes cover the same characters"
    if any(not 0 <= s < e <= len(doc.text) for s, e in spans):
        return "a node's offsets fall outside the document's text"
    return ""


def _cache_problem(store: IndexStore, docs: dict[str, StoredDocument]) -> str:
    """Why the saved BM25 cache does not match Chroma's committed nodes, or ''."""
    named = fingerprint(docs)
    if not store.cache_path(named).exists():
        return ""  # none saved for these documents yet: built on the next open, not an error
    cached = load_cache(store.dir, named)
    if cached is None:
        return "unreadable or of an older format"
    table, bm25, windows = cached
    rows = store.committed_nodes(docs)
    if table.ids != [r[0] for r in rows]:
        return "its nodes differ from Chroma's"
    expected = np.array(
        [[int(r[2][k]) for k in ("start", "end", "speaker_start", "speaker_end")] for r in rows],
        dtype=np.int64,
    ).reshape(-1, 4)
    if not np.array_equal(table.offsets, expected):
        return "its character offsets differ from Chroma's"
    if (bm25 is None) != (not rows) or (windows is None) != (not rows):
        return "a BM25 model is missing"
    return ""


def _quote(source: str) -> str:
    return shlex.quote(source)
