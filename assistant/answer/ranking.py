"""Ranking the retrieved passages: which sentence answers, and how likely the index answers at all.

Each passage gets features (embedding similarity, how much of the question's rarer words it and
its neighbours cover, whether it holds the kind of thing asked for, word alignment, the learned
selector's logit when a weight names it); RANKING orders them, ANSWERABILITY (a logistic model
of the best passage) says whether to abstain. Both weight sets live in weights.json, written by
the fitting scripts (bench/fit_answerer.py, bench/calibrate.py).
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from ..index import IndexStore, NodeTable
from ..index.embeddings import MiniLMEmbedding
from ..retrieve import Passage
from ..text.lexical import stem, terms
from .align import Alignment, Window, align
from .kinds import expected_type, names_covered, type_match
from .overview import is_headline
from .question import FRAME, question_terms
from .selector import AnswerSelector, Candidate, shared_selector

WEIGHTS = Path(__file__).with_name("weights.json")


def load_weights(path: Path = WEIGHTS) -> tuple[dict[str, float], dict[str, float]]:
    """(RANKING, ANSWERABILITY) as the fitting scripts wrote them."""
    fitted = json.loads(path.read_text(encoding="utf-8"))
    return dict(fitted["ranking"]), dict(fitted["answerability"])


def save_weights(
    ranking: dict[str, float] | None = None,
    answerability: dict[str, float] | None = None,
    path: Path = WEIGHTS,
) -> None:
    """Replace one or both weight sets in weights.json (what the fitting scripts' --write does)."""
    fitted = json.loads(path.read_text(encoding="utf-8"))
    if ranking is not None:
        fitted["ranking"] = ranking
    if answerability is not None:
        fitted["answerability"] = answerability
    path.write_text(json.dumps(fitted, indent=2) + "\n", encoding="utf-8")


RANKING, ANSWERABILITY = load_weights()


@dataclass(frozen=True)
class Scored:
    passage: Passage
    score: float
    answerability: float
    coverage: float
    features: dict[str, float] = field(default_factory=dict)  # what the score was made of
    anchor: Scored | None = None  # the passage this one was found next to (typed neighbours)


def _statements_share_answerability(scored: list[Scored]) -> list[Scored]:
    """A quotation and the retrieved sentence that names its speaker are one statement: each is
    as likely to answer as the likelier of the two ("Where does Hackett work?" is answered by
    "James Hackett, defence analyst with the IISS, said:" whichever of the two ranks first)."""
    speakers = {
        (s.passage.document.doc_id, s.passage.speaker_start)
        for s in scored
        if s.passage.speaker_start >= 0
    }

    def statements(p: Passage) -> list[tuple[str, int]]:
        """The speakers whose statement `p` is part of: as their quote or as naming them."""
        doc = p.document.doc_id
        return [
            (doc_id, start)
            for doc_id, start in speakers
            if doc_id == doc and (p.speaker_start == start or p.start <= start < p.end)
        ]

    member = [statements(s.passage) for s in scored]
    best: dict[tuple[str, int], float] = {}
    for s, keys in zip(scored, member, strict=True):
        for key in keys:
            best[key] = max(best.get(key, 0.0), s.answerability)
    return [
        replace(s, answerability=max([s.answerability, *(best[k] for k in keys)]))
        for s, keys in zip(scored, member, strict=True)
    ]


def _idf(table: NodeTable, term: str) -> float:
    """How rare a (stemmed) term is among the index's sentences."""
    return math.log(1.0 + max(table.size, 1) / (1.0 + table.df.get(term, 0)))


def _prefer_naming_sentence(question: str, ranked: list[Scored]) -> list[Scored]:
    """A quotation that matches the question only through its speaker ("Who is Mohammad
    Faisal?" and his "Our armed forces ..." quote) gives way to the sentence that names the
    speaker, when that ranks about as high: it is the one that says who they are."""
    if not ranked or not ranked[0].passage.quoted:
        return ranked
    p = ranked[0].passage
    if set(terms(p.text)) & question_terms(question):
        return ranked
    return _promoted(
        ranked,
        lambda other: (
            other.passage.document.doc_id == p.document.doc_id
            and other.passage.start <= p.speaker_start < other.passage.end
        ),
    )


def _promoted(ranked: list[Scored], better: Callable[[Scored], bool]) -> list[Scored]:
    """`ranked` with the first passage ranked about as high as the best for which `better`
    holds put first, if there is one."""
    for other in ranked[1:]:
        if ranked[0].score - other.score > ABOUT_AS_HIGH:
            break
        if better(other):
            return [other] + [r for r in ranked if r is not other]
    return ranked


# Two passages whose scores are this close rank about as high.
ABOUT_AS_HIGH = 1.0


class Ranker:
    """Scores retrieved passages for a question; finds their neighbours in the index."""

    def __init__(
        self, store: IndexStore, embed: MiniLMEmbedding, selector: AnswerSelector | None = None
    ) -> None:
        self.store = store
        self.embed = embed
        self.selector = selector or shared_selector()
        # The learned selector is run only when a fitted weight uses it (the fitting scripts turn
        # it on to measure it).
        self.use_selector = "selector" in RANKING or "selector" in ANSWERABILITY

    @staticmethod
    def coverage(question_terms: set[str], text: str, table: NodeTable) -> float:
        """Share of the question's rarer words (IDF-weighted) that appear in the text."""
        if not question_terms:
            return 0.0
        present = set(terms(text))
        weights = {t: _idf(table, t) for t in question_terms}
        total = sum(weights.values())
        return sum(w for t, w in weights.items() if t in present) / total if total else 0.0

    def locate(self, passage: Passage) -> tuple[NodeTable, int]:
        """The node table the passage was retrieved from, and its row there."""
        view = passage.view or self.store.snapshot
        row = passage.row if passage.row >= 0 else view.row[passage.node_id]
        return view.table, row

    def window(self, passage: Passage) -> tuple[int, int]:
        """[start, end) of the passage with its neighbouring sentences in the same document."""
        table, row = self.locate(passage)
        doc_id = table.doc_ids[row]
        start, end = passage.start, passage.end
        for other in (row - 1, row + 1):
            if 0 <= other < table.size and table.doc_ids[other] == doc_id:
                o_start, o_end = (int(x) for x in table.offsets[other][:2])
                start, end = min(start, o_start), max(end, o_end)
        return start, end

    def features(
        self,
        question: str,
        passage: Passage,
        read: Window,
        alignment: Alignment,
        selector: float = 0.0,
    ) -> dict[str, float]:
        """What the ranking and the answerability model look at, for one passage."""
        q_terms = question_terms(question)
        table, _ = self.locate(passage)
        own = self.coverage(q_terms, passage.text, table)
        with_speaker = self.coverage(q_terms, passage.speaker + " " + passage.text, table)
        window_text = passage.document.text[read.window_start : read.window_end]
        return {
            # The weights were fitted on exp(cosine - 1), Chroma's similarity as llama-index
            # reports it, which spreads the low similarities of short questions less.
            "dense": math.exp(passage.dense - 1.0),
            "coverage": max(own, 0.85 * with_speaker),
            "window_coverage": self.coverage(q_terms, window_text, table),
            "type_match": type_match(expected_type(question), passage, question),
            "fused": passage.fused,
            "align": alignment.sentence,
            "window_align": alignment.window,
            "align_rare": alignment.sentence_rare,
            "window_align_rare": alignment.window_rare,
            "names": names_covered(question, passage),
            # The learned cross-encoder's logit (assistant/answer/selector.py): does it answer?
            "selector": selector,
        }

    def selector_scores(self, question: str, spans: list[Window]) -> list[float]:
        """The selector's logit for each retrieved passage read with its neighbours (zeros when
        it is turned off or its model is not there)."""
        if not self.use_selector or not self.selector.available:
            return [0.0] * len(spans)
        candidates = [
            Candidate(
                w.text[w.start : w.end],
                w.text[w.window_start : w.start],
                w.text[w.end : w.window_end],
            )
            for w in spans
        ]
        return [float(v) for v in self.selector.score(question, candidates)]

    def ranked(self, question: str, passages: list[Passage]) -> list[Scored]:
        """The passages in the order an answer cites them (and a model reads them): by score,
        a story's body before its headline, the sentence naming someone before their quote."""
        scored = self.prefer_body_over_headline(self.score(question, passages))
        return _prefer_naming_sentence(question, scored)

    def score(self, question: str, passages: list[Passage]) -> list[Scored]:
        if not passages:
            return []
        spans = []
        for p in passages:
            start, end = self.window(p)
            spans.append(
                Window(
                    p.document.doc_id,
                    p.document.text,
                    p.start,
                    p.end,
                    start,
                    end,
                    p.speaker_start,
                    p.speaker_end,
                )
            )
        table = self.locate(passages[0])[0]
        # "take place" frames the question; it is not what to look for (as in question_terms).
        # Question words weigh by IDF, as in coverage.
        alignments = align(
            self.embed, FRAME.sub(" ", question), spans, lambda w: _idf(table, stem(w))
        )
        selected = self.selector_scores(question, spans)
        scored = []
        for p, read, alignment, logit in zip(passages, spans, alignments, selected, strict=True):
            f = self.features(question, p, read, alignment, logit)
            raw = ANSWERABILITY["bias"] + sum(
                w * f[name] for name, w in ANSWERABILITY.items() if name != "bias"
            )
            answerability = 1.0 / (1.0 + math.exp(-raw))
            score = sum(w * f[name] for name, w in RANKING.items())
            scored.append(Scored(p, score, answerability, f["coverage"], f))
        scored.sort(key=lambda s: -s.score)
        return _statements_share_answerability(scored)

    def previous(self, passage: Passage) -> Passage | None:
        """The sentence before `passage` in its document, or None."""
        table, row = self.locate(passage)
        if row > 0 and table.doc_ids[row - 1] == table.doc_ids[row]:
            return Passage.of_row(passage.view or self.store.snapshot, row - 1)
        return None

    def previous_start(self, passage: Passage) -> int:
        """Where the sentence before `passage` in its document starts, or -1."""
        before = self.previous(passage)
        return before.start if before is not None else -1

    @staticmethod
    def prefer_body_over_headline(ranked: list[Scored]) -> list[Scored]:
        """A headline restates the article; cite the body sentence that says the same, if any."""
        best = ranked[0]
        if not is_headline(best.passage.document, best.passage.start):
            return ranked
        wanted = set(terms(best.passage.text))
        return _promoted(
            ranked,
            lambda other: (
                other.coverage >= best.coverage
                and not is_headline(other.passage.document, other.passage.start)
                and len(wanted & set(terms(other.passage.text))) >= min(2, len(wanted))
            ),
        )

    def adjacent(self, a: Passage, b: Passage) -> bool:
        """Neighbouring sentences of one paragraph or one quotation."""
        if a.document.doc_id != b.document.doc_id:
            return False
        if abs(self.locate(a)[1] - self.locate(b)[1]) != 1:
            return False
        same_quote = a.speaker_start >= 0 and a.speaker_start == b.speaker_start
        return same_quote or "\n" not in a.document.text[min(a.end, b.end) : max(a.start, b.start)]
