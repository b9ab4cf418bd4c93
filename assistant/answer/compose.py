"""The answer's text: the chosen passages as cited sentences, a quote with its speaker, a
sentence that opens with "It" or "He" with the one before it."""

from __future__ import annotations

import re
from dataclasses import replace

from ..retrieve import Passage
from ..types import Answer, AnswerSentence
from .citations import CitationList, Span
from .direct import direct_span
from .overview import is_subheading
from .ranking import Ranker
from .result import answered, renumbered
from .speakers import named_in, short_name, speaker_name

_REFERS_BACK = re.compile(r"(It|He|She|They|This|These|Its|His|Her|Their)\b")


def _within(inner: Passage, outer: Passage) -> bool:
    """`inner` is a stretch of `outer`'s text."""
    return (
        inner.document.doc_id == outer.document.doc_id
        and outer.start <= inner.start
        and inner.end <= outer.end
    )


# "He stated: " / "She said, " at the start of a quoted sentence.
_ATTRIBUTION = re.compile(r"^(he|she|they|it)\s+\w+\s*[:,]\s*", re.IGNORECASE)


def with_antecedents(ranker: Ranker, passages: list[Passage]) -> list[Passage]:
    """A sentence that opens with "It", "He", "They"... is quoted with the sentence before it
    in its paragraph, which names who or what that is ("It appoints the Commissioners" is
    no answer to "Which body appoints the Commissioners?" without it)."""
    out: list[Passage] = []
    for p in passages:
        if not p.quoted and _REFERS_BACK.match(p.text):
            start = ranker.previous_start(p)
            if start >= 0 and "\n" not in p.document.text[start : p.start]:
                p = replace(p, start=start)
        # One citation per stretch of text, where the first of them stood.
        inside = [i for i, o in enumerate(out) if _within(o, p)]
        if any(_within(p, o) for o in out):
            continue
        if inside:
            out[inside[0]] = p
            out = [o for i, o in enumerate(out) if i not in inside[1:]]
        else:
            out.append(p)
    return out


def under_heading(ranker: Ranker, passage: Passage, most: int) -> list[Passage]:
    """The sentences under a heading inside the article, up to the next one (at most
    max_citations); none when the passage is no such heading."""
    doc = passage.document
    if not is_subheading(doc, passage.start, passage.end):
        return []
    table, row = ranker.locate(passage)
    view = passage.view or ranker.store.snapshot
    found: list[Passage] = []
    for other in range(row + 1, min(row + 1 + most, table.size)):
        start, end = (int(x) for x in table.offsets[other][:2])
        if table.doc_ids[other] != table.doc_ids[row] or is_subheading(doc, start, end):
            break
        found.append(Passage.of_row(view, other))
    return found


def compose(question: str, passages: list[Passage], backend: str) -> Answer:
    cites = CitationList()
    sentences: list[AnswerSentence] = []
    shown: list[tuple[str, int, int]] = []  # spans already in the answer's text
    for p in passages:
        doc = p.document
        n = cites.cite(Span(doc, p.start, p.end))
        if p.quoted:
            body = _ATTRIBUTION.sub("", p.text).strip('“”"«» ')
            name = speaker_name(p.speaker)
            already = named_in(p.speaker, question) or any(
                d == doc.doc_id and s <= p.speaker_start and p.speaker_end <= e for d, s, e in shown
            )
            if already:
                text = f"{short_name(name)} said: “{body}” [{n}]"
                sentences.append(AnswerSentence(text, [n]))
            else:
                speaker_n = cites.cite(Span(doc, p.speaker_start, p.speaker_end))
                text = f"{name} [{speaker_n}] said: “{body}” [{n}]"
                sentences.append(AnswerSentence(text, [speaker_n, n]))
        else:
            sentences.append(AnswerSentence(f"{p.text} [{n}]", [n]))
        shown.append((doc.doc_id, p.start, p.end))
    # Citations are numbered in the order the text shows them.
    return renumbered(answered(question, backend, sentences, cites))


def led_by_direct(answer: Answer, question: str, best: Passage) -> Answer:
    """The answer led by the words of its best passage that answer the question (direct.py),
    cited to that passage, unless its text already opens with them."""
    span = direct_span(question, best)
    if span is None:
        return answer
    start, end = span
    words = best.document.text[start:end]
    if words.lower() in answer.text[: len(words) + 12].lower():
        return answer  # "Kristy Marmorato, the Republican ...": it opens with them already
    n = next(
        (
            c.n
            for c in answer.citations
            if c.source == best.document.source and c.start <= start and end <= c.end
        ),
        0,
    )
    if not n:
        return answer
    answer.direct = words
    answer.sentences = [AnswerSentence(f"{words} [{n}].", [n]), *answer.sentences]
    answer.text = " ".join(s.text for s in answer.sentences)
    return answer
