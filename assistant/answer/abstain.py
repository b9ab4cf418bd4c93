"""Abstentions that say why: the question's names no article mentions, the words of a yes/no
question the cited passages lack."""

from __future__ import annotations

import re

from ..index import Snapshot
from ..text.lexical import fold, same_word, stem, terms, words
from ..types import Answer
from .kinds import CAPITALISED
from .question import YES_NO, question_terms
from .result import ABSTAIN_TEXT, abstention, listed


def not_answered(question: str, backend: str, view: Snapshot, reason: str = "") -> Answer:
    """The abstention for a question no passage answers; it says which of the question's
    names no article mentions, when some are not ("How did China react?")."""
    missing = names_not_mentioned(question, view)
    if not missing:
        return abstention(question, backend, reason)
    text = f"{ABSTAIN_TEXT[:-1]}: they don't mention {listed(missing)}."
    return abstention(question, backend, reason, text=text)


def names_not_mentioned(question: str, view: Snapshot) -> list[str]:
    """The question's names (capitalised words, not its first) that no article mentions:
    "What is Russia's position on Kashmir?", "Who went to Fort Dusquesne?"."""
    missing: list[str] = []
    if question.upper() == question:
        return missing  # "WHO WARNED ABOUT ...?": capitals that name nothing
    end = -1
    for m in CAPITALISED.finditer(question, 1):
        if view.mentions(m.group(0)):
            continue
        if missing and not question[end : m.start()].strip():
            missing[-1] += question[end : m.end()]  # "World Cup", one name
        else:
            missing.append(m.group(0))
        end = m.end()
    return list(dict.fromkeys(missing))


def words_not_cited(answer: Answer) -> str:
    """The words of a yes/no question that the cited passages lack, as the question has them,
    listed ("" when none).
    The opening "Has" / "Did" is no word to look for, and a word is mentioned by a longer or
    shorter form of it ("India" by "Indian", "Pakistani" by "Pakistan")."""
    opening = YES_NO.match(answer.question)
    asked = answer.question[opening.end() :] if opening else answer.question
    said = words(answer.text)
    missing = {
        t
        for t in question_terms(asked) - set(terms(answer.text))
        if not any(same_word(t, w) for w in said)
    }
    if not missing:
        return ""
    shown = [w for w in dict.fromkeys(re.findall(r"\w+", asked)) if stem(fold(w)) in missing]
    return listed(shown) or "all of the question"
