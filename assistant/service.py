"""The public API: `Assistant` ties the index, retrieval, answering and chat together."""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from dataclasses import asdict
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from .answer import (
    Answer,
    ExtractiveAnswerer,
    abstention,
    as_asked,
    not_answered,
    searched_form,
    speech_topic,
    tidy_question,
)
from .answer.across import agreement, compound, each_article, in_common, joined, other_story
from .answer.attribution import dated
from .answer.overview import SUMMARY_SENTENCES, articles, lead_passages, overview_kind, topic_terms
from .conversation import History, condense, not_said_before
from .errors import AssistantError, LLMError
from .index import IndexStore, StoredDocument
from .index.embeddings import MiniLMEmbedding
from .ingest import IngestReport, Progress, ingest
from .ingest.fetch import Fetcher
from .ingest.history import Version, versions
from .retrieve import HybridRetriever, Passage
from .retrieve.filters import Filters, merged
from .retrieve.news import as_of, led_by, newest_first
from .retrieve.news import read as read_news
from .settings import Settings, uses_openai

if TYPE_CHECKING:  # the openai client is imported only when a model answers
    from .llm import LLMAnswerer


class Assistant:
    """Question answering over the articles in one index. Thread-safe for asking."""

    def __init__(self, settings: Settings | None = None) -> None:
        """The settings default to the environment's (and `.env`'s), as `Assistant.open()`."""
        settings = settings or Settings()
        self.settings = settings
        self.embed = MiniLMEmbedding(
            threads=settings.threads, embed_batch_size=settings.embed_batch_size
        )
        self.store = IndexStore(settings)
        self.retriever = HybridRetriever(
            self.store, self.embed, settings.top_k, settings.candidates, settings.rrf_k
        )
        self.extractive = ExtractiveAnswerer(
            self.store, self.embed, settings.abstain_below, settings.max_citations
        )
        # The model answers when the settings name a server or a key; else the extractive
        # answerer does. Credentials missing for an explicit `llm=openai` fail here, early.
        self.llm: LLMAnswerer | None = None
        if uses_openai(settings):
            from .llm import ChatModel, LLMAnswerer

            self.llm = LLMAnswerer(ChatModel(settings), self.store, self.embed)

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
        """Add or update articles: files or folders of .txt, .md, .html, feeds (.xml, .rss,
        .atom), and http(s) URLs of pages or feeds."""
        if isinstance(paths, str | Path):
            paths = [paths]
        try:
            fetcher = Fetcher(self.settings)
            return ingest(
                self.store, self.embed, paths, progress, self.settings.ingest_batch, fetcher
            )
        finally:
            self.embed.release_workers()

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

    def history(self, source: str | Path) -> list[Version]:
        """The earlier versions of a document that later ingests replaced, oldest first."""
        return versions(self.settings.index_dir, self.document(source).doc_id)

    # ------------------------------------------------------------------ asking
    def retrieve(self, question: str, filters: Filters | None = None) -> list[Passage]:
        """The passages retrieved for `question`, from the articles `filters` keep."""
        self.store.refresh_if_changed()
        allowed = filters.documents(self.store.snapshot.documents) if filters else None
        return self.retriever.passages(question, allowed=allowed)

    def ask(
        self,
        question: str,
        history: History | None = None,
        *,
        since: str | date | None = None,
        until: str | date | None = None,
        outlet: str | None = None,
        author: str | None = None,
    ) -> Answer:
        """Answer a question (a follow-up is read in the light of `history`), from the articles
        published `since` .. `until` (ISO dates, inclusive), by `outlet`, by `author`, when
        given; an undated article is left out by a date filter."""
        filters = Filters.of(since, until, outlet, author)
        across = self._across(question, history, filters)
        if across is not None:
            return across
        if self.llm is None:
            return self._extractive(question, history, time.perf_counter(), filters)
        answer = None
        for piece in self._stream_llm(self.llm, question, history, filters):
            if isinstance(piece, Answer):
                answer = piece
        assert answer is not None
        return answer

    def stream(
        self,
        question: str,
        history: History | None = None,
        *,
        since: str | date | None = None,
        until: str | date | None = None,
        outlet: str | None = None,
        author: str | None = None,
    ) -> Iterator[str | Answer]:
        """Yield pieces of the answer text as they are ready, then the final `Answer`."""
        filters = Filters.of(since, until, outlet, author)
        across = self._across(question, history, filters)
        if across is not None:
            yield from _words(across.text)
            yield across
            return
        if self.llm is not None:
            yield from self._stream_llm(self.llm, question, history, filters)
            return
        answer = self._extractive(question, history, time.perf_counter(), filters)
        yield from _words(answer.text)
        yield answer

    @property
    def backend(self) -> str:
        return self.llm.name if self.llm is not None else self.extractive.name

    def _extractive(
        self,
        question: str,
        history: History | None,
        started: float,
        filters: Filters | None = None,
    ) -> Answer:
        question = self._check(question)
        standalone = condense(question, history, self.store.snapshot.texts_with)
        t0 = time.perf_counter()
        searched, retrieved, passages, lead = self._search(standalone, history, filters)
        t1 = time.perf_counter()
        name = self.extractive.name
        if not self.store.documents:
            answer = _empty_index(standalone, name)
        else:
            answer = self.extractive.nothing_else(
                standalone, retrieved, passages, name
            ) or as_asked(self.extractive.answer(searched, passages), standalone)
            answer = led_by(answer, lead)
        t2 = time.perf_counter()
        answer.timings_ms = {
            "retrieve": _ms(t0, t1),
            "answer": _ms(t1, t2),
            "total": _ms(started, t2),
        }
        answer = dated(answer, self.store.snapshot.documents)
        return answer

    def _stream_llm(
        self,
        llm: LLMAnswerer,
        question: str,
        history: History | None,
        filters: Filters | None = None,
    ) -> Iterator[str | Answer]:
        """Condense with the model, retrieve, abstain without it or let it write the answer;
        on a server failure, fall back to the extractive answer if the settings allow."""
        started = time.perf_counter()
        question = self._check(question)
        emitted = False
        try:
            standalone = llm.condense(question, history)
            t0 = time.perf_counter()
            searched, retrieved, passages, lead = self._search(standalone, history, filters)
            t1 = time.perf_counter()
            unquoted = self.extractive.nothing_else(
                standalone, retrieved, passages, llm.name
            ) or self.extractive.speaker_missing(standalone, passages, llm.name)
            overview = overview_kind(standalone)
            answer: Answer | None = None
            to_model: list[Passage] = []
            if not self.store.documents:
                answer = _empty_index(standalone, llm.name)
            elif unquoted is not None:
                answer = unquoted
            elif overview == "summary":
                # The retrieved sentences are only like "Summarize the article": the model
                # summarises the articles' first sentences instead.
                to_model = self._leads(standalone, passages)
            elif overview is not None:
                # "Who is quoted?", "Which article mentions X?": the articles' own lines, as
                # they are.
                answer = self.extractive.answer(standalone, passages)
                answer.note = "answered from the articles themselves, not by the model"
            else:
                # Scored only here: the word alignment costs ~0.1 s a question.
                ranked = self.extractive.ranked(searched, passages)
                if not ranked or ranked[0].answerability < self.extractive.abstain_below:
                    answer = not_answered(
                        standalone,
                        llm.name,
                        passages[0].view if passages and passages[0].view else self.store.snapshot,
                        "no retrieved passage is likely to answer, so the model was not asked",
                    )
                else:
                    to_model = [s.passage for s in ranked]
            if answer is None:
                if lead and to_model:
                    emitted = True
                    yield lead + " "
                for piece in llm.stream(standalone, to_model):
                    if isinstance(piece, Answer):
                        answer = piece
                    else:
                        emitted = True
                        yield piece
                assert answer is not None
        except LLMError as exc:
            if self.settings.fallback == "none":
                raise
            answer = self._extractive(question, history, started, filters)
            answer.note = f"{exc} This answer is the extractive one instead."
            if emitted:
                yield "\n\n"
            yield from _words(answer.text)
            yield answer
            return
        answer = led_by(answer, lead)
        if not emitted:
            yield from _words(answer.text)
        t2 = time.perf_counter()
        answer.timings_ms = {
            "condense": _ms(started, t0),
            "retrieve": _ms(t0, t1),
            **answer.timings_ms,
            "answer": _ms(t1, t2),
            "total": _ms(started, t2),
        }
        answer = dated(answer, self.store.snapshot.documents)
        yield answer

    def _search(
        self, standalone: str, history: History | None, filters: Filters | None = None
    ) -> tuple[str, list[Passage], list[Passage], str]:
        """The form the question is searched and ranked as (`searched_form`, with its time and
        source words read as filters: news.py), the passages retrieved for it, those without
        what the conversation already cited, and the lead a "latest" answer opens with."""
        view = self.store.snapshot
        news = read_news(standalone, view.outlets, published=view.published)
        searched = searched_form(news.question)
        limits = merged(filters, news.filters)
        retrieved = self._with_more_words(searched, self.retrieve(searched, limits), limits)
        passages = not_said_before(searched, history, retrieved)
        lead = ""
        if news.latest and passages:
            passages = newest_first(passages)
            lead = as_of(passages[0].document.published, passages[0].document.outlet)
        return searched, retrieved, passages, lead

    def _with_more_words(
        self, question: str, retrieved: list[Passage], filters: Filters | None
    ) -> list[Passage]:
        """For "What did X say about Y?": the passages retrieved, then those of the same
        articles retrieved for Y alone, since X's words about Y need not name X (a quote
        carried on from X's paragraph) while every sentence naming X ranks high for the whole
        question."""
        asked = speech_topic(question)
        if asked is None or not retrieved:
            return retrieved
        docs = self.store.snapshot.documents
        allowed = frozenset(p.document.doc_id for p in retrieved)
        if filters:
            allowed &= filters.documents(docs)
        seen = {p.node_id for p in retrieved}
        more = self.retriever.passages(asked[1], allowed=allowed) if allowed else []
        return [*retrieved, *(p for p in more if p.node_id not in seen)]

    def _across(
        self, question: str, history: History | None, filters: Filters | None
    ) -> Answer | None:
        """A question across articles (across.py): two questions in one, answered one after
        the other; what two named stories share; which other story shares a detail. None for
        any other question (and for a follow-up, which reads the conversation instead)."""
        if history or not self.store.documents:
            return None
        question = self._check(question)
        parts = compound(question)
        if parts is not None:
            limits = asdict(filters) if filters else {}
            first = self.ask(parts.first, **limits)
            second = self.ask(parts.second, **limits)
            return joined(first, second, question)
        backend = self.backend

        def search(text: str) -> list[Passage]:
            return self.retrieve(text, filters)

        def search_without(text: str, left_out: frozenset[str]) -> list[Passage]:
            docs = self.store.snapshot.documents
            kept = filters.documents(docs) if filters else frozenset(docs)
            return self.retriever.passages(text, allowed=kept - left_out) if kept else []

        found = (
            in_common(question, search, backend)
            or other_story(question, search, search_without, backend)
            or each_article(question, search_without, backend)
            or agreement(question, search_without, backend)
        )
        return dated(found, self.store.snapshot.documents) if found else None

    def _leads(self, question: str, passages: list[Passage]) -> list[Passage]:
        """The first sentences of the articles a summary is asked of."""
        view = (passages[0].view if passages else None) or self.store.snapshot
        docs = articles(view, topic_terms(question), [p.document.doc_id for p in passages])
        each = max(2, SUMMARY_SENTENCES // max(1, len(docs)))
        return [p for doc in docs for p in lead_passages(view, doc, each)]

    def _check(self, question: str) -> str:
        if not isinstance(question, str) or not question.strip():
            raise AssistantError("the question is empty; type a question about the articles.")
        limit = self.settings.max_question_chars
        if len(question) > limit:
            raise AssistantError(
                f"the question is {len(question):,} characters long; the limit is {limit:,} "
                "(ASSISTANT_MAX_QUESTION_CHARS). Shorten it to the question itself."
            )
        try:
            question.encode("utf-8")
        except UnicodeEncodeError:  # lone surrogates: bytes in argv or JSON that were not UTF-8
            raise AssistantError(
                "the question is not valid text (it holds bytes that are not UTF-8); type it again."
            ) from None
        return tidy_question(question)


def _ms(start: float, end: float) -> float:
    return round((end - start) * 1000, 2)


def _words(text: str) -> Iterator[str]:
    words = text.split(" ")
    for i, word in enumerate(words):
        yield word if i == len(words) - 1 else word + " "


def _empty_index(question: str, backend: str) -> Answer:
    answer = abstention(question, backend, "the index holds no articles")
    answer.note = "The index is empty: ingest articles first (assistant ingest PATH)."
    return answer
