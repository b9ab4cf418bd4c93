"""The web chat's pieces without a server: rendering, upload checks, and the handlers
driven by a fake assistant that streams like a language model does."""

from __future__ import annotations

import html
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, cast

import pytest
from hypothesis import given
from hypothesis import strategies as st

from assistant import Answer, AnswerSentence, Assistant, AssistantError, Citation
from assistant.interfaces.render import answer_html, backend_label, escape, split_context
from assistant.interfaces.uploads import upload_name, upload_problem
from assistant.interfaces.web import (
    FRAME_SECONDS,
    UNEXPECTED,
    Session,
    WebChat,
)

from ..conftest import BUNDLED

TEXT = "First paragraph.\nKamal Alam, an analyst, said Russia may change course. He added more.\n"
QUOTE = "Russia may change course."


def citation(n: int = 1, **changes: Any) -> Citation:
    start = TEXT.index(QUOTE)
    para = TEXT.index("Kamal")
    values: dict[str, Any] = {
        "n": n,
        "quote": QUOTE,
        "title": "Analysts <b>warn</b>",
        "source": "/x/articles/a.txt",
        "start": start,
        "end": start + len(QUOTE),
        "author": "Jo <i>Doe</i>",
        "context": TEXT[para : TEXT.index("\n", para)],
        "context_start": para,
    }
    values.update(changes)
    return Citation(**values)


def visible(fragment: str) -> str:
    """The text a browser shows for an HTML fragment."""
    return html.unescape(re.sub(r"<[^>]+>", "", fragment.replace("<br>", "\n")))


@given(st.text())
def test_escape_shows_exactly_the_text_and_leaves_no_markup(text: str) -> None:
    escaped = escape(text)
    assert visible(escaped) == text.replace("\r\n", "\n")
    assert not re.search(r"[<>\"'`*_\[\]()$\\]", escaped.replace("<br>", ""))


def test_the_cited_words_are_highlighted_inside_their_paragraph() -> None:
    c = citation()
    assert split_context(c) == ("Kamal Alam, an analyst, said ", QUOTE, " He added more.")
    shown = answer_html(Answer("Russia may change course. [1]", [c], False, "extractive"))
    assert re.search(r'<mark class="na-highlight">Russia may change course&#46;</mark>', shown)
    assert "Analysts &#60;b&#62;warn&#60;/b&#62;" in shown and "<b>" not in shown
    assert "by Jo &#60;i&#62;Doe&#60;/i&#62;" in shown
    assert '<span class="na-ref">&#91;1&#93;</span>' in shown


def test_a_long_paragraph_is_trimmed_around_the_quote() -> None:
    before = "word " * 200
    context = before + QUOTE + " tail" * 200
    c = citation(context=context, context_start=0, start=len(before), end=len(before) + len(QUOTE))
    head, quote, tail = split_context(c, limit=50)
    assert quote == QUOTE and head.startswith("…") and tail.endswith("…")
    assert len(head) <= 52 and len(tail) <= 52


def test_a_citation_whose_context_does_not_hold_the_quote_shows_the_quote_alone() -> None:
    assert split_context(citation(context="something else")) == ("", QUOTE, "")


def test_unsupported_sentences_are_marked() -> None:
    sentences = [
        AnswerSentence("Kamal Alam is an analyst [1].", [1]),
        AnswerSentence("He plays <b>cricket</b> [1].", [1], supported=False),
    ]
    answer = Answer(
        " ".join(s.text for s in sentences), [citation()], False, "openai:m", sentences=sentences
    )
    shown = answer_html(answer)
    marked = re.search(r'<span class="na-unsupported"[^>]*>(.*?)</span></span>', shown)
    assert marked and visible(marked.group(1)).startswith("He plays <b>cricket</b> [1].")
    assert "not supported by the articles" in marked.group(1)
    assert "Kamal Alam is an analyst" not in marked.group(1)


def test_backend_names() -> None:
    assert backend_label("extractive").startswith("offline extractive")
    assert backend_label("openai:gpt-4o-mini") == "language model gpt-4o-mini (openai)"


@pytest.mark.parametrize(
    ("name", "safe"),
    [
        ("report.txt", "report.txt"),
        ("../../etc/passwd.md", "passwd.md"),
        ("..\\..\\win.HTML", "win.html"),
        ("harbour; rm -rf ~ $(x) `y` | z.txt", "harbour-rm-rf-x-y-z.txt"),
        (".hidden.txt", "hidden.txt"),
        ("..txt", "article.txt"),
        ("no extension", "no-extension"),
    ],
)
def test_upload_names_are_safe(name: str, safe: str) -> None:
    assert upload_name(name) == safe


def test_upload_checks_type_and_size(tmp_path: Path) -> None:
    pdf = tmp_path / "a.pdf"
    pdf.write_bytes(b"%PDF")
    assert "unsupported file type '.pdf'" in (upload_problem(pdf, 20) or "")
    big = tmp_path / "big.txt"
    big.write_bytes(b"x" * 2 * 1024 * 1024)
    assert upload_problem(big, 1) == (
        "the file is 2.0 MB; the limit is 1 MB (ASSISTANT_MAX_UPLOAD_MB)"
    )
    assert upload_problem(big, 20) is None


