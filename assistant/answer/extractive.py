"""Retrieved passages -> an answer with citations. `extractive` picks sentences; no LLM.

It ranks the passages (ranking.py), routes the question (who wrote it and what the articles are
about: about.py; what someone said: speakers.py; a date, figure or place in the next sentence:
neighbours.py), leads with the best passage and those about as good that add to it
(compose.py), and abstains when even the best passage is unlikely to answer (abstain.py).
"""

from __future__ import annotations

from dataclasses import replace

from ..index import IndexStore
from ..index.embeddings import MiniLMEmbedding
from ..retrieve import Passage
from ..text.lexical import terms
from ..types import Answer
from .about import author_answer, overview_answer
from .abstain import names_not_mentioned, not_answered, words_not_cited
from .compose import compose, led_by_direct, under_heading, with_antecedents
from .direct import counts_the_noun
from .kinds import expected_type, type_match
from .neighbours import with_typed_neighbours
from .overview import overview_kind
from .question import AUTHOR_QUESTION, YES_NO, asked_speaker, named_people, question_terms
from .ranking import ABOUT_AS_HIGH, Ranker, Scored
from .result import NOT_MENTIONED, abstention, led, listed
from .selector import AnswerSelector
from .speakers import attributed, attributed_one, near_mention, unquoted


