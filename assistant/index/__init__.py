"""The index: sentence nodes in Chroma (dense), BM25 derived from the same nodes, the cleaned
text of every document (store.py); what a query reads (records.py); the BM25 caches (bm25.py);
writers and readers across processes (coordination.py); the Chroma client (chroma.py);
`assistant doctor` (doctor.py)."""

from .chroma import get_all
from .records import NodeTable, PendingDocument, Snapshot, fingerprint
from ..types import StoredDocument, node_id
from .store import IndexStore

__all__ = [
    "IndexStore",
    "NodeTable",
    "PendingDocument",
    "Snapshot",
    "StoredDocument",
    "fingerprint",
    "get_all",
    "node_id",
]
