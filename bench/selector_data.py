"""Question / candidate-sentence pairs for the answer selector, from SQuAD's dev split only.

Which articles serve what (positions in each file's `data`, as bench/common.py numbers them):
- v1.1 articles at positions 0, 4, 8, ... (dev, position % 4 == 0): the selector trains on them;
- v1.1 articles at positions 2, 6, 10, ... (dev, position % 4 == 2): never trained on; the
  selector is measured there, and the answerer's weights that use it are fitted there;
- odd positions are holdout: never read here;
- v2.0 unanswerable questions train only when their article is at an even position of the v2.0
  file (dev) *and* a training article of v1.1 (many v2.0 dev articles are v1.1 holdout ones).

Candidates are what the answerer reads at run time: sentences of the bench's cached index of every
v1.1 paragraph (the project's own sentence splitter and ingest), each with the sentences before and
after it in its paragraph (ExtractiveAnswerer.window). A sentence is a positive when it holds a
gold answer (as bench.fit_answerer labels them). For each answerable question: its positives, up
to HARD retrieved non-answers (what the project's retriever returns for it, from its own paragraph
or others: the sentences the hand-fitted ranking most often puts first wrongly), and up to EASY
other sentences of its paragraph. For an unanswerable question: up to HARD retrieved sentences and
EASY sentences of its paragraph, all negatives. Retrieved sentences of paragraphs outside the
training articles are left out, so no measured or holdout text is trained on.
"""

from __future__ import annotations

import functools
import random
from collections.abc import Iterator
from dataclasses import dataclass

from assistant import Assistant
from assistant.answer.selector import Candidate

from .common import (
    SQUAD_V1,
    SQUAD_V2,
    CorpusIndex,
    Progress,
    Question,
    Squad,
    in_split,
    load_squad,
)

HARD = 6
EASY = 2


@functools.cache
def _v1_positions() -> dict[str, int]:
    return {title: i for i, title in enumerate(load_squad(SQUAD_V1).titles)}


def selector_trained_on(title: str) -> bool:
    """The selector trained on this article's questions and sentences (v1.1 or v2.0 title)."""
    position = _v1_positions().get(title)
    return position is not None and selector_part(position) == "train"


def selector_part(article: int) -> str:
    """What a v1.1 article serves: `train`, `measure` (dev, never trained on) or `holdout`."""
    if not in_split(article, "dev"):
        return "holdout"
    return "train" if article % 4 == 0 else "measure"


@dataclass(frozen=True)
class Pair:
    qid: str
    question: str
    candidate: Candidate
    label: float
    kind: str  # positive, hard, easy, impossible-hard, impossible-easy


class Paragraphs:
    """The index's sentences of each v1.1 paragraph, as candidates with their neighbours."""

    def __init__(self, index: CorpusIndex) -> None:
        view = index.assistant.store.snapshot
        self.view = view
        self.paragraph_of_doc = {
            doc_id: CorpusIndex.paragraph(d.source) for doc_id, d in view.documents.items()
        }
        self.rows: dict[int, list[int]] = {}
        for row, doc_id in enumerate(view.table.doc_ids):
            self.rows.setdefault(self.paragraph_of_doc[doc_id], []).append(row)

    def candidate(self, row: int) -> Candidate:
        view = self.view
        doc_id = view.table.doc_ids[row]
        text = view.documents[doc_id].text
        start, end = (int(x) for x in view.table.offsets[row][:2])
        before = after = ""
        if row > 0 and view.table.doc_ids[row - 1] == doc_id:
            s, e = (int(x) for x in view.table.offsets[row - 1][:2])
            before = text[s:e]
        if row + 1 < view.table.size and view.table.doc_ids[row + 1] == doc_id:
            s, e = (int(x) for x in view.table.offsets[row + 1][:2])
            after = text[s:e]
        return Candidate(text[start:end], before, after)

    def paragraph_of_row(self, row: int) -> int:
        return self.paragraph_of_doc[self.view.table.doc_ids[row]]


def holds_answer(text: str, answers: tuple[str, ...]) -> bool:
    low = text.lower()
    return any(a.lower() in low for a in answers)