class ExtractiveAnswerer:
    """Answers with the sentences of the articles themselves."""

    name = "extractive"

    def __init__(
        self,
        store: IndexStore,
        embed: MiniLMEmbedding,
        abstain_below: float,
        max_citations: int,
        selector: AnswerSelector | None = None,
    ) -> None:
        self.store = store
        self.abstain_below = abstain_below
        self.max_citations = max_citations
        self.ranker = Ranker(store, embed, selector)

    def score(self, question: str, passages: list[Passage]) -> list[Scored]:
        """Each passage scored, best first (ranking.Ranker.score)."""
        return self.ranker.score(question, passages)

    def ranked(self, question: str, passages: list[Passage]) -> list[Scored]:
        """The passages in the order an answer cites them (ranking.Ranker.ranked)."""
        return self.ranker.ranked(question, passages)

    def answer(self, question: str, passages: list[Passage]) -> Answer:
        if not passages:
            return abstention(question, self.name, "nothing in the index matches the question")
        if AUTHOR_QUESTION.search(question):
            by_author = author_answer(self.ranker, question, passages, self.name)
            if by_author is not None:
                return by_author
        overview = overview_kind(question)
        if overview is not None:
            return overview_answer(self.ranker, question, overview, passages, self.name)
        ranked = self.ranker.ranked(question, passages)
        asked = asked_speaker(question)
        who = asked[0] if asked else ""
        if asked:
            # "What did X say ...?" is answered by X's words, or not at all.
            theirs = [r for r in ranked if attributed(self.ranker, who, r.passage)]
            if not theirs:
                # Someone's words in a sentence that names X, when none is plainly X's ("...,
                # said Per Holm, a reporter at the Post" for "the Post's reporter"): the
                # likeliest of them, if likely enough.
                theirs = [r for r in ranked if near_mention(r.passage, who)]
                if not theirs or theirs[0].answerability < self.abstain_below:
                    return unquoted(question, self.name, who)
            ranked = theirs
            # "What else did X say?" asks for the same: all of X's words.
            rest = question_terms(question) - set(terms(f"{who} {asked[1]} else"))
            if not rest:  # nothing asked beyond what X said: X's words, in the article's order
                ranked = [
                    replace(r, answerability=max(r.answerability, self.abstain_below))
                    for r in ranked
                ]
                said_all = [r.passage for r in ranked[: self.max_citations]]
                said_all.sort(
                    key=lambda p: (
                        p.document.doc_id != ranked[0].passage.document.doc_id,
                        p.document.doc_id,
                        p.start,
                    )
                )
                return compose(question, with_antecedents(self.ranker, said_all), self.name)
        kind = expected_type(question)
        if kind in ("time", "number", "count", "place"):
            ranked = with_typed_neighbours(self.ranker, question, kind, ranked, self.abstain_below)
        if kind in ("time", "number", "count"):
            # A when / how-many question is only answered by a sentence that holds one.
            ranked = [r for r in ranked if type_match(kind, r.passage, question) == 1.0]
        if kind == "count" and ranked and counts_the_noun(question, ranked[0].passage.text):
            # "five people" for "How many people ...?": the figure asked for, whatever else
            # the sentence's words miss of the question.
            ranked[0] = replace(
                ranked[0], answerability=max(ranked[0].answerability, self.abstain_below)
            )
        if not ranked or ranked[0].answerability < self.abstain_below:
            return not_answered(question, self.name, passages[0].view or self.store.snapshot)
        people = named_people(who)
        if len(people) > 1:  # "What did X and Y say?": the best-ranked words of each
            rows = {
                next(
                    (i for i, r in enumerate(ranked) if attributed_one(self.ranker, p, r.passage)),
                    -1,
                )
                for p in people
            }
            picked = [ranked[i].passage for i in sorted(rows - {-1})][: self.max_citations]
            if picked:  # else "Post and Courier" was one name, not two people
                return compose(question, with_antecedents(self.ranker, picked), self.name)
        best = ranked[0]
        section = under_heading(self.ranker, best.passage, self.max_citations)
        if section:  # "What happens next?" and the heading "What happens next": what follows it
            return compose(question, section, self.name)
        chosen = [best]
        if best.anchor is not None:
            chosen.append(best.anchor)
        covered = set()
        for c in chosen:
            covered |= set(terms(c.passage.speaker + " " + c.passage.text))
        q_terms = question_terms(question)
        for other in ranked[1:]:
            if len(chosen) >= self.max_citations:
                break
            if other.answerability < self.abstain_below or best.score - other.score > ABOUT_AS_HIGH:
                break
            own = set(terms(other.passage.speaker + " " + other.passage.text))
            adds_terms = bool((own - covered) & q_terms)
            if adds_terms or self.ranker.adjacent(best.passage, other.passage):
                chosen.append(other)
                covered |= own
        cited = with_antecedents(self.ranker, [c.passage for c in chosen])
        answer = led_by_direct(compose(question, cited, self.name), question, best.passage)
        # Rather than let the passages pass for a yes or no, or for an answer about something
        # no article mentions, say so first.
        if YES_NO.match(question):
            lacking = words_not_cited(answer)
            lead = "The articles don't say so directly (the closest passages don't mention {}):"
        else:
            lacking = listed(
                names_not_mentioned(question, best.passage.view or self.store.snapshot)
            )
            lead = NOT_MENTIONED + " {}; the closest passages:"
        return led(answer, lead.format(lacking)) if lacking else answer

    def speaker_missing(
        self, question: str, passages: list[Passage], backend: str
    ) -> Answer | None:
        """For "What did X say ...?", the abstention to give when no passage holds X's words,
        nor gives someone's words in a sentence naming X, as `answer` reads them (a model shown
        other people's words would answer with them); else None."""
        asked = asked_speaker(question)
        if asked is None or any(
            attributed(self.ranker, asked[0], p) or near_mention(p, asked[0]) for p in passages
        ):
            return None
        return unquoted(question, backend, asked[0])

    def nothing_else(
        self, question: str, retrieved: list[Passage], fresh: list[Passage], backend: str
    ) -> Answer | None:
        """For "What else did X say?" when the answers before already quoted all of X's words
        that were found (`fresh` is `retrieved` without them): say so, rather than that the
        articles quote nothing by X."""
        if len(fresh) == len(retrieved) or self.speaker_missing(question, fresh, backend) is None:
            return None
        asked = asked_speaker(question)
        if asked is None or self.speaker_missing(question, retrieved, backend) is not None:
            return None
        text = f"The articles quote nothing more by {asked[0]} than the answers above."
        return abstention(question, backend, "all of their words were quoted already", text=text)
