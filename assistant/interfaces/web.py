"""The web chat (Gradio). It only calls the `Assistant` API; `render` turns results into HTML.

Each browser session keeps its own `Session` in a `gr.State`, so two users never share a
chat. Scripts call `/ask` with `gradio_client` and get `Answer.to_dict()`.
"""

from __future__ import annotations

import logging
import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import gradio as gr

from ..answer import Answer
from ..errors import AssistantError
from ..ingest import IngestReport
from ..ingest.fetch import is_url
from ..service import Assistant
from . import render
from .panels import EXAMPLES, articles_panel, chat_panel, filter_panel
from .sessions import BUSY, Answering, Message, Session
from .uploads import MB, upload_name, upload_problem

log = logging.getLogger(__name__)

# Questions answered at once; the rest wait in the queue. Answering is CPU-bound (2 cores).
CONCURRENCY = 4
# The one queue both /chat and /ask answer from (gradio's concurrency group): with a pool of
# CONCURRENCY each, one endpoint's askers waited far longer than the other's under load.
ANSWERING = "answer"
# Browser sessions whose chat the server keeps (gradio's state holder, oldest dropped first):
# each holds its chat's HTML, so the server's memory stays bounded however many come and go.
SESSIONS = 1000
# Gradio's own bookkeeping of answered events (for its monitoring page): at most this many kept,
# summarised once every this many events.
EVENT_RECORDS = {"GRADIO_ANALYTICS_MAX_EVENTS": "500", "GRADIO_ANALYTICS_CACHE_FREQUENCY": "500"}
FRAME_SECONDS = 0.1  # the shortest time between two frames of a streamed answer
UNEXPECTED = "Something went wrong on the server; the details are in its log. Please try again."

# System fonts: the default theme fetches Google Fonts, and the app should work offline.
THEME = gr.themes.Default(
    font=["ui-sans-serif", "system-ui", "sans-serif"],
    font_mono=["ui-monospace", "monospace"],
)
# Gradio spots a handler's progress parameter by this default and drives it per request.
PROGRESS = gr.Progress()