def retrieved_rows(assistant: Assistant, question: str) -> list[int]:
    return [p.row for p in assistant.retrieve(question)]


def training_pairs(index: CorpusIndex, seed: int = 0) -> tuple[list[Pair], dict[str, int]]:
    """Every training pair (shuffled with `seed`) and how many of each kind."""
    rng = random.Random(seed)
    squad1 = load_squad(SQUAD_V1)
    squad2 = load_squad(SQUAD_V2)
    paragraphs = Paragraphs(index)
    train_articles = {i for i in range(len(squad1.titles)) if selector_part(i) == "train"}
    train_paragraphs = {p for p, a in enumerate(squad1.article_of) if a in train_articles}
    v1_paragraph = {text: p for p, text in enumerate(squad1.contexts)}
    questions = [q for q in squad1.questions if q.article in train_articles]
    v1_titles = {t: i for i, t in enumerate(squad1.titles)}
    impossible = [
        q
        for q in squad2.questions
        if q.impossible
        and in_split(q.article, "dev")
        and v1_titles.get(squad2.titles[q.article]) in train_articles
        and squad2.contexts[q.paragraph] in v1_paragraph
    ]
    pairs: list[Pair] = []
    bar = Progress(len(questions) + len(impossible), "selector pairs")
    done = 0
    for q in questions:
        pairs.extend(_answerable(q, index, paragraphs, train_paragraphs, rng))
        done += 1
        bar.update(done)
    for q in impossible:
        own = v1_paragraph[squad2.contexts[q.paragraph]]
        pairs.extend(_unanswerable(q, own, index, paragraphs, train_paragraphs, rng))
        done += 1
        bar.update(done)
    rng.shuffle(pairs)
    counts: dict[str, int] = {}
    for p in pairs:
        counts[p.kind] = counts.get(p.kind, 0) + 1
    return pairs, counts


def _answerable(
    q: Question,
    index: CorpusIndex,
    paragraphs: Paragraphs,
    allowed: set[int],
    rng: random.Random,
) -> Iterator[Pair]:
    own = paragraphs.rows.get(q.paragraph, [])
    positives = [r for r in own if holds_answer(paragraphs.candidate(r).sentence, q.answers)]
    if not positives:  # the answer runs across sentences: nothing to point at
        return
    for r in positives:
        yield Pair(q.qid, q.text, paragraphs.candidate(r), 1.0, "positive")
    seen = set(positives)
    hard = 0
    for r in retrieved_rows(index.assistant, q.text):
        if r in seen or paragraphs.paragraph_of_row(r) not in allowed:
            continue
        seen.add(r)
        c = paragraphs.candidate(r)
        if holds_answer(c.sentence, q.answers):
            continue  # another sentence that holds the answer's words: not a clean negative
        yield Pair(q.qid, q.text, c, 0.0, "hard")
        hard += 1
        if hard >= HARD:
            break
    rest = [r for r in own if r not in seen]
    for r in rng.sample(rest, min(EASY, len(rest))):
        yield Pair(q.qid, q.text, paragraphs.candidate(r), 0.0, "easy")


def _unanswerable(
    q: Question,
    paragraph: int,
    index: CorpusIndex,
    paragraphs: Paragraphs,
    allowed: set[int],
    rng: random.Random,
) -> Iterator[Pair]:
    seen: set[int] = set()
    for r in retrieved_rows(index.assistant, q.text):
        if paragraphs.paragraph_of_row(r) not in allowed:
            continue
        seen.add(r)
        yield Pair(q.qid, q.text, paragraphs.candidate(r), 0.0, "impossible-hard")
        if len(seen) >= HARD:
            break
    rest = [r for r in paragraphs.rows.get(paragraph, []) if r not in seen]
    for r in rng.sample(rest, min(EASY, len(rest))):
        yield Pair(q.qid, q.text, paragraphs.candidate(r), 0.0, "impossible-easy")


def measure_questions(squad: Squad) -> list[Question]:
    """The answerable v1.1 dev questions the selector never trained on."""
    return [q for q in squad.questions if selector_part(q.article) == "measure"]
