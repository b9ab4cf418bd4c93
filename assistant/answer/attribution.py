"""Where an answer's words come from, said with it: the other copies of each cited story, the
dates its relative dates mean, and, when it cites several outlets, which outlet says what."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace

from ..index import StoredDocument
from . import Answer, AnswerSentence
from .citations import with_copies, with_dates


def dated(answer: Answer, documents: Mapping[str, StoredDocument]) -> Answer:
    """The answer's citations with the other copies of their story and their relative dates
    resolved; a when-question answered by a relative date ("on Tuesday") also says which day
    that was, by the article's date."""
    answer.citations = with_dates(with_copies(answer.citations, documents))
    answer = attributed(answer)
    if answer.abstained or not answer.citations or not _WHEN.match(answer.question):
        return answer
    first = answer.citations[0]
    if first.dates:
        phrase, meant = first.dates[0].split(": ", 1)
        note = f"(“{phrase}” is {meant}, by the article's date [{first.n}].)"
        answer.text = f"{answer.text} {note}"
        answer.sentences = [*answer.sentences, AnswerSentence(note, [first.n])]
    return answer


_WHEN = re.compile(r"^\s*(?:when|on\s+what\s+day|what\s+day)\b", re.IGNORECASE)


def attributed(answer: Answer) -> Answer:
    """An answer citing several outlets names each sentence's outlet ("North Herald: ..."),
    where the sentence cites one outlet and does not name it already."""
    outlets = {c.n: c.outlet for c in answer.citations}
    if answer.abstained or len({o for o in outlets.values() if o}) < 2:
        return answer
    if answer.text != " ".join(s.text for s in answer.sentences):
        return answer  # a text not made of its sentences: left as it is
    sentences = []
    for s in answer.sentences:
        named = {outlets.get(n, "") for n in s.citations}
        outlet = next(iter(named)) if len(named) == 1 else ""
        if outlet and outlet not in s.text:
            s = replace(s, text=f"{outlet}: {s.text}")
        sentences.append(s)
    return replace(answer, text=" ".join(s.text for s in sentences), sentences=sentences)