class WebChat:
    """The event handlers; each one calls the `Assistant` and renders what it returns."""

    def __init__(self, assistant: Assistant) -> None:
        self.assistant = assistant
        self.answering = Answering()

    # ------------------------------------------------------------------ chat
    def respond(
        self,
        question: str,
        session: Session,
        limits: dict[str, str] | None = None,
        request: gr.Request | None = None,
    ) -> Iterator[tuple[Any, ...]]:
        """Stream the answer into the chat, from the articles `limits` keep (since, until,
        outlet: the panel's filter); yields (chat messages, session, textbox). One question at
        a time per browser session (`request`'s): a second one sent meanwhile is refused, its
        question left in the box, and the chat's history stays the first one's."""
        key = request.session_hash if request is not None else None
        if key is not None and not self.answering.start(key):
            asked = [*session.messages, _user(render.question_html(question))]
            yield [*asked, _bot(render.error_html(BUSY))], session, question
            return
        try:
            yield from self._respond(question, session, limits)
        finally:
            if key is not None:
                self.answering.end(key)

    def _respond(
        self, question: str, session: Session, limits: dict[str, str] | None
    ) -> Iterator[tuple[Any, ...]]:
        kept = {k: v.strip() for k, v in (limits or {}).items() if v and v.strip()}
        if not question.strip():  # an empty Enter: nothing to ask, nothing to show
            yield session.messages, session, ""
            return
        asked = [*session.messages, _user(render.question_html(question))]
        yield [*asked, _bot(render.partial_html(""))], session, ""
        text = ""
        shown_at = time.monotonic()
        try:
            for piece in self.assistant.stream(question, history=session.history, **kept):
                if isinstance(piece, Answer):
                    yield self._answered(question, piece, asked, session)
                    return
                text += piece
                # Each frame re-sends the chat: at most one per FRAME_SECONDS, so a fast stream
                # (the offline answerer's is instant) costs a few frames, not one per word.
                if time.monotonic() - shown_at >= FRAME_SECONDS:
                    shown_at = time.monotonic()
                    yield [*asked, _bot(render.partial_html(text))], session, ""
        except AssistantError as exc:
            shown = [*asked, _bot(render.error_html(str(exc)))]
        except Exception:
            log.exception("answering %r failed", question)
            shown = [*asked, _bot(render.error_html(UNEXPECTED))]
        yield shown, Session(shown, session.history), ""

    def respond_at_once(
        self,
        question: str,
        session: Session,
        limits: dict[str, str] | None = None,
        request: gr.Request | None = None,
    ) -> tuple[Any, ...]:
        """`respond`'s last frame only, for the offline answerer, whose answer is ready at once
        (a frame before it cost /chat 4 times /ask's latency under load)."""
        return list(self.respond(question, session, limits, request))[-1]

    @staticmethod
    def _answered(
        question: str, answer: Answer, asked: list[Message], session: Session
    ) -> tuple[Any, ...]:
        shown = [*asked, _bot(render.answer_html(answer))]
        turns = [*session.history, _user(question), _bot(answer.text)]
        return shown, Session(shown, turns), ""

    @staticmethod
    def clear() -> tuple[list[Message], Session]:
        return [], Session()

    def ask(self, question: str) -> dict[str, Any]:
        """Answer one question; the same JSON object as `assistant ask --json`."""
        try:
            return self.assistant.ask(question).to_dict()
        except AssistantError as exc:
            raise gr.Error(str(exc)) from None

    # ------------------------------------------------------------------ articles
    def page(self) -> tuple[str, str]:
        """What a freshly loaded page shows: the backend and the indexed articles."""
        return render.backend_html(self.assistant.backend), self.documents()

    def documents(self) -> str:
        return render.documents_html(self.assistant.documents())

    def upload(
        self, files: list[str] | None, progress: gr.Progress = PROGRESS
    ) -> tuple[str, str, None]:
        """Check, copy and ingest uploaded files; returns (status, article list, file input)."""
        accepted, refused = self._accept(files or [])
        report = IngestReport()
        if accepted:

            def step(done: int, total: int, path: str) -> None:
                name = Path(path).name if done < total else "done"
                progress((done, total), desc=f"Indexing {name}", unit="files")

            report = self._ingest([str(p) for p in accepted], step)
        return render.ingest_html(report, refused), self.documents(), None

    def add_urls(self, text: str, progress: gr.Progress = PROGRESS) -> tuple[str, str, str]:
        """Fetch and ingest the pages or feeds at the URLs given (one a line or space apart);
        returns (status, article list, URL box)."""
        urls = [u for u in (text or "").split() if u]
        refused = [(u, "not an http:// or https:// URL") for u in urls if not is_url(u)]
        wanted = [u for u in urls if is_url(u)]
        report = IngestReport()
        if wanted:

            def step(done: int, total: int, url: str) -> None:
                progress((done, total), desc=f"Fetching {url}", unit="pages")

            report = self._ingest(wanted, step)
        elif not urls:
            refused.append(("", "give the address of an article's page or a feed"))
        return render.ingest_html(report, refused), self.documents(), ""

    def add_url_api(self, urls: str) -> dict[str, Any]:
        """Fetch and ingest URLs (space or newline apart); the ingest report as JSON."""
        wanted = [u for u in (urls or "").split() if u]
        if not wanted:
            raise gr.Error("give the address of an article's page or a feed")
        report = self.assistant.ingest(wanted)
        return {
            "added": report.added,
            "updated": report.updated,
            "unchanged": report.unchanged,
            "failed": [{"source": s, "reason": r} for s, r in report.failed],
        }

    def _ingest(self, items: list[str], step: Any) -> IngestReport:
        """Ingest files or URLs; an error fails each of them with its message, never the app."""
        try:
            return self.assistant.ingest(items, progress=step)
        except AssistantError as exc:
            return IngestReport(failed=[(i, str(exc)) for i in items])
        except Exception:
            log.exception("ingesting %s failed", items)
            return IngestReport(failed=[(i, UNEXPECTED) for i in items])

    def _accept(self, files: list[str]) -> tuple[list[Path], list[tuple[str, str]]]:
        """Files that may be ingested, copied to the uploads folder; and those refused, why."""
        limit_mb = self.assistant.settings.max_upload_mb
        folder = Path(self.assistant.settings.index_dir) / "uploads"
        accepted: list[Path] = []
        refused: list[tuple[str, str]] = []
        for raw in files:
            source = Path(raw)
            name = upload_name(source.name)
            target = folder / name
            problem = upload_problem(source, limit_mb)
            if not problem and target in accepted:
                problem = "another file in this upload has the same name; rename one of them"
            if not problem:
                try:
                    folder.mkdir(parents=True, exist_ok=True)
                    shutil.copyfile(source, target)
                except OSError as exc:
                    problem = f"cannot store the file ({exc.strerror or exc})"
            if problem:
                refused.append((name, problem))
            else:
                accepted.append(target)
        return accepted, refused


def _set_busy() -> list[Any]:
    return [gr.update(interactive=False)] * (2 + len(EXAMPLES))


def _set_idle() -> list[Any]:
    return [gr.update(interactive=True)] * (2 + len(EXAMPLES))


def _user(content: str) -> Message:
    return {"role": "user", "content": content}


