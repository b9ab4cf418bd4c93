"""How closely a passage's words match the question's, word by word, in meaning.

Embedding similarity compares one vector per sentence, so a sentence that shares the question's
topic ranks as high as the one that answers it. Here each question word is matched with the
closest word of the passage, both read in context by the embedding model (its token outputs
before pooling; "late interaction"), and the matches are averaged: "Who was on the receiving end
of a 45-yard pass from Cam Newton?" matches "Newton completed a 45-yard pass to Ted Ginn Jr."
word for word, a sentence about Newton's season only in part. A passage is read with its
neighbouring sentences, so a pronoun or a sentence that continues the one before is read as the
article means it; the score is taken over the sentence's own words and over the whole window.

A question word cut into several word pieces ("Okafor": ok, ##af, ##or) counts once: its score
is the mean of its pieces' best matches. On SQuAD dev these two scores raise the share of
questions whose best-ranked sentence holds the answer from 0.749 to 0.777 (held-out half of
`python -m bench.fit_answerer`). They cost one model run per text read: the retrieved
sentences' windows, overlapping ones of a document merged (about 0.1 s a question on 2 cores;
a text read before is not run again, MiniLMEmbedding.token_vectors keeps them).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ..index.embeddings import MiniLMEmbedding, TokenVectors
from ..text.lexical import FUNCTION_WORDS

# Question words left out of the match are FUNCTION_WORDS, fewer than BM25 leaves out: "would",
# "do", "say", "many" carry meaning here ("What did Hackett say Russia would do?" is answered by
# "Russia would likely weigh carefully ...").

# A window longer than this is not read as one: its sentence is read alone (the model reads at
# most 256 word pieces, about 1,000 characters of English).
MAX_WINDOW_CHARS = 900


@dataclass(frozen=True)
class Window:
    """A sentence, the text read with it and the speaker of its quote ([start, end) each, -1
    when there is no speaker), in one document."""

    doc_id: str
    text: str  # the whole document's text
    start: int
    end: int
    window_start: int
    window_end: int
    speaker_start: int = -1
    speaker_end: int = -1


@dataclass(frozen=True)
class Alignment:
    sentence: float  # mean over question words of the best match among the sentence's words
    window: float  # the same over the words of the sentence and its neighbours
    sentence_rare: float = 0.0  # `sentence`, each question word weighted by `weight(word)`
    window_rare: float = 0.0  # `window`, weighted the same way


def align(
    embed: MiniLMEmbedding,
    question: str,
    spans: list[Window],
    weight: Callable[[str], float] = lambda word: 1.0,
) -> list[Alignment]:
    """One Alignment per span. A quotation's speaker counts as part of its sentence ("What did
    Hackett say ...?" is answered by his quoted words, which do not name him); overlapping
    texts of one document are read as one."""
    if not spans:
        return []
    reads = _reads(spans)
    vectors = embed.token_vectors([question, *(_text_of(spans, read) for read in reads)])
    asked = _content(vectors[0], weight)
    pieces: dict[str, list[tuple[np.ndarray, np.ndarray, np.ndarray]]] = {}
    for (doc_id, a, _), tokens in zip(reads, vectors[1:], strict=True):
        pieces.setdefault(doc_id, []).append(
            (tokens.vectors, tokens.spans[:, 0] + a, tokens.spans[:, 1] + a)
        )
    # Each document's pieces from all its reads, with their spans in the document's text.
    by_doc = {
        doc_id: tuple(np.concatenate([r[i] for r in read]) for i in range(3))
        for doc_id, read in pieces.items()
    }
    out = []
    for span in spans:
        vecs, starts, ends = by_doc[span.doc_id]
        speaker = (starts >= span.speaker_start) & (ends <= span.speaker_end)
        sentence = ((starts >= span.start) & (ends <= span.end)) | speaker
        window = ((starts >= span.window_start) & (ends <= span.window_end)) | speaker
        s_plain, s_rare = _maxsim(asked, vecs[sentence])
        w_plain, w_rare = _maxsim(asked, vecs[window])
        out.append(Alignment(s_plain, w_plain, s_rare, w_rare))
    return out


@dataclass(frozen=True)
class Asked:
    """The question's content words: their pieces' vectors, and which pieces make each word."""

    vectors: np.ndarray
    words: np.ndarray  # for each piece, the index of its word
    weights: np.ndarray  # for each word, how much it counts in the weighted mean


def _content(tokens: TokenVectors, weight: Callable[[str], float]) -> Asked:
    """The question's content words (not function words or punctuation), as pieces grouped by
    word, so a rare name cut into four pieces counts as one word, not four."""
    groups: list[list[int]] = []
    for i, piece in enumerate(tokens.pieces):
        if piece.startswith("##") and groups:
            groups[-1].append(i)
        else:
            groups.append([i])
    keep: list[int] = []
    word_of: list[int] = []
    weights: list[float] = []
    for group in groups:
        word = "".join(tokens.pieces[i].lstrip("#") for i in group)
        if word.isalnum() and word not in FUNCTION_WORDS:
            word_of.extend([len(weights)] * len(group))
            keep.extend(group)
            weights.append(weight(word))
    return Asked(
        tokens.vectors[keep],
        np.array(word_of, dtype=np.int64),
        np.array(weights, dtype=np.float64),
    )


def _maxsim(asked: Asked, passage: np.ndarray) -> tuple[float, float]:
    """Mean over the question's words of how well the passage's closest pieces match them:
    plain, and weighted by the words' weights."""
    if len(passage) == 0 or len(asked.vectors) == 0:
        return 0.0, 0.0
    best = (asked.vectors @ passage.T).max(axis=1)
    per_word = np.bincount(asked.words, weights=best) / np.bincount(asked.words)
    total = float(asked.weights.sum())
    weighted = float(per_word @ asked.weights) / total if total > 0 else float(per_word.mean())
    return float(per_word.mean()), weighted


Read = tuple[str, int, int]  # a document's id, and [start, end) of the text read from it


def _reads(spans: list[Window]) -> list[Read]:
    """The texts to run through the model: windows of one document that overlap or touch are
    merged while the merged text stays within MAX_WINDOW_CHARS; a longer window is cut to its
    sentence."""
    by_doc: dict[str, set[tuple[int, int]]] = {}
    for span in spans:
        ranges = by_doc.setdefault(span.doc_id, set())
        ranges.add(_own_range(span))
        if span.speaker_start >= 0:
            ranges.add((span.speaker_start, span.speaker_end))
    reads: list[Read] = []
    for doc_id, ranges in by_doc.items():
        merged: list[list[int]] = []
        for a, b in sorted(ranges):
            last = merged[-1] if merged else None
            if last and a <= last[1] and max(b, last[1]) - last[0] <= MAX_WINDOW_CHARS:
                last[1] = max(last[1], b)
            else:
                merged.append([a, b])
        reads.extend((doc_id, a, b) for a, b in merged)
    return reads


def _text_of(spans: list[Window], read: Read) -> str:
    text = next(s.text for s in spans if s.doc_id == read[0])
    return text[read[1] : read[2]]


def _own_range(span: Window) -> tuple[int, int]:
    """The window, or the sentence alone when the window is too long to read whole."""
    if span.window_end - span.window_start <= MAX_WINDOW_CHARS:
        return span.window_start, span.window_end
    return span.start, span.end
