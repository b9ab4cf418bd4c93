"""Scale-out: the same assistant on a real Chroma server (`chroma run`, 127.0.0.1 only).

The end-to-end dev questions run against it, and two app processes that share nothing but the
server see each other's ingests: one answers about an article the other added after it started.
"""

from __future__ import annotations

import codecs
import contextlib
import os
import queue
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from assistant import Assistant, AssistantError
from bench.processes import free_port, serving

from ..answer.test_answers import KNOWN_MISSES, SEED
from ..conftest import ARTICLES, ROOT, offline_settings
from ..helpers import CLI, check_offsets, cli_env, run_cli, write_corpus

CHROMA = Path(sys.executable).parent / "chroma"


@contextlib.contextmanager
def chroma_server(path: Path) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """`chroma run` on a free port of 127.0.0.1, stopped on leaving."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    command = [str(CHROMA), "run", "--path", str(path / "data")]
    command += ["--host", "127.0.0.1", "--port", str(port)]
    with serving(command, f"{url}/api/v2/heartbeat", path / "server.log") as server:
        yield url, server


@pytest.fixture(scope="module")
def chroma_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A Chroma server of its own for this module."""
    with chroma_server(tmp_path_factory.mktemp("chroma-server")) as (url, _):
        yield url


@pytest.fixture(scope="module")
def served(chroma_url: str, tmp_path_factory: pytest.TempPathFactory) -> Assistant:
    """An assistant whose index lives on the server and holds the bundled article."""
    local = tmp_path_factory.mktemp("app-cache")
    assistant = Assistant.open(
        settings=offline_settings(local, chroma_url=chroma_url, collection="e2e")
    )
    report = assistant.ingest(ARTICLES)
    assert report.ok and len(report.added) == 1, report
    return assistant


def test_the_index_lives_on_the_server(served: Assistant) -> None:
    local = Path(served.settings.index_dir)
    assert not (local / "chroma").exists()  # no embedded store next to the local cache
    assert served.store.nodes.count() == served.store.table.size > 0
    assert "HttpClient" in type(served.store._client).__name__ or served.store.remote


@pytest.mark.parametrize("case", SEED, ids=[c["id"] for c in SEED])
def test_dev_question_on_the_server(
    served: Assistant, case: dict[str, Any], request: pytest.FixtureRequest
) -> None:
    if case["id"] in KNOWN_MISSES:
        request.applymarker(pytest.mark.xfail(reason=KNOWN_MISSES[case["id"]], strict=False))
    answer = served.ask(case["q"], history=case.get("history"))
    check_offsets(served, answer)
    if case.get("abstain"):
        assert answer.abstained and answer.citations == [], answer.text
        return
    assert not answer.abstained, answer.text
    assert any(s.lower() in answer.text.lower() for s in case["any"]), answer.text
    assert any(any(s in c.quote for s in case["support"]) for c in answer.citations)