def _bot(content: str) -> Message:
    return {"role": "assistant", "content": content}


# ---------------------------------------------------------------------- layout
def build(assistant: Assistant) -> gr.Blocks:
    chat = WebChat(assistant)
    # No telemetry or version check: the app talks to nothing but its own users.
    with gr.Blocks(title="News assistant", analytics_enabled=False) as demo:
        session = gr.State(Session())
        limits = gr.State({})  # the filter's since / until / outlet, per browser session
        gr.Markdown("# News assistant\nAsk about the articles; every claim cites its passage.")
        backend = gr.HTML(render.backend_html(assistant.backend), elem_id="backend")
        with gr.Row():
            with gr.Column(scale=3):
                chatbot, question, ask_button, clear_button, examples = chat_panel()
            with gr.Column(scale=2):
                documents, files, url, fetch, status = articles_panel()
                since, until, outlet = filter_panel()

        # While an answer streams, the question box, Ask and the examples are disabled: a
        # second question sent meanwhile would race the first for the session's history.
        controls = [question, ask_button, *examples]

        # A model's answer streams in; the offline answerer's is ready at once, sent in one go.
        respond = chat.respond if assistant.llm is not None else chat.respond_at_once

        def answer_on(trigger: Any, source: gr.components.Component, **api: Any) -> None:
            trigger(_set_busy, outputs=controls, queue=False, api_visibility="private").then(
                respond,
                inputs=[source, session, limits],
                outputs=[chatbot, session, question],
                show_progress="hidden",
                concurrency_id=ANSWERING,
                **api,
            ).then(_set_idle, outputs=controls, queue=False, api_visibility="private")

        for box in (since, until, outlet):
            box.change(
                _limits,
                inputs=[since, until, outlet],
                outputs=limits,
                queue=False,
                api_visibility="private",
            )
        answer_on(question.submit, question, api_name="chat")
        answer_on(ask_button.click, question, api_visibility="private")
        for example in examples:
            answer_on(example.click, example, api_visibility="private")
        clear_button.click(
            chat.clear, outputs=[chatbot, session], queue=False, api_visibility="private"
        )
        # The chat's own trash button empties the display; forget the history with it.
        chatbot.clear(chat.clear, outputs=[chatbot, session], queue=False, api_visibility="private")
        # One ingest at a time, its progress shown in the status line.
        ingesting: dict[str, Any] = {
            "concurrency_limit": 1,
            "concurrency_id": "ingest",
            "show_progress_on": status,
        }
        files.upload(
            chat.upload,
            inputs=files,
            outputs=[status, documents, files],
            api_name="upload",
            **ingesting,
        )
        for trigger in (url.submit, fetch.click):
            trigger(
                chat.add_urls,
                inputs=url,
                outputs=[status, documents, url],
                api_visibility="private",
                **ingesting,
            )
        gr.api(chat.add_url_api, api_name="add_url", concurrency_id="ingest", concurrency_limit=1)  # type: ignore[attr-defined, unused-ignore]
        demo.load(chat.page, outputs=[backend, documents], api_visibility="private")
        gr.api(chat.ask, api_name="ask", concurrency_id=ANSWERING)  # type: ignore[attr-defined, unused-ignore]
    blocks: gr.Blocks = demo
    return blocks


def _limits(since: str, until: str, outlet: str) -> dict[str, str]:
    return {"since": since, "until": until, "outlet": outlet}


def launch(
    assistant: Assistant, host: str = "127.0.0.1", port: int = 7860, block: bool = True
) -> gr.Blocks:
    """Start the app; with `block=False` return once it serves (for tests and scripts)."""
    demo = build(assistant)
    # Gradio's queue keeps a record of every event for its monitoring page (10,000 by default)
    # and rebuilds a pandas summary of them all after each event: memory and time per answer
    # that grow over a server's life. The queue reads these when demo.queue() builds it.
    for name, value in EVENT_RECORDS.items():
        os.environ.setdefault(name, value)
    demo.queue(default_concurrency_limit=CONCURRENCY)
    try:
        demo.launch(
            server_name=host,
            server_port=port,
            prevent_thread_lock=not block,
            max_file_size=int(assistant.settings.max_upload_mb * MB),
            css=render.CSS,
            theme=THEME,
            footer_links=["api"],
            quiet=not block,
            state_session_capacity=SESSIONS,
        )
    except OSError as exc:
        if "port" not in str(exc):
            raise
        raise AssistantError(
            f"port {port} on {host} is in use; stop what runs there or pick another with --port."
        ) from None
    return demo


def serve(assistant: Assistant, host: str = "127.0.0.1", port: int = 7860) -> None:
    launch(assistant, host, port, block=True)
