"""Near-copies of one story (a wire story reprinted by several outlets, a page saved twice with
other furniture, an article updated in place) found at ingest and grouped as one story.

Each article's words are cut into overlapping 5-word shingles and summarised by a MinHash
signature (datasketch); two articles whose estimated Jaccard similarity reaches THRESHOLD are
copies. A new article joins the story of the first indexed article it copies; otherwise it
starts its own. The signature is stored with the document, so later ingests compare against
it without reading the texts again.
"""

from __future__ import annotations

import re

import numpy as np
from datasketch import MinHash, MinHashLSH

SHINGLE = 5
PERMUTATIONS = 64
SCHEME = "affine32"  # datasketch 2: 32-bit values, as stored
# Estimated Jaccard similarity of shingle sets from which two articles are one story: a reprint
# with other furniture or a changed sentence stays well above it; two stories on one topic
# share few 5-word runs.
THRESHOLD = 0.6
_WORD = re.compile(r"\w+")
# Only lines of prose count: the menus, share buttons and credits each outlet adds are short.
PROSE_WORDS = 10


def signature(text: str) -> str:
    """The MinHash signature of the 5-word shingles of `text`'s lines of prose, as hex (stored
    with the document)."""
    prose = [line for line in text.splitlines() if len(line.split()) >= PROSE_WORDS]
    tokens = [w.lower() for w in _WORD.findall("\n".join(prose) or text)]
    shingles = {" ".join(tokens[i : i + SHINGLE]) for i in range(max(len(tokens) - SHINGLE + 1, 1))}
    sketch = MinHash(num_perm=PERMUTATIONS, seed=1, scheme=SCHEME)
    sketch.update_batch([s.encode("utf-8") for s in shingles])
    return str(sketch.hashvalues.astype(np.uint32).tobytes().hex())


def _sketch(hex_signature: str) -> MinHash:
    values = np.frombuffer(bytes.fromhex(hex_signature), dtype=np.uint32)
    return MinHash(num_perm=PERMUTATIONS, seed=1, hashvalues=values, scheme=SCHEME)


def similarity(a: str, b: str) -> float:
    """Estimated Jaccard similarity of two signatures."""
    return float(_sketch(a).jaccard(_sketch(b)))


class Stories:
    """The index's stories: which document each one's copies join."""

    def __init__(self) -> None:
        self._lsh = MinHashLSH(threshold=THRESHOLD, num_perm=PERMUTATIONS)
        self._signatures: dict[str, str] = {}
        self._story: dict[str, str] = {}

    def add(self, doc_id: str, hex_signature: str, story: str = "") -> str:
        """Record a document; returns its story (the first document it copies, or itself)."""
        if doc_id in self._signatures:
            self.remove(doc_id)
        story = story or self.story_of(hex_signature, doc_id) or doc_id
        self._lsh.insert(doc_id, _sketch(hex_signature))
        self._signatures[doc_id] = hex_signature
        self._story[doc_id] = story
        return story

    def remove(self, doc_id: str) -> None:
        if doc_id in self._signatures:
            self._lsh.remove(doc_id)
            del self._signatures[doc_id]
            del self._story[doc_id]

    def story_of(self, hex_signature: str, doc_id: str = "") -> str:
        """The story an article with this signature copies ("" when none): of the indexed
        articles that pass the threshold, the most similar one's story."""
        sketch = _sketch(hex_signature)
        found = [
            (float(sketch.jaccard(_sketch(self._signatures[other]))), other)
            for other in self._lsh.query(sketch)
            if other != doc_id
        ]
        found = [(s, other) for s, other in found if s >= THRESHOLD]
        return self._story[max(found)[1]] if found else ""
