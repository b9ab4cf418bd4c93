"""Retrieved passages -> an answer with citations, with no LLM (extractive.py routes, ranking.py
ranks, compose.py writes); the answer types every backend returns (result.py)."""

from ..types import Answer, AnswerSentence
from .abstain import not_answered
from .extractive import ExtractiveAnswerer
from .question import as_asked, searched_form, speech_topic, tidy_question
from .ranking import ANSWERABILITY, RANKING, Scored
from .result import ABSTAIN_TEXT, NOT_MENTIONED, abstention

__all__ = [
    "ABSTAIN_TEXT",
    "ANSWERABILITY",
    "NOT_MENTIONED",
    "RANKING",
    "Answer",
    "AnswerSentence",
    "ExtractiveAnswerer",
    "Scored",
    "abstention",
    "as_asked",
    "not_answered",
    "searched_form",
    "speech_topic",
    "tidy_question",
]
