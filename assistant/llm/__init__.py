"""Answers written by a language model on any OpenAI-compatible server, citations checked."""

from .answerer import LLMAnswerer
from .client import ChatModel, uses_openai

__all__ = ["ChatModel", "LLMAnswerer", "uses_openai"]
