"""The web chat, driven over HTTP with `gradio_client` against the app on a free local port."""

from __future__ import annotations

import html
import re
import socket
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from gradio_client import handle_file
from gradio_client.exceptions import AppError

from assistant import Assistant, AssistantError
from assistant.interfaces.web import launch

from ..helpers import client, running_app

# Gradio's queue calls pandas APIs that pandas 3 deprecates; not ours to fix.
pytestmark = pytest.mark.filterwarnings(
    "ignore:.*(no_silent_downcasting|copy keyword).*:DeprecationWarning"
)

WARNED = "Who warned about Russia's reaction?"
ALAM = "Who is Kamal Alam?"
HARBOUR = """Harbour works begin in Port Ellery
by Jane Doe

The harbour master Zelda Quinlan said the new pier would open in the spring of 2027.
Fishing boats will pay lower mooring fees once the pier opens, the council said.
"""


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Assistant]]:
    with running_app(tmp_path_factory.mktemp("ui-index"), max_upload_mb=0.05) as running:
        yield running


@pytest.fixture
def url(app: tuple[str, Assistant]) -> str:
    return app[0]


@pytest.fixture
def assistant(app: tuple[str, Assistant]) -> Assistant:
    return app[1]


def without_timings(answer: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in answer.items() if k != "timings_ms"}


def texts(chat: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """(role, visible text) of each chat message, tags removed and entities decoded."""
    out = []
    for message in chat:
        content = message["content"]
        raw = content if isinstance(content, str) else "".join(c["text"] for c in content)
        out.append((message["role"], html.unescape(re.sub(r"<[^>]+>", " ", raw))))
    return out


# ---------------------------------------------------------------------- /ask
def test_ask_endpoint_returns_the_cli_json(url: str, assistant: Assistant) -> None:
    got = client(url).predict(WARNED, api_name="/ask")
    assert without_timings(got) == without_timings(assistant.ask(WARNED).to_dict())
    assert not got["abstained"] and got["backend"] == assistant.backend
    assert "James Hackett" in got["answer"] and "[1]" in got["answer"]


def test_ask_citations_are_exact_spans(url: str, assistant: Assistant) -> None:
    got = client(url).predict(ALAM, api_name="/ask")
    assert got["citations"]
    for c in got["citations"]:
        text = assistant.document(c["source"]).text
        assert text[c["start"] : c["end"]] == c["quote"]
        at = c["start"] - c["context_start"]
        assert c["context"][at : at + len(c["quote"])] == c["quote"]
        assert c["title"].startswith("Russia And Vladimir Putin") and c["author"] == "Thomas Mackie"


def test_ask_error_is_the_message_not_a_traceback(url: str) -> None:
    with pytest.raises(AppError) as caught:
        client(url).predict("   ", api_name="/ask")
    assert "the question is empty" in str(caught.value)
    assert "Traceback" not in str(caught.value)


# ---------------------------------------------------------------------- /chat
def test_chat_answers_offline_in_one_frame_with_sources_highlighted(
    url: str, assistant: Assistant
) -> None:
    # The offline answer is ready at once: sent whole, with no partial frame before it (a
    # model's answer streams: tests/web/test_browser.py, test_ui_render.py).
    job = client(url).submit(WARNED, api_name="/chat")
    chat, _box = job.result(timeout=60)
    partial = [out for out in job.outputs()[:-1] if "na-streaming" in str(out[0][-1]["content"])]
    assert not partial, partial

    (_, question), (_, reply) = texts(chat)
    assert question.strip() == WARNED
    answer = assistant.ask(WARNED)
    assert "Sources" in reply and answer.citations[0].title in reply
    raw = str(chat[-1]["content"])
    for c in answer.citations:
        marked = re.search(
            r'<mark class="na-highlight">(.*?)</mark>', raw.split(f"&#91;{c.n}&#93;", 2)[-1]
        )
        assert marked and html.unescape(marked.group(1)) == c.quote


def test_chat_shows_errors_in_the_page(url: str) -> None:
    chat, _ = client(url).predict("x" * 5000, api_name="/chat")
    (_, reply) = texts(chat)[-1]
    assert "the limit is 4,000" in reply and "Traceback" not in reply


def test_sessions_do_not_share_history(url: str) -> None:
    alice, bob = client(url), client(url)
    alice_chat, _ = alice.predict("Who is James Hackett?", api_name="/chat")
    bob_chat, _ = bob.predict(ALAM, api_name="/chat")
    alice_chat, _ = alice.predict("What did he say about India?", api_name="/chat")

    alice_questions = [t for role, t in texts(alice_chat) if role == "user"]
    bob_questions = [t for role, t in texts(bob_chat) if role == "user"]
    assert [q.strip() for q in alice_questions] == [
        "Who is James Hackett?",
        "What did he say about India?",
    ]
    assert [q.strip() for q in bob_questions] == [ALAM]
    # The follow-up was read with Alice's history: "he" is James Hackett.
    assert "James Hackett" in texts(alice_chat)[-1][1]


def test_twenty_clients_at_once_all_get_their_answer(url: str, assistant: Assistant) -> None:
    questions = [WARNED if i % 2 else ALAM for i in range(20)]
    expected = {q: without_timings(assistant.ask(q).to_dict()) for q in set(questions)}

    def ask(question: str) -> dict[str, Any]:
        return client(url).predict(question, api_name="/ask")

    with ThreadPoolExecutor(max_workers=20) as pool:
        answers = list(pool.map(ask, questions))
    for question, got in zip(questions, answers, strict=True):
        assert without_timings(got) == expected[question]


# ---------------------------------------------------------------------- upload
def test_upload_then_ask_about_it(url: str, assistant: Assistant, tmp_path: Path) -> None:
    article = tmp_path / "harbour; rm -rf ~ $(x).txt"
    article.write_text(HARBOUR)
    status, documents, cleared = client(url).predict(
        [handle_file(str(article))], api_name="/upload"
    )
    assert "added" in html.unescape(status) and cleared is None
    assert "Harbour works begin in Port Ellery" in html.unescape(documents)

    stored = [d for d in assistant.documents() if d.title.startswith("Harbour works")]
    assert len(stored) == 1
    path = Path(stored[0].source)
    assert path.parent == Path(assistant.settings.index_dir).resolve() / "uploads"
    assert re.fullmatch(r"[A-Za-z0-9_-]+\.txt", path.name), path.name

    got = client(url).predict("When will the new pier open?", api_name="/ask")
    assert "2027" in got["answer"]
    assert got["citations"][0]["source"] == stored[0].source


def test_upload_refuses_unsupported_types_and_big_files(url: str, tmp_path: Path) -> None:
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(b"%PDF-1.4 not an article")
    status, _, _ = client(url).predict([handle_file(str(pdf))], api_name="/upload")
    assert "unsupported file type '.pdf'" in html.unescape(status)

    big = tmp_path / "big.txt"
    big.write_text("A long article sentence. " * 4000)  # 100 kB; this app's limit is 50 kB
    with pytest.raises(Exception, match=r"(?i)size|large"):
        client(url).predict([handle_file(str(big))], api_name="/upload")


def test_a_busy_port_is_a_one_line_error(fresh: Assistant) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        with pytest.raises(AssistantError, match=f"port {port} on 127.0.0.1 is in use"):
            launch(fresh, port=port, block=False)