# ---------------------------------------------------------------------- handlers
class StreamingAssistant:
    """The part of the `Assistant` interface the chat uses, answering like a language model."""

    backend = "openai:fake-model"

    def __init__(self, answer: Answer | Exception) -> None:
        self.answer = answer
        self.histories: list[list[Any]] = []

    def stream(self, question: str, history: Any = None) -> Iterator[str | Answer]:
        self.histories.append(list(history or []))
        if isinstance(self.answer, Exception):
            raise self.answer
        for piece in ("Kamal ", "Alam ", "<img src=x onerror=alert(1)>"):
            time.sleep(FRAME_SECONDS)  # a model's pace: each piece gets a frame of its own
            yield piece
        yield self.answer


def chat_with(answer: Answer | Exception) -> tuple[WebChat, StreamingAssistant]:
    fake = StreamingAssistant(answer)
    return WebChat(cast(Assistant, fake)), fake


def test_respond_streams_then_shows_the_answer_and_keeps_history() -> None:
    answer = Answer("Kamal Alam is an analyst [1].", [citation()], False, "openai:fake-model")
    chat, fake = chat_with(answer)
    steps = list(chat.respond("Who is <Kamal>?", Session()))
    partials = [messages[-1]["content"] for messages, _, _ in steps[:-1]]
    assert all("na-streaming" in p for p in partials) and len(partials) >= 3
    assert "&#60;img src&#61;x onerror&#61;alert&#40;1&#41;&#62;" in partials[-1]

    messages, session, box = steps[-1]
    assert box == "" and session.messages == messages
    assert [m["role"] for m in messages] == ["user", "assistant"]
    assert visible(messages[0]["content"]) == "Who is <Kamal>?"
    assert "na-highlight" in messages[1]["content"]
    assert session.history == [
        {"role": "user", "content": "Who is <Kamal>?"},
        {"role": "assistant", "content": answer.text},
    ]
    list(chat.respond("What did he say?", session))
    assert fake.histories[-1] == session.history


@pytest.mark.parametrize(
    ("error", "shown"),
    [
        (AssistantError("the LLM server at http://x failed; check OPENAI_BASE_URL."), "OPENAI"),
        (RuntimeError("secret internals"), UNEXPECTED),
    ],
)
def test_errors_show_their_message_or_a_generic_one(error: Exception, shown: str) -> None:
    chat, _ = chat_with(error)
    messages, session, _ = list(chat.respond("Who?", Session()))[-1]
    reply = visible(messages[-1]["content"])
    assert shown in reply and "secret internals" not in reply and "Traceback" not in reply
    assert session.history == []  # a failed turn is not history


class Progress:
    def __init__(self) -> None:
        self.calls: list[tuple[Any, str]] = []

    def __call__(self, progress: Any, desc: str = "", **_: Any) -> None:
        self.calls.append((progress, desc))


def test_upload_reports_progress_and_copies_to_the_uploads_folder(
    fresh: Assistant, tmp_path: Path
) -> None:
    weird = tmp_path / "up" / "news; rm -rf.txt"
    weird.parent.mkdir(parents=True, exist_ok=True)
    weird.write_text(BUNDLED.read_text())
    progress = Progress()
    status, documents, cleared = WebChat(fresh).upload([str(weird)], cast(Any, progress))
    assert "added news-rm-rf.txt" in visible(status) and cleared is None
    assert "Russia And Vladimir Putin" in visible(documents)
    assert progress.calls[0] == ((0, 1), "Indexing news-rm-rf.txt")
    assert progress.calls[-1] == ((1, 1), "Indexing done")
    [doc] = fresh.documents()
    assert Path(doc.source) == (fresh.settings.index_dir / "uploads" / "news-rm-rf.txt").resolve()


def test_upload_refuses_two_files_that_would_share_a_name(fresh: Assistant, tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first, second = tmp_path / "a" / "news one.txt", tmp_path / "b" / "news-one.txt"
    first.write_text(BUNDLED.read_text())
    second.write_text("Other news\n\nSomething else happened in the town today.\n")
    status, _, _ = WebChat(fresh).upload([str(first), str(second)], cast(Any, Progress()))
    assert "added news-one.txt" in visible(status)
    assert "news-one.txt: another file in this upload has the same name" in visible(status)
    assert [d.title for d in fresh.documents()] == [
        "Russia And Vladimir Putin Could Back Pakistan And ‘Turn’ On India"
    ]


def test_an_abstention_and_a_note_are_shown_as_text() -> None:
    answer = Answer(
        "The articles don't say. Nothing in them answers “<b>why</b>”.",
        [],
        True,
        "extractive",
        note="The LLM server at http://x failed <again>. This answer is the extractive one.",
    )
    shown = answer_html(answer)
    assert 'class="na-answer na-abstained"' in shown and "na-sources" not in shown
    assert "“<b>why</b>”" in visible(shown) and "<b>" not in shown
    assert re.search(r'<div class="na-note">[^<]*failed &#60;again&#62;', shown)
