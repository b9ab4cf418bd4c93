"""Typed neighbours: the sentence next to a passage that holds the date, place or figure asked.

News tells an event in one sentence and its date, place or figure in the next ones; the
neighbour that holds what is asked takes the passage's place in the ranking.
"""

from __future__ import annotations

from dataclasses import replace

from ..retrieve import Passage
from ..text.patterns import NAMED_SUBJECT
from .kinds import PLACE_STRICT, counts_what_is_asked, new_name, type_match
from .ranking import Ranker, Scored

# Typed neighbours: how many top passages may lend their answerability, which sentences are
# looked at (after first: news gives the details after the event), and what each step costs.
_ANCHORS = 3
_NEIGHBOUR_STEPS = (1, 2, -1)
_NEIGHBOUR_COST = 0.5
_NEIGHBOUR_DECAY = 0.9


def with_typed_neighbours(
    ranker: Ranker, question: str, kind: str, ranked: list[Scored], abstain_below: float
) -> list[Scored]:
    """News tells an event in one sentence and its date, place or figure in the next ones
    ("Indian experts visited Pakistan ..." then "... occurred between April 28 and April 30
    in ... Islamabad"). A sentence up to two after (or one before) a passage that answers
    all but the kind asked for, holding that kind, takes that passage's place (a little less
    sure the further it is) and is cited before it."""
    added: dict[tuple[str, int], Scored] = {}
    replaced: set[int] = set()
    for r in ranked[:_ANCHORS]:
        if r.answerability < abstain_below or type_match(kind, r.passage, question) == 1.0:
            continue
        if kind == "place" and new_name(question, r.passage):
            continue  # "he relocated to New York City": a name the question lacks may be it
        table, row = ranker.locate(r.passage)
        for step in _NEIGHBOUR_STEPS:
            other = row + step
            if not (0 <= other < table.size) or table.doc_ids[other] != table.doc_ids[row]:
                continue
            start, end, s_start, s_end = (int(x) for x in table.offsets[other][:4])
            neighbour = replace(
                r.passage,
                node_id=table.ids[other],
                start=start,
                end=end,
                speaker_start=s_start,
                speaker_end=s_end,
                row=other,
                view=r.passage.view,
            )
            typed = (
                PLACE_STRICT.search(neighbour.text)
                if kind == "place"
                else type_match(kind, neighbour) == 1.0
                and (kind != "count" or counts_what_is_asked(question, neighbour.text))
            )
            if not typed or not _same_story(r.passage, neighbour):
                continue
            key = (neighbour.document.doc_id, start)
            candidate = Scored(
                neighbour,
                r.score - _NEIGHBOUR_COST * (abs(step) - 1),
                r.answerability * _NEIGHBOUR_DECAY ** abs(step),
                r.coverage,
                {**r.features, "type_match": 1.0},
                anchor=r,
            )
            if key not in added or added[key].score < candidate.score:
                added[key] = candidate
            replaced.add(id(r))
            break  # the nearest one
    if not added:
        return ranked
    kept = []
    for r in ranked:
        if id(r) in replaced:
            continue
        key = (r.passage.document.doc_id, r.passage.start)
        lent = added.pop(key, None)
        if lent is None:
            kept.append(r)
        elif lent.score >= r.score:  # found as a neighbour: as likely to answer as either
            kept.append(replace(lent, answerability=max(lent.answerability, r.answerability)))
        else:
            kept.append(replace(r, answerability=max(lent.answerability, r.answerability)))
    return sorted([*kept, *added.values()], key=lambda s: -s.score)


def _same_story(anchor: Passage, other: Passage) -> bool:
    """`other` goes on with what `anchor` tells: it does not bring in someone else (another
    speaker, or "Name, role, ..."), and a sentence before the anchor is in its paragraph."""
    if other.speaker_start >= 0 and other.speaker_start != anchor.speaker_start:
        return False
    if NAMED_SUBJECT.match(other.text):
        return False
    if other.start < anchor.start:
        return "\n" not in anchor.document.text[other.end : anchor.start]
    return True