def test_unreachable_server_is_a_clear_error(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{free_port()}"
    with pytest.raises(AssistantError, match=r"cannot reach the Chroma server at .*chroma run"):
        Assistant.open(settings=offline_settings(tmp_path / "index", chroma_url=url))


class Chat:
    """`assistant chat` in a process of its own, fed one question at a time."""

    def __init__(self, index: Path, env: dict[str, str]) -> None:
        self.proc = subprocess.Popen(
            [*CLI, "--index", str(index), "chat"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            env={**env, "PYTHONUNBUFFERED": "1"},
            cwd=ROOT,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()
        assert "Ask about the articles" in self.wait_for("> ")

    def _read(self) -> None:
        # Raw reads, not lines: the "> " prompt has no newline after it.
        assert self.proc.stdout is not None
        fd = self.proc.stdout.fileno()
        decoder = codecs.getincrementaldecoder("utf-8")()
        while chunk := os.read(fd, 4096):
            self.lines.put(decoder.decode(chunk))

    def wait_for(self, text: str, timeout: float = 120) -> str:
        seen = ""
        deadline = time.monotonic() + timeout
        while text not in seen:
            try:
                seen += self.lines.get(timeout=max(0.1, deadline - time.monotonic()))
            except queue.Empty:
                raise AssertionError(f"no {text!r} from the chat; it said {seen!r}") from None
        return seen

    def ask(self, question: str) -> str:
        """Everything the chat prints in reply, up to its next prompt."""
        assert self.proc.stdin is not None
        self.proc.stdin.write((question + "\n").encode())
        self.proc.stdin.flush()
        return self.wait_for("\n> ")

    def close(self) -> None:
        if self.proc.stdin:
            self.proc.stdin.close()
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def test_two_app_processes_share_the_server(chroma_url: str, tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "ASSISTANT_"))}
    env.update(
        ASSISTANT_LLM="extractive", ASSISTANT_CHROMA_URL=chroma_url, ASSISTANT_COLLECTION="shared"
    )
    article = tmp_path / "harbour.txt"
    article.write_text(
        "Harbour report\nThe harbour of Tarsk was closed on Monday by the mayor, Ilse Varga.\n"
    )
    question = "Who closed the harbour of Tarsk?"
    reader = Chat(tmp_path / "reader", env)  # started before the article exists anywhere
    try:
        assert "The index is empty" in reader.ask(question)
        ingest = run_cli("ingest", str(article), index=tmp_path / "writer", env=env)
        assert ingest.returncode == 0 and "1 added" in ingest.stdout, ingest.stderr
        said = reader.ask(question)
        assert "Ilse Varga" in said and "[1] “The harbour of Tarsk" in said, said
        # The reader's BM25 cache is its own, under its own folder; the writer's under its own.
        assert any((tmp_path / "reader" / "bm25").iterdir())
        assert any((tmp_path / "writer" / "bm25").iterdir())
        # A changed article replaces the old one for the reader too.
        article.write_text(
            "Harbour report\nThe harbour of Tarsk was reopened on Friday by the port authority.\n"
        )
        update = run_cli("ingest", str(article), index=tmp_path / "writer", env=env)
        assert "1 updated" in update.stdout, update.stderr
        said = reader.ask("Who reopened the harbour of Tarsk?")
        assert "port authority" in said and "Ilse Varga" not in said, said
    finally:
        reader.close()
    shutil.rmtree(tmp_path / "reader", ignore_errors=True)


def server_env(chroma_url: str, collection: str) -> dict[str, str]:
    return cli_env(
        ASSISTANT_LLM="extractive", ASSISTANT_CHROMA_URL=chroma_url, ASSISTANT_COLLECTION=collection
    )


def lock_record(chroma_url: str, collection: str) -> dict[str, Any]:
    import chromadb

    host, port = chroma_url.rsplit(":", 1)
    client = chromadb.HttpClient(host=host.split("//")[1], port=int(port))
    meta = client.get_or_create_collection(f"{collection}_meta")
    got = meta.get(ids=["write-lock"], include=["documents", "metadatas"])
    if not got["ids"]:
        return {}
    documents, metadatas = got["documents"] or [""], got["metadatas"] or [{}]
    return {"holder": documents[0], **(metadatas[0] or {})}


@pytest.mark.slow
def test_writers_in_different_folders_are_serialized_by_the_server(
    chroma_url: str, tmp_path: Path
) -> None:
    corpus = write_corpus(tmp_path / "corpus", 120)  # outlasts the second process's start
    env = server_env(chroma_url, "writers")
    first = subprocess.Popen(
        [*CLI, "--index", str(tmp_path / "a"), "ingest", str(tmp_path / "corpus")],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=ROOT,
    )
    try:
        deadline = time.monotonic() + 120
        while not lock_record(chroma_url, "writers"):
            assert first.poll() is None and time.monotonic() < deadline, first.communicate()
            time.sleep(0.1)
        second = run_cli("ingest", str(corpus[0]), index=tmp_path / "b", env=env)
        still_running = first.poll() is None
    finally:
        out, err = first.communicate(timeout=600)
    assert still_running, "the first ingest ended before the second tried"
    assert second.returncode == 2
    assert second.stderr.startswith("error: another process (")
    assert f"is writing to the index on the Chroma server at {chroma_url}" in second.stderr
    assert first.returncode == 0 and "120 added" in out, err
    assert lock_record(chroma_url, "writers") == {}  # released
    check = run_cli("doctor", "--check", "--json", index=tmp_path / "b", env=env)
    assert check.returncode == 0 and '"documents": 120' in check.stdout, check.stderr


def test_a_dead_writers_lock_expires(chroma_url: str, tmp_path: Path) -> None:
    import chromadb

    settings = offline_settings(tmp_path / "index", chroma_url=chroma_url, collection="stale")
    assistant = Assistant.open(settings=settings)
    host, port = chroma_url.rsplit(":", 1)
    client = chromadb.HttpClient(host=host.split("//")[1], port=int(port))
    meta = client.get_or_create_collection("stale_meta")
    article = tmp_path / "note.txt"
    article.write_text("Mill news\nThe old mill of Brenn was sold to a baker in April.\n")
    # Held by a live writer elsewhere: refused.
    meta.add(
        ids=["write-lock"],
        documents=["elsewhere:4242:abcd"],
        metadatas=[{"expires": time.time() + 600}],
        embeddings=[[1.0]],  # type: ignore[arg-type]
    )
    with pytest.raises(AssistantError, match=r"another process \(elsewhere:4242\) is writing"):
        assistant.ingest(article)
    # Its holder stopped renewing it (killed): taken over.
    meta.update(ids=["write-lock"], metadatas=[{"expires": time.time() - 1}])
    assert assistant.ingest(article).added == [str(article.resolve())]
    assert lock_record(chroma_url, "stale") == {}
    assert "baker" in assistant.ask("Who bought the old mill of Brenn?").text


def test_losing_the_server_is_a_clear_error(tmp_path: Path) -> None:
    with chroma_server(tmp_path) as (url, server):
        assistant = Assistant.open(settings=offline_settings(tmp_path / "app", chroma_url=url))
        assert assistant.ask("Who closed the harbour?").abstained
        server.kill()
        server.wait()
        with pytest.raises(AssistantError, match=r"lost the Chroma server at .*chroma run"):
            assistant.ask("Who closed the harbour?")
