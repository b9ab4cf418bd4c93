"""Two processes at one index: a second writer gets a clear error and changes nothing; readers
opening the index while a writer is mid-document leave its nodes alone. Real processes."""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path

import pytest

from assistant import Assistant

from ..conftest import ROOT, offline_settings
from ..helpers import CLI, cli_env, run_cli, write_corpus


def start(*args: str, index: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [*CLI, "--index", str(index), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=cli_env(ASSISTANT_LLM="extractive"),
        cwd=ROOT,
    )


def holds_write_lock(pid: int, index: Path, timeout: float = 120) -> bool:
    """Wait until `pid` holds the index's write lock (read from /proc/locks, not by locking)."""
    lock = index / ".write.lock"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if lock.exists():
            inode = lock.stat().st_ino
            for line in Path("/proc/locks").read_text().splitlines():
                fields = line.split()
                if "FLOCK" in fields and fields[4] == str(pid) and fields[5].endswith(f":{inode}"):
                    return True
        time.sleep(0.05)
    return False


def doctor_check(index: Path) -> dict:
    result = run_cli("doctor", "--check", "--json", index=index, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    return json.loads(result.stdout)


@pytest.fixture(scope="module")
def folders(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("writers")
    # Long enough that a second process (2-3 s of imports) starts while the first still writes.
    paths = write_corpus(root / "all", 130)
    first, second = root / "first", root / "second"
    first.mkdir()
    second.mkdir()
    for i, path in enumerate(paths):
        path.rename((first if i < 120 else second) / path.name)
    return first, second


@pytest.mark.slow
def test_second_writer_gets_a_clear_error_and_changes_nothing(
    folders: tuple[Path, Path], tmp_path: Path
) -> None:
    first, second = folders
    index = tmp_path / "index"
    writer = start("ingest", str(first), index=index)
    try:
        assert holds_write_lock(writer.pid, index), writer.communicate()
        other = run_cli("ingest", str(second), index=index, timeout=600)
        still_running = writer.poll() is None
    finally:
        out, err = writer.communicate(timeout=600)
    assert still_running, "the first ingest ended before the second tried; make it longer"
    assert other.returncode == 2
    assert other.stderr == (
        f"error: another process is writing to the index at {index}; "
        "wait for it to finish and run the command again.\n"
    )
    assert writer.returncode == 0, err
    assert "120 added, 0 updated, 0 unchanged, 0 failed" in out
    state = doctor_check(index)
    assert state["healthy"] and state["documents"] == 120
    # Run again once the first is done, the second completes; the index holds both, once.
    again = run_cli("ingest", str(second), index=index, timeout=600)
    assert again.returncode == 0 and "10 added" in again.stdout
    state = doctor_check(index)
    assert state["healthy"] and state["documents"] == 130


@pytest.mark.slow
def test_readers_opening_during_an_ingest_leave_its_nodes_alone(
    folders: tuple[Path, Path], tmp_path: Path
) -> None:
    first, _ = folders
    index = tmp_path / "index"
    writer = start("ingest", str(first), index=index)
    answers: list[dict] = []
    try:
        assert holds_write_lock(writer.pid, index)
        # Each `ask` opens the index while the writer has nodes in Chroma whose document record
        # is not written yet; they look like a crash's orphans, but are not.
        while writer.poll() is None and len(answers) < 3:
            asked = run_cli(
                "ask", "--json", "When did the 1973 oil crisis begin?", index=index, timeout=600
            )
            assert asked.returncode == 0, asked.stderr
            answers.append(json.loads(asked.stdout))
    finally:
        _, err = writer.communicate(timeout=600)
    assert writer.returncode == 0, err
    assert answers, "the ingest ended before any reader opened the index"
    state = doctor_check(index)
    assert state["healthy"] and state["documents"] == 120 and state["orphans"] == 0
    passages = Assistant.open(settings=offline_settings(index)).retrieve(
        "When did the 1973 oil crisis begin?"
    )
    assert any(p.document.title == "1973 oil crisis" for p in passages[:3]), passages


def test_reloads_in_other_threads_leave_an_ingest_alone(
    folders: tuple[Path, Path], tmp_path: Path
) -> None:
    """The web app's case: one thread ingests an upload while others answer questions (each
    answer may reload the index) in the same process."""
    import threading

    from assistant.index.doctor import doctor

    _, second = folders
    assistant = Assistant.open(settings=offline_settings(tmp_path / "index"))
    done = threading.Event()
    reloads = 0

    def reload_until_done() -> None:
        nonlocal reloads
        while not done.is_set():
            assistant.store.reload()
            reloads += 1

    readers = [threading.Thread(target=reload_until_done) for _ in range(2)]
    for t in readers:
        t.start()
    try:
        report = assistant.ingest(second)
    finally:
        done.set()
        for t in readers:
            t.join()
    assert report.ok and len(report.added) == 10 and reloads > 0
    state = doctor(assistant.settings, repair=False)
    assert state.healthy and state.documents == 10 and state.orphans == 0, state.lines()
