"""The chat model: any OpenAI-compatible server, through llama-index's `OpenAILike`.

Retries and timeouts are the `openai` client's own (retrying connection errors, timeouts, 408,
409, 429 and 5xx with exponential backoff that honours Retry-After), set from the settings;
llama-index's second retry layer is switched off so a request is never retried twice over.
Every failure leaves here as one `LLMError` naming the server and the setting to fix.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

import httpx
import openai
from llama_index.core.base.llms.types import ChatMessage
from llama_index.llms.openai_like import OpenAILike

from ..errors import LLMError
from ..settings import Settings, uses_openai

OPENAI_URL = "https://api.openai.com/v1"
# Local servers need no key, but the openai client insists on one.
NO_KEY = "no-key-needed"
MAX_ANSWER_TOKENS = 600
_URL_SETTING = "ASSISTANT_OPENAI_BASE_URL (or OPENAI_BASE_URL)"
_KEY_SETTING = "OPENAI_API_KEY (or ASSISTANT_OPENAI_API_KEY)"

__all__ = ["ChatModel", "shown_url", "uses_openai"]


def shown_url(url: str) -> str:
    """The URL without any user:password part, for messages."""
    return re.sub(r"//[^/@\s]*@", "//", url).rstrip("/")


class ChatModel:
    """One model on one server; `complete` and `stream` raise only `LLMError`."""

    def __init__(self, settings: Settings) -> None:
        if not settings.openai_api_key and not settings.openai_base_url:
            raise LLMError(
                "the openai backend needs an API key or a server: set "
                f"{_KEY_SETTING}, or {_URL_SETTING} for a local OpenAI-compatible server, "
                "or ASSISTANT_LLM=extractive to answer offline."
            )
        self.settings = settings
        self.model = settings.model
        self.url = shown_url(settings.openai_base_url or OPENAI_URL)
        self._key = settings.openai_api_key or NO_KEY
        # base_url and api_key are always passed: the client would otherwise read the
        # environment, and the settings are the one place configuration comes from.
        self.client = openai.OpenAI(
            api_key=self._key,
            base_url=settings.openai_base_url or OPENAI_URL,
            timeout=settings.request_timeout,
            max_retries=settings.max_retries,
        )
        self.llm = OpenAILike(
            model=settings.model,
            api_base=settings.openai_base_url or OPENAI_URL,
            api_key=self._key,
            is_chat_model=True,
            temperature=0.0,
            max_tokens=MAX_ANSWER_TOKENS,
            timeout=settings.request_timeout,
            max_retries=0,
            openai_client=self.client,  # type: ignore[call-arg]  # OpenAI.__init__ takes it
        )

    @property
    def name(self) -> str:
        return f"openai:{self.model}"

    def complete(self, messages: Sequence[ChatMessage]) -> str:
        try:
            return self.llm.chat(messages).message.content or ""
        except (openai.OpenAIError, httpx.HTTPError) as exc:
            raise self.error(exc) from exc

    def stream(self, messages: Sequence[ChatMessage]) -> Iterator[str]:
        """The answer's text as the server sends it."""
        try:
            for response in self.llm.stream_chat(messages):
                if response.delta:
                    yield response.delta
        except (openai.OpenAIError, httpx.HTTPError) as exc:
            raise self.error(exc) from exc

    def error(self, exc: BaseException) -> LLMError:
        """One line naming the server, what went wrong and the setting to fix; never the key."""
        where = f"the model server at {self.url}"
        retried = self.settings.max_retries
        tries = f" (tried {retried + 1} times; ASSISTANT_MAX_RETRIES)" if retried else ""
        if isinstance(exc, httpx.TimeoutException):  # raised mid-stream, not retried
            text = (
                f"{where} stopped sending mid-answer for {self.settings.request_timeout:g} s; "
                "ask again, or raise ASSISTANT_REQUEST_TIMEOUT."
            )
        elif isinstance(exc, openai.APITimeoutError):
            text = (
                f"{where} did not answer within {self.settings.request_timeout:g} s{tries}; "
                "raise ASSISTANT_REQUEST_TIMEOUT or check the server."
            )
        elif isinstance(exc, openai.APIConnectionError):
            text = f"cannot connect to {where}{tries}; start the server or fix {_URL_SETTING}."
        elif isinstance(exc, openai.AuthenticationError | openai.PermissionDeniedError):
            text = (
                f"{where} refused the API key (HTTP {exc.status_code}); set a valid {_KEY_SETTING}."
            )
        elif isinstance(exc, openai.NotFoundError):
            text = (
                f"{where} has no model '{self.model}' (HTTP 404){self._models_hint()}; "
                f"set ASSISTANT_MODEL to a model it serves, or check {_URL_SETTING} "
                "(it usually ends in /v1)."
            )
        elif isinstance(exc, openai.RateLimitError):
            text = (
                f"{where} is rate-limiting requests (HTTP 429){tries}; wait and ask again, "
                "or raise ASSISTANT_MAX_RETRIES."
            )
        elif isinstance(exc, openai.APIStatusError) and exc.status_code >= 500:
            text = (
                f"{where} failed (HTTP {exc.status_code}){tries}; check the server, or "
                f"point {_URL_SETTING} at another."
            )
        elif isinstance(exc, openai.APIStatusError):
            text = (
                f"{where} rejected the request (HTTP {exc.status_code}: "
                f"{_short(str(exc.message))}); check ASSISTANT_MODEL and {_URL_SETTING}."
            )
        elif isinstance(exc, httpx.HTTPError):
            text = f"the connection to {where} broke off ({type(exc).__name__}); ask again."
        else:
            text = f"{where} failed ({type(exc).__name__}: {_short(str(exc))})."
        return LLMError(self._redact(text))

    def _models_hint(self) -> str:
        try:
            fast = self.client.with_options(
                max_retries=0, timeout=min(5.0, self.settings.request_timeout)
            )
            names = [m.id for m in fast.models.list()]
        except Exception:  # the hint is a courtesy; the 404 is the error
            return ""
        if not names:
            return ""
        listed = ", ".join(names[:5]) + (", ..." if len(names) > 5 else "")
        return f"; it serves: {listed}"

    def _redact(self, text: str) -> str:
        text = " ".join(text.split())
        if self._key and self._key != NO_KEY:
            text = text.replace(self._key, "***")
        return text


def _short(text: str, limit: int = 160) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
