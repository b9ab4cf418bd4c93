"""Reading the question: its content words, whose words it asks for ("What did X say?"), whether
it asks yes or no, and the form it is searched in."""

from __future__ import annotations

import re

from ..errors import AssistantError
from ..text.lexical import terms
from ..text.vocabulary import SAY_VERBS
from ..types import Answer

# "Where did the talks take place?": the phrase frames the question; it is not what to look for.
FRAME = re.compile(r"\b(take|takes|took|taken|taking)\s+place\b", re.IGNORECASE)


def question_terms(question: str) -> set[str]:
    """The question's content words, as coverage counts them."""
    return set(terms(FRAME.sub(" ", question)))


# "What is X's job?", "What does X do?": asked of a name (capitalised), not of "his".
_ROLE_QUESTION = re.compile(
    r"\s*(?:[Ww]hat|[Ww]hich)\s+(?:is|was)\s+(?P<who>[A-Z][^?]*?)(?:[’']s|(?<=s)[’'])\s+"
    r"(?:current\s+|former\s+)?(?:job|role|position|title|post|office|occupation|profession)"
    r"(?:\s+title)?\s*\??\s*$"
    r"|\s*[Ww]hat\s+(?:does|did)\s+(?P<doer>[A-Z][^?]*?)\s+do(?:\s+for\s+a\s+living)?\s*\??\s*$"
)
AUTHOR_QUESTION = re.compile(
    r"\bwho\s+(wrote|authored|reported|penned)\b|\b(author|byline|writer)\s+of\b|"
    r"\bwho\s+is\s+the\s+(author|writer|reporter|journalist)\b",
    re.IGNORECASE,
)


# "What did X say about ...?", "What has X warned ...?"
_SAY_QUESTION = re.compile(
    rf"\b(?:what|how)\s+(?:else\s+)?(?:did|does|do|has|have|had|will|would|could|might)\s+"
    # "What did voters say yes to?" asks what they voted for, not for their words.
    rf"(?P<who>[^?,;]+?)\s+(?P<verb>{SAY_VERBS})\b(?!\s+(?:yes|no)\b)",
    re.IGNORECASE,
)
AND = re.compile(r"\s+and\s+", re.IGNORECASE)
# "X and Y", "X, Y or Z"; not "&": "Transport & Environment", "Marks & Spencer" are one name.
_PEOPLE_SEPARATOR = re.compile(r"\s*(?:,|\band\b|\bor\b)\s*", re.IGNORECASE)
PRONOUN_ONLY = re.compile(r"(he|she|they|it|we|you|i|one|this|that)", re.IGNORECASE)


# "Did India cancel the deal?": the cited sentences may be on the subject without settling it.
YES_NO = re.compile(
    r"\s*(?:and|so|but)?\s*(?:did|does|do|is|are|was|were|has|have|had|can|could|will|would|"
    r"should|may|might)\b",
    re.IGNORECASE,
)


def _said(question: str) -> re.Match[str] | None:
    """The "What did X say" part of the question, unless X is a pronoun."""
    said = _SAY_QUESTION.search(question)
    who = said.group("who").strip() if said else ""
    return said if said and who and not PRONOUN_ONLY.fullmatch(who) else None


def asked_speaker(question: str) -> tuple[str, str] | None:
    """For "What did X say (warn, claim ...) ...?": (X, the verb), unless X is a pronoun."""
    said = _said(question)
    return (said.group("who").strip(), said.group("verb")) if said else None


def speech_topic(question: str) -> tuple[str, str] | None:
    """For "What did X say about Y?": (X, Y), what to look for among X's words ("Y" for "What
    did X say Y?"); None for other questions and for "What (else) did X say?", which ask
    nothing beyond X's words."""
    said = _said(question)
    if said is None:
        return None
    topic = re.sub(r"^\s*(?:about|of|on|regarding)\b", "", question[said.end() :]).strip(" ?")
    return (said.group("who").strip(), topic) if question_terms(topic) else None


def named_people(who: str) -> list[str]:
    """The people a question names: "Kamal Alam and James Hackett" -> both."""
    return [p.strip() for p in _PEOPLE_SEPARATOR.split(who) if p.strip()]


def searched_form(question: str) -> str:
    """The question as it is searched and ranked: "What is X's job?" and "What does X do?" as
    "Who is X?", which the sentence naming X with their office answers ("X, role, ...")."""
    role = _ROLE_QUESTION.match(question)
    if role:
        return f"Who is {role.group('who') or role.group('doer')}?"
    return question


def as_asked(answer: Answer, question: str) -> Answer:
    """An answer found for `searched_form(question)`, told as the answer to `question`."""
    if answer.question != question:
        # "Nothing in them answers “What is X's job?”", not "... “Who is X?”".
        answer.text = answer.text.replace(f"“{answer.question}”", f"“{question}”")
        answer.question = question
    return answer


_CONTROL = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_REPEATED_PUNCTUATION = re.compile(r"([?!.,;:])\1+")


def tidy_question(question: str) -> str:
    """Drop control characters and terminal escapes, fold '?????' to '?' and runs of spaces."""
    question = _CONTROL.sub(" ", question)
    question = _REPEATED_PUNCTUATION.sub(r"\1", question)
    question = " ".join(question.split())
    if not question:
        raise AssistantError("the question is empty; type a question about the articles.")
    return question
