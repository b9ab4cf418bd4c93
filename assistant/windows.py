"""The text BM25 sees for each sentence node: its window.

A window is the sentence with its neighbours in the same document, plus the sentence again and
the document's title. A question's words are often spread over a passage ("Which NFL team
represented the AFC at Super Bowl 50?" names the game in one sentence and the team in the
next), while the sentence that answers is still the unit cited.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .lexical import terms

if TYPE_CHECKING:
    from .store import NodeTable, StoredDocument

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
