"""Follow-up questions -> standalone questions, using the conversation so far (offline)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

History = Sequence[str | Mapping[str, Any] | Sequence[Any]]

_PRONOUNS = re.compile(r"\b(he|she|him|his|her|hers|they|them|their)\b", re.IGNORECASE)
# Runs of capitalised words: names of people, organisations and places.
_NAME = re.compile(r"\b[A-Z][\w’'-]+(?:\s+(?:of|the|for|de|van|al)?\s*[A-Z][\w’'-]+)*")
_NOT_NAMES = {
    "who",
    "what",
    "when",
    "where",
    "which",
    "why",
    "how",
    "is",
    "are",
    "was",
    "did",
    "does",
    "do",
    "the",
    "a",
    "an",
    "in",
    "tell",
    "and",
    "but",
    "so",
    "i",
    "can",
}


def user_turns(history: History | None) -> list[str]:
    """Earlier user questions, oldest first, from strings, role dicts or (user, bot) pairs."""
    turns: list[str] = []
    for item in history or []:
        if isinstance(item, str):
            turns.append(item)
        elif isinstance(item, Mapping):
            if item.get("role") == "user" and isinstance(item.get("content"), str):
                turns.append(item["content"])
        elif isinstance(item, Sequence) and item and isinstance(item[0], str):
            turns.append(item[0])
    return turns


def last_name(text: str) -> str | None:
    names = []
    for match in _NAME.finditer(text):
        words = match.group(0).split()
        while words and words[0].lower() in _NOT_NAMES:
            words.pop(0)
        if words:
            names.append(" ".join(words))
    return names[-1] if names else None


def condense(question: str, history: History | None) -> str:
    """Replace a pronoun pointing back at the conversation with the name it stands for."""
    if not _PRONOUNS.search(question):
        return question
    for turn in reversed(user_turns(history)):
        name = last_name(turn)
        if name:
            pronoun = _PRONOUNS.search(question)
            assert pronoun is not None
            return (
                question[: pronoun.start()]
                + _replace(pronoun.group(1), name)
                + question[pronoun.end() :]
            )
    return question


def _replace(pronoun: str, name: str) -> str:
    if pronoun.lower() in {"his", "their", "hers"}:
        return f"{name}’s"
    return name
