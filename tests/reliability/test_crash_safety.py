"""Crash safety: an ingest killed with SIGKILL at random points leaves an index that answers,
holds no half-ingested document and no duplicate node, and a re-run completes the rest.

Each round starts a worker process that opens the index (the restart), checks it, prints what it
found as one JSON line, then ingests the SQuAD corpus (paragraphs as separate files) until it
is killed after a random delay. Progress accumulates over the rounds; the last round runs to the
end. The worker checks the index independently of the store's own bookkeeping: Chroma's nodes
against the committed documents and the source files, and the BM25 table against Chroma.

ASSISTANT_CRASH_ROUNDS (default 20) and ASSISTANT_CRASH_FILES (default 100, to keep `make test`
within minutes on two shared cores) size it; the issue's full size is ASSISTANT_CRASH_FILES=300
(`make crash`). The corpus is written once per test session.
Run the worker by hand: python -m tests.reliability.test_crash_safety INDEX CORPUS_DIR. In the
test, workers are forked from one process that has done the imports, so a round costs the work,
not the imports.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import signal
import subprocess
import sys
import time
import traceback
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from assistant import Assistant
from assistant.ingest import read_article

from ..conftest import BUNDLED, ROOT, offline_settings
from ..helpers import cli_env, run_cli, write_corpus

ROUNDS = int(os.environ.get("ASSISTANT_CRASH_ROUNDS", "20"))
FILES = int(os.environ.get("ASSISTANT_CRASH_FILES", "100"))
# Kills land this long after the worker's check, while it ingests (a file takes ~0.1-0.5 s).
MAX_DELAY = float(os.environ.get("ASSISTANT_CRASH_MAX_DELAY", "3.0"))
# Files committed together: small, so that kills land between many commits.
BATCH = 4
# This file as a module, for the zygote process (run from the repository folder).
MODULE = "tests.reliability.test_crash_safety"


# ---------------------------------------------------------------------- the worker process
def check_index(assistant: Assistant, corpus: Path) -> dict[str, Any]:
    """Report every invariant of the index `assistant` just opened, as a restart would."""
    store = assistant.store
    docs = store.read_documents()
    got = store.nodes.get(include=["metadatas"])
    metas = got["metadatas"] or []
    committed = {(d.doc_id, d.version) for d in docs.values()}
    spans = Counter(
        (str(m["article_id"]), int(m["start"]), int(m["end"]))
        for m in metas
        if (str(m["article_id"]), str(m["version"])) in committed
    )
    per_doc = Counter(str(m["article_id"]) for m in metas)
    half_done = [
        d.source
        for d in docs.values()
        if per_doc[d.doc_id] != d.n_nodes
        or read_article(Path(d.source)).text != d.text
        or read_article(Path(d.source)).sha256 != d.sha256
    ]
    rows = store.committed_nodes(docs)
    table = store.table
    bm25_agrees = table.ids == [r[0] for r in rows] and [
        list(map(int, o)) for o in table.offsets
    ] == [[int(r[2][k]) for k in ("start", "end", "speaker_start", "speaker_end")] for r in rows]
    report: dict[str, Any] = {
        "documents": len(docs),
        "squad_documents": sum(1 for d in docs.values() if Path(d.source).parent == corpus),
        "nodes": len(got["ids"]),
        "expected_nodes": sum(d.n_nodes for d in docs.values()),
        "uncommitted_nodes": sum(
            1 for m in metas if (str(m["article_id"]), str(m["version"])) not in committed
        ),
        "duplicate_spans": sum(n - 1 for n in spans.values() if n > 1),
        "half_ingested": half_done,
        "bm25_agrees_with_chroma": bm25_agrees,
        "store_documents_match": set(store.documents) == set(docs),
        "repairs": store.repairs,
    }
    canary = store.find_source(str(BUNDLED.resolve()))
    if canary is not None:
        answer = assistant.ask("Who warned about Russia's reaction?")
        report["canary_answer"] = answer.text
    squad = [d for d in docs.values() if Path(d.source).parent == corpus]
    if squad:
        # A sentence of the newest committed paragraph, asked back: found, in that document.
        doc = max(squad, key=lambda d: d.source)
        start, end = next(
            (int(o[0]), int(o[1]))
            for i, o in zip(table.doc_ids, table.offsets, strict=True)
            if i == doc.doc_id and int(o[1]) - int(o[0]) > 40
        )
        sentence = doc.text[start:end]
        passages = assistant.retrieve(sentence)
        report["sentence_found"] = bool(passages) and passages[0].document.doc_id == doc.doc_id
        answer = assistant.ask(sentence)
        report["citations_exact"] = all(
            docs[store.find_source(c.source).doc_id].text[c.start : c.end] == c.quote  # type: ignore[union-attr]
            for c in answer.citations
        )
    return report


def worker(index: Path, corpus: Path) -> int:
    assistant = Assistant.open(settings=offline_settings(index, ingest_batch=BATCH))
    print(json.dumps({"check": check_index(assistant, corpus)}), flush=True)
    report = assistant.ingest([BUNDLED, corpus])
    print(json.dumps({"done": report.summary(), "failed": report.failed}), flush=True)
    return 0


def zygote(index: Path, corpus: Path) -> int:
    """Fork a fresh worker process for every "go" line on stdin. Everything is imported here
    but nothing is opened (no Chroma client, no model, no thread), so a fork is safe, and each
    worker starts in milliseconds rather than the seconds its imports take."""
    for line in sys.stdin:
        if line.strip() != "go":
            break
        pid = os.fork()
        if pid == 0:
            code = 1
            try:
                code = worker(index, corpus)
            except BaseException:
                traceback.print_exc()
            finally:
                sys.stdout.flush()
                os._exit(code)
        print(json.dumps({"pid": pid}), flush=True)
        _, status = os.waitpid(pid, 0)
        print(json.dumps({"exit": status}), flush=True)
    return 0


# ---------------------------------------------------------------------- the test
@pytest.fixture(scope="session")
def squad_corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("squad-corpus")
    assert len(write_corpus(folder, FILES)) == FILES
    return folder


class Workers:
    """Worker processes forked on demand by one long-lived zygote process."""

    def __init__(self, index: Path, corpus: Path, log: Path) -> None:
        self.log = log
        self.zygote = subprocess.Popen(
            [sys.executable, "-m", MODULE, "zygote", str(index), str(corpus)],
            cwd=ROOT,
            env=cli_env(),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=log.open("a"),
            text=True,
        )
        self.pending: list[dict[str, Any]] = []

    def start(self) -> tuple[int, dict[str, Any]]:
        """Fork a worker; returns its pid and the check it made on opening the index."""
        assert self.zygote.stdin is not None
        self.zygote.stdin.write("go\n")
        self.zygote.stdin.flush()
        pid = self.read("pid")["pid"]
        return pid, self.read("check")["check"]

    def read(self, key: str) -> dict[str, Any]:
        """The next line holding `key` (lines may come from the zygote or its worker)."""
        for i, seen in enumerate(self.pending):
            if key in seen:
                return self.pending.pop(i)
        assert self.zygote.stdout is not None
        while True:
            line = self.zygote.stdout.readline()
            assert line, f"the worker died without reporting:\n{self.log.read_text()[-3000:]}"
            got = json.loads(line)
            if key in got:
                return got
            self.pending.append(got)

    def close(self) -> None:
        if self.zygote.stdin:
            self.zygote.stdin.close()
        try:
            self.zygote.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.zygote.kill()


def assert_consistent(check: dict[str, Any], round_no: int) -> None:
    where = f"after kill {round_no}: {check}"
    assert check["nodes"] == check["expected_nodes"], where
    assert check["uncommitted_nodes"] == 0, where
    assert check["duplicate_spans"] == 0, where
    assert check["half_ingested"] == [], where
    assert check["bm25_agrees_with_chroma"] and check["store_documents_match"], where
    if "canary_answer" in check:
        assert "James Hackett" in check["canary_answer"], where
    if "sentence_found" in check:
        assert check["sentence_found"] and check["citations_exact"], where


@pytest.mark.slow
def test_sigkill_at_random_points_never_corrupts_the_index(
    squad_corpus: Path, tmp_path: Path
) -> None:
    index = tmp_path / "index"
    log = tmp_path / "worker.log"
    rng = random.Random(int(os.environ.get("ASSISTANT_CRASH_SEED", "6")))
    kills = []
    progress = []
    repaired = 0  # restarts that found (and removed) the nodes of an interrupted document
    ingesting = 0.0  # seconds the killed workers ingested, for the machine's speed
    workers = Workers(index, squad_corpus, log)
    try:
        for round_no in range(1, ROUNDS + 1):
            pid, check = workers.start()
            assert_consistent(check, round_no - 1)
            progress.append(check["squad_documents"])
            repaired += bool(check["repairs"])
            # Kills land at a random point of what is left to ingest, measured on this machine:
            # on a fast one the corpus would otherwise be in after two rounds, with nothing
            # left to interrupt. Half of the time the rest would take, at the rate seen so far.
            # On a loaded one, rounds that commit nothing wait longer (up to 8 times).
            rate = progress[-1] / ingesting if ingesting and progress[-1] else 0.0
            stalled = len(progress) - 1 - progress.index(progress[-1])
            longest = MAX_DELAY * 2 ** min(stalled, 3)
            left = (FILES - progress[-1]) / rate if rate else longest
            delay = rng.uniform(0.05, max(0.5, min(longest, left / 2)))
            ingesting += delay
            time.sleep(delay)
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
            status = workers.read("exit")["exit"]
            if os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL:
                kills.append(round(delay, 2))
            else:
                assert os.WEXITSTATUS(status) == 0, log.read_text()[-3000:]
        # The re-run completes the rest...
        _, check = workers.start()
        assert_consistent(check, ROUNDS)
        done = workers.read("done")
        assert workers.read("exit")["exit"] == 0
        assert done["failed"] == [], done
        # ...and the index it leaves holds every file once, and answers.
        pid, final = workers.start()
        os.kill(pid, signal.SIGKILL)
        workers.read("exit")
    finally:
        workers.close()
    assert_consistent(final, ROUNDS + 1)
    assert final["squad_documents"] == FILES and final["documents"] == FILES + 1
    assert "James Hackett" in final["canary_answer"]
    # Some kills must land while it ingests, or the test proved nothing; how many depends on
    # the machine's speed (rounds after the last file is in have nothing left to interrupt).
    assert len(kills) >= 3, kills
    # ...and some after a commit, before the last: a restart found part of the corpus in.
    assert any(0 < done < FILES for done in progress), progress
    print(
        f"\n{len(kills)} kills at {kills} s; {repaired} restarts removed an interrupted "
        f"document's nodes; SQuAD documents committed at each restart: {progress}"
    )
    result = run_cli("doctor", "--check", index=index, env=dict(os.environ))
    assert result.returncode == 0 and result.stdout.splitlines()[-1] == "the index is healthy"


if __name__ == "__main__":
    if sys.argv[1] == "zygote":
        sys.exit(zygote(Path(sys.argv[2]), Path(sys.argv[3])))
    sys.exit(worker(Path(sys.argv[1]), Path(sys.argv[2])))
