"""The BM25 side of the index, derived from the committed nodes: the node table, BM25 over each
sentence, and BM25 over each sentence's window, cached on disk under the fingerprint of the
committed documents (so a cache never disagrees with Chroma, and processes sharing a folder never
read each other's half-written cache).

A window is the sentence with its neighbours in the same document, plus the sentence again and
the document's title. A question's words are often spread over a passage ("Which NFL team
represented the AFC at Super Bowl 50?" names the game in one sentence and the team in the
next), while the sentence that answers is still the unit cited.
"""

from __future__ import annotations

import json
import os
import shutil
from collections import Counter
from pathlib import Path
from typing import Any

import bm25s
import numpy as np

from ..text.lexical import terms
from .records import Derived, NodeTable
from ..types import StoredDocument

CACHE_VERSION = 4
WIDTH = 1  # sentences either side


def window_terms(
    table: NodeTable, documents: dict[str, StoredDocument], own_terms: list[list[str]]
) -> list[list[str]]:
    """BM25 terms of every node's window, in the table's row order; `own_terms` are the terms
    of each node's own text (its sentence, led by the speaker of a quote), already computed for
    the sentence BM25."""
    tokenized = []
    for row in range(table.size):
        doc_id = table.doc_ids[row]
        first = last = row
        for step in range(1, WIDTH + 1):
            if row - step >= 0 and table.doc_ids[row - step] == doc_id:
                first = row - step
            if row + step < table.size and table.doc_ids[row + step] == doc_id:
                last = row + step
        document = documents[doc_id]
        own = [t for t in own_terms[row] if t]
        window = document.text[table.offsets[first][0] : table.offsets[last][1]]
        # The sentence's own words count twice, and the title once, like a headline.
        tokenized.append(terms(window) + own + terms(document.title) or [""])
    return tokenized


def cache_path(index_dir: Path, fingerprint: str) -> Path:
    """Where the BM25 cache for this set of committed documents lives."""
    return index_dir / "bm25" / fingerprint[:32]


def load_cache(index_dir: Path, fingerprint: str) -> Derived | None:
    """The cached node table and BM25 models for these committed documents, if saved and
    whole."""
    cache = cache_path(index_dir, fingerprint)
    try:
        state = json.loads((cache / "state.json").read_text())
        if state.get("fingerprint") != fingerprint or state.get("version") != CACHE_VERSION:
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


def build(rows: list[tuple[str, str, dict[str, Any]]], docs: dict[str, StoredDocument]) -> Derived:
    """The table and the BM25 models of these committed nodes ((id, text, metadata), in
    document order)."""
    ids = [r[0] for r in rows]
    doc_ids = [str(r[2]["article_id"]) for r in rows]
    offsets = np.array(
        [[int(r[2][k]) for k in ("start", "end", "speaker_start", "speaker_end")] for r in rows],
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
    return table, bm25, windows


def save_cache(index_dir: Path, fingerprint: str, derived: Derived) -> None:
    """Write the cache under a private name, then rename it into place: a process that
    shares the folder sees a whole cache or none. The cache is only a speed-up, so a
    failure to save it is not an error."""
    target = cache_path(index_dir, fingerprint)
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
            "version": CACHE_VERSION,
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
