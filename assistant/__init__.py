"""Question answering over news articles, with exact, checked citations; works offline."""

from .answer import Answer, AnswerSentence
from .answer.citations import Citation
from .errors import AssistantError, LLMError
from .index import StoredDocument
from .ingest import IngestReport
from .service import Assistant
from .settings import Settings

__all__ = [
    "Answer",
    "AnswerSentence",
    "Assistant",
    "AssistantError",
    "Citation",
    "IngestReport",
    "LLMError",
    "Settings",
    "StoredDocument",
]
