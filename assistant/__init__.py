"""Question answering over news articles, with exact, checked citations; works offline."""

from .errors import AssistantError, LLMError
from .ingest import IngestReport
from .service import Assistant
from .settings import Settings
from .types import Answer, AnswerSentence, Citation, StoredDocument

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
