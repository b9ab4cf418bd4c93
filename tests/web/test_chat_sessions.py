"""One question at a time per chat: a second question sent (from a script) while the chat's
first is still being answered is refused with a message, and the chat's history stays the
first one's. A scripted OpenAI-compatible server holds the first answer mid-stream."""

from __future__ import annotations

import html
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.interfaces.sessions import BUSY
from bench.fake_openai import FakeOpenAI, Reply, citing

from ..helpers import client, running_app

ALAM = "Kamal Alam, a Pakistan"


@pytest.fixture(scope="module")
def llm_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, FakeOpenAI]]:
    server = FakeOpenAI(models=["gpt-4o-mini"])
    settings = {"llm": "openai", "openai_base_url": server.url, "request_timeout": 5.0}
    try:
        with running_app(Path(tmp_path_factory.mktemp("llm-index")), **settings) as (url, _):
            yield url, server
    finally:
        server.close()


def test_a_second_question_while_one_streams_is_refused(llm_app: tuple[str, FakeOpenAI]) -> None:
    url, server = llm_app
    hold = threading.Event()
    server.enqueue(Reply(citing("Kamal Alam is a Pakistan analyst [{{" + ALAM + "}}]."), hold=hold))
    chat = client(url)
    first = chat.submit("Who is Kamal Alam?", api_name="/chat")
    for _ in range(100):  # until the first answer has started to stream
        if server.requests:
            break
        threading.Event().wait(0.1)
    second = chat.submit("Where does he work?", api_name="/chat")
    refused, box = second.result(timeout=30)
    assert BUSY in html.unescape(str(refused[-1]["content"])), refused[-1]
    assert box == "Where does he work?"  # left in the box to send again
    hold.set()
    messages, _ = first.result(timeout=30)
    shown = [str(m["content"]) for m in messages]
    assert len(messages) == 2 and "Pakistan analyst" in shown[-1], shown
    assert not any("Where does he work?" in m for m in shown)
    # the chat is free again: the follow-up is answered, read with the first turn
    server.enqueue(Reply(citing("He works at RUSI [{{" + ALAM + "}}].")))
    then, _ = chat.predict("Where does he work?", api_name="/chat")
    assert "RUSI" in str(then[-1]["content"]), then[-1]
    assert any(
        "Who is Kamal Alam?" in str(m.get("content")) for m in server.requests[-1].body["messages"]
    )
