"""Helpers the tests of several folders share (fixtures stay in conftest.py).

The servers the tests start as processes (`free_port`, `serving`) and the scripted
OpenAI-compatible server (`FakeOpenAI`) live in bench/ (bench/processes.py,
bench/fake_openai.py), since the benchmarks use them too and never import from tests/.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant import Answer, Assistant
from bench.processes import free_port

from .conftest import ARTICLES, ROOT, SHARED, offline_settings

if TYPE_CHECKING:
    from gradio_client import Client

# ---------------------------------------------------------------------- the CLI in a process
CLI = [sys.executable, "-m", "assistant.cli"]


def cli_env(**settings: str) -> dict[str, str]:
    """This process's environment without its OPENAI_* and ASSISTANT_* variables (so the
    developer's own settings never reach a test), plus `settings`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "ASSISTANT_"))}
    env.update(settings)
    return env


def run_cli(
    *args: str,
    index: Path | None = None,
    env: dict[str, str] | None = None,
    stdin: str | None = None,
    command: list[str] = CLI,
    timeout: float = 300,
) -> subprocess.CompletedProcess[str]:
    """`assistant [--index INDEX] ARGS` in a new process started in the repository folder, with
    `stdin` as its input; in `env`, by default `cli_env(ASSISTANT_LLM="extractive")`."""
    if env is None:
        env = cli_env(ASSISTANT_LLM="extractive")
    where = ["--index", str(index)] if index is not None else []
    return subprocess.run(
        [*command, *where, *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=timeout,
    )


# ---------------------------------------------------------------------- answers and indexes
def check_offsets(assistant: Assistant, answer: Answer) -> None:
    """Every citation quotes exactly the characters of its document at its offsets, and its
    context too."""
    for c in answer.citations:
        doc = assistant.document(c.source)
        assert doc.text[c.start : c.end] == c.quote
        assert doc.text[c.context_start : c.context_start + len(c.context)] == c.context
        assert c.quote in c.context


def snapshot(assistant: Assistant) -> tuple[dict[str, str], int, int]:
    """What an index holds: each document's sha256 by source, the BM25 table's size and Chroma's
    node count (equal before and after anything that must leave the index as it was)."""
    store = assistant.store
    docs = {d.source: d.sha256 for d in store.documents.values()}
    return docs, store.table.size, store.nodes.count()


def ingest_text(assistant: Assistant, path: Path, text: str) -> None:
    """Write an article written for a test and ingest it; the ingest must succeed."""
    path.write_text(text, encoding="utf-8")
    assert assistant.ingest([path]).ok


SQUAD = SHARED / "data" / "squad" / "dev-v1.1.json"


def write_corpus(folder: Path, count: int) -> list[Path]:
    """The first `count` SQuAD dev paragraphs, one .txt file each, led by the article title."""
    data = json.loads(SQUAD.read_text())
    folder.mkdir(parents=True, exist_ok=True)
    paths: list[Path] = []
    for article in data["data"]:
        for paragraph in article["paragraphs"]:
            if len(paths) == count:
                return paths
            path = folder / f"squad-{len(paths):03d}.txt"
            title = article["title"].replace("_", " ")
            path.write_text(f"{title}\n{paragraph['context']}\n", encoding="utf-8")
            paths.append(path)
    return paths


# ---------------------------------------------------------------------- the web app
@contextmanager
def running_app(index_dir: Path, **settings: Any) -> Iterator[tuple[str, Assistant]]:
    """The web app over a fresh index of the bundled article, serving on a free port."""
    from assistant.interfaces.web import launch  # gradio: imported only by the tests that serve

    assistant = Assistant.open(settings=offline_settings(index_dir, **settings))
    assert assistant.ingest(ARTICLES).ok
    port = free_port()
    demo = launch(assistant, port=port, block=False)
    try:
        yield f"http://127.0.0.1:{port}/", assistant
    finally:
        demo.close()


def client(url: str) -> Client:
    """A gradio client of the app at `url`."""
    from gradio_client import Client

    return Client(url, verbose=False, download_files=False)
