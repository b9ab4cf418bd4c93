"""What an answer is: its text, sentences and citations, or an abstention."""

from __future__ import annotations

import re
from dataclasses import replace

from ..types import Answer, AnswerSentence
from .citations import CitationList

ABSTAIN_TEXT = "The articles don't say."
# How an answer starts when the question names what no article mentions (the closest passages
# follow).
NOT_MENTIONED = "The articles don't mention"
_MARKER = re.compile(r"\[(\d+)\]")


def abstention(question: str, backend: str, reason: str = "", text: str = "") -> Answer:
    shown = " ".join(question.split())
    shown = shown if len(shown) <= 200 else shown[:199] + "…"
    return Answer(
        text=text or f"{ABSTAIN_TEXT} Nothing in them answers “{shown}”.",
        citations=[],
        abstained=True,
        backend=backend,
        question=question,
        note=reason,
    )


def listed(found: list[str]) -> str:
    return ", ".join(f"“{w}”" for w in found)


def led(answer: Answer, lead: str) -> Answer:
    """The answer after an uncited first sentence that says the passages may not answer."""
    answer.sentences = [AnswerSentence(lead, []), *answer.sentences]
    answer.text = " ".join(s.text for s in answer.sentences)
    return answer


def answered(
    question: str, backend: str, sentences: list[AnswerSentence], cites: CitationList
) -> Answer:
    """The answer these sentences make, citing `cites`."""
    return Answer(
        text=" ".join(s.text for s in sentences),
        citations=cites.citations,
        abstained=False,
        backend=backend,
        question=question,
        sentences=sentences,
    )


def renumbered(answer: Answer) -> Answer:
    """Renumber citations 1, 2, ... in the order their markers appear in the text (then any a
    sentence cites without a marker); citations neither cites are left out. The text keeps its
    own spacing and lines."""
    order = list(
        dict.fromkeys(
            [int(m.group(1)) for m in _MARKER.finditer(answer.text)]
            + [n for s in answer.sentences for n in s.citations]
        )
    )
    if order == [c.n for c in answer.citations]:
        return answer
    mapping = {old: new for new, old in enumerate(order, start=1)}
    by_old = {c.n: c for c in answer.citations}
    answer.citations = [replace(by_old[old], n=new) for old, new in mapping.items()]

    def renumber(text: str) -> str:
        return _MARKER.sub(lambda m: f"[{mapping.get(int(m.group(1)), m.group(1))}]", text)

    answer.text = renumber(answer.text)
    answer.sentences = [
        AnswerSentence(renumber(s.text), [mapping[n] for n in s.citations], s.supported)
        for s in answer.sentences
    ]
    return answer
    by_old = {c.n: c for c in answer.citations}
    answer.citations = [replace(by_old[old], n=new) for old, new in mapping.items()]
    marker = re.compile(r"\[(\d+)\]")
    answer.sentences = [
        AnswerSentence(
            marker.sub(lambda m: f"[{mapping.get(int(m.group(1)), int(m.group(1)))}]", s.text),
            [mapping[n] for n in s.citations],
            s.supported,
        )
        for s in answer.sentences
    ]
    answer.text = " ".join(s.text for s in answer.sentences)
    return answer
