"""The public API: `Assistant` ties the index, retrieval, answering and chat together."""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from pathlib import Path

from .answer import Answer, ExtractiveAnswerer, abstention
from .chat import History, condense
from .embeddings import MiniLMEmbedding
from .errors import AssistantError
from .ingest import IngestReport, Progress, ingest
from .retrieve import HybridRetriever, Passage
from .settings import Settings
from .store import IndexStore, StoredDocument


class Assistant:
    """Question answering over the articles in one index. Thread-safe for asking."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.embed = MiniLMEmbedding(
            threads=settings.threads, embed_batch_size=settings.embed_batch_size
        )
        self.store = IndexStore(settings)
        self.retriever = HybridRetriever(
            self.store, self.embed, settings.top_k, settings.candidates, settings.rrf_k
        )
        self.extractive = ExtractiveAnswerer(
            self.store, settings.abstain_below, settings.max_citations
        )

    @classmethod
    def open(
        cls, index_dir: str | Path | None = None, settings: Settings | None = None
    ) -> Assistant:
        """Open (creating if needed) the index at `index_dir`, or the one the settings name."""
        settings = settings or Settings()
        if index_dir is not None:
            settings = settings.model_copy(update={"index_dir": Path(index_dir)})
        return cls(settings)

    # ------------------------------------------------------------------ documents
    def ingest(
        self, paths: str | Path | Iterable[str | Path], progress: Progress | None = None
    ) -> IngestReport:
        """Add or update articles (files or folders of .txt, .md, .html)."""
        if isinstance(paths, str | Path):
            paths = [paths]
        return ingest(self.store, self.embed, paths, progress)

    def documents(self) -> list[StoredDocument]:
        self.store.refresh_if_changed()
        return sorted(self.store.documents.values(), key=lambda d: d.title.lower())

    def document(self, source: str | Path) -> StoredDocument:
        """The stored document for a source path; its `.text` is what citations index into."""
        found = self.store.find_source(str(Path(source).resolve())) or self.store.find_source(
            str(source)
        )
        if found is None:
            raise AssistantError(f"{source} is not in the index; ingest it first.")
        return found

    # ------------------------------------------------------------------ asking
    def retrieve(self, question: str) -> list[Passage]:
        self.store.refresh_if_changed()
        return self.retriever.passages(question)

    def ask(self, question: str, history: History | None = None) -> Answer:
        """Answer a question (a follow-up is read in the light of `history`)."""
        started = time.perf_counter()
        question = self._check(question)
        standalone = condense(question, history)
        t0 = time.perf_counter()
        passages = self.retrieve(standalone)
        t1 = time.perf_counter()
        if not self.store.documents:
            answer = abstention(standalone, self.extractive.name, "the index holds no articles")
            answer.note = "The index is empty: ingest articles first (assistant ingest PATH)."
        else:
            answer = self.extractive.answer(standalone, passages)
        t2 = time.perf_counter()
        answer.timings_ms = {
            "retrieve": round((t1 - t0) * 1000, 2),
            "answer": round((t2 - t1) * 1000, 2),
            "total": round((t2 - started) * 1000, 2),
        }
        return answer

    def stream(self, question: str, history: History | None = None) -> Iterator[str | Answer]:
        """Yield pieces of the answer text as they are ready, then the final `Answer`."""
        answer = self.ask(question, history)
        words = answer.text.split(" ")
        for i, word in enumerate(words):
            yield word if i == len(words) - 1 else word + " "
        yield answer

    @property
    def backend(self) -> str:
        return self.extractive.name

    def _check(self, question: str) -> str:
        if not isinstance(question, str) or not question.strip():
            raise AssistantError("the question is empty; type a question about the articles.")
        limit = self.settings.max_question_chars
        if len(question) > limit:
            raise AssistantError(
                f"the question is {len(question):,} characters long; the limit is {limit:,} "
                "(ASSISTANT_MAX_QUESTION_CHARS). Shorten it to the question itself."
            )
        return question.strip()
