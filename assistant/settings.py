"""The one settings object: defaults, overridden by `ASSISTANT_*` variables and `.env`."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_DIR = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    """Everything a user can tune. Read once at the entry point and passed down."""

    model_config = SettingsConfigDict(
        env_prefix="ASSISTANT_", env_file=".env", extra="ignore", frozen=True
    )

    index_dir: Path = Field(
        default=PROJECT_DIR / "index", description="Folder holding the Chroma index."
    )
    chroma_url: str | None = Field(
        default=None,
        description="URL of a Chroma server (e.g. http://127.0.0.1:8000); unset = embedded store.",
    )
    collection: str = Field(
        default="articles", description="Name prefix of the Chroma collections."
    )

    top_k: int = Field(default=8, ge=1, le=100, description="Passages handed to the answerer.")
    candidates: int = Field(
        default=30,
        ge=1,
        le=500,
        description="Hits taken from each of dense and window BM25 before ranking.",
    )
    dense_weight: float = Field(
        default=0.6,
        ge=0.0,
        le=1.0,
        description="Weight of embedding similarity against window BM25 (scaled to 0..1).",
    )
    rrf_k: int = Field(
        default=60, ge=1, description="Rank-score constant: a passage's fused = 2/(rrf_k+rank+1)."
    )
    max_citations: int = Field(default=3, ge=1, le=10, description="Most citations in an answer.")
    abstain_below: float = Field(
        default=0.5,
        ge=0.0,
        le=1.0,
        description="Abstain when the best passage's answerability (0..1) is below this.",
    )
    max_question_chars: int = Field(default=4000, ge=1, description="Longest question accepted.")
    embed_batch_size: int = Field(default=32, ge=1, description="Sentences embedded per batch.")
    ingest_batch: int = Field(
        default=64,
        ge=1,
        description="Files an ingest embeds and commits together (at most 512 sentences).",
    )
    threads: int = Field(default=0, ge=0, description="onnxruntime threads; 0 = all cores.")

    llm: Literal["auto", "extractive", "openai"] = Field(
        default="auto",
        description="Answering backend: auto = openai when a key or URL is set, else extractive.",
    )
    model: str = Field(default="gpt-4o-mini", description="Model name for the openai backend.")
    openai_api_key: str | None = Field(
        default=None,
        validation_alias=AliasChoices("ASSISTANT_OPENAI_API_KEY", "OPENAI_API_KEY"),
        repr=False,
        description="API key (OPENAI_API_KEY).",
    )
    openai_base_url: str | None = Field(
        default=None,
        validation_alias=AliasChoices("ASSISTANT_OPENAI_BASE_URL", "OPENAI_BASE_URL"),
        description="OpenAI-compatible server URL (OPENAI_BASE_URL).",
    )
    request_timeout: float = Field(default=60.0, gt=0, description="Seconds per LLM request.")
    max_retries: int = Field(default=2, ge=0, le=10, description="Retries of a failed LLM request.")
    fallback: Literal["extractive", "none"] = Field(
        default="extractive", description="What answers when the LLM server fails."
    )

    max_upload_mb: float = Field(default=20.0, gt=0, description="Largest file accepted.")

    fetch_timeout: float = Field(
        default=20.0, gt=0, description="Seconds to fetch one URL (connect and read)."
    )
    fetch_max_mb: float = Field(default=10.0, gt=0, description="Largest page or feed fetched.")
    fetch_max_redirects: int = Field(
        default=5, ge=0, le=20, description="Redirects followed when fetching a URL."
    )
    allow_private_urls: bool = Field(
        default=False,
        description="Fetch loopback, private and link-local addresses too (off: refused).",
    )


def uses_openai(settings: Settings) -> bool:
    """Whether the settings choose the openai backend (`auto`: when a key or a URL is set)."""
    if settings.llm == "openai":
        return True
    return settings.llm == "auto" and bool(settings.openai_api_key or settings.openai_base_url)
