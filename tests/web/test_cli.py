"""The `assistant` command in real processes: JSON output, exit codes, one-line errors, offline."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from assistant import Assistant

from ..conftest import ARTICLES, BUNDLED
from ..helpers import CLI, cli_env, run_cli

# Runs the CLI with every outgoing connection refused: proof that nothing is fetched.
NO_NETWORK = (
    "import socket, sys\n"
    "def refuse(*a, **k): raise OSError('network disabled by the test')\n"
    "socket.socket.connect = refuse\n"
    "socket.create_connection = refuse\n"
    "from assistant.interfaces.cli import main\n"
    "sys.exit(main(sys.argv[1:]))\n"
)
OFFLINE = [sys.executable, "-c", NO_NETWORK]


def run(*args: str, index: Path, offline: bool = False) -> subprocess.CompletedProcess[str]:
    """`assistant --index INDEX ARGS` offline; with `offline`, every connection refused."""
    return run_cli(*args, index=index, command=OFFLINE if offline else CLI)


@pytest.fixture(scope="module")
def cli_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    index = tmp_path_factory.mktemp("cli-index")
    result = run("ingest", str(ARTICLES), index=index, offline=True)
    assert result.returncode == 0, result.stderr
    assert "1 added" in result.stdout
    return index


def test_ask_json_offline(cli_index: Path) -> None:
    result = run(
        "ask", "--json", "Who warned about Russia's reaction?", index=cli_index, offline=True
    )
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert {"answer", "abstained", "backend", "citations", "timings_ms"} <= set(data)
    assert "James Hackett" in data["answer"] and data["abstained"] is False
    assert data["backend"] == "extractive"
    text = Assistant.open(cli_index).document(BUNDLED).text
    for c in data["citations"]:
        assert {"n", "quote", "title", "source", "start", "end"} <= set(c)
        assert text[c["start"] : c["end"]] == c["quote"]


def test_ask_with_history(cli_index: Path) -> None:
    result = run(
        "ask",
        "--json",
        "--history",
        "Who is Kamal Alam?",
        "What does he think could change Russia's stance?",
        index=cli_index,
    )
    data = json.loads(result.stdout)
    assert "West" in data["answer"]
    assert "Kamal Alam" in data["question"]


def test_abstention_exits_zero_with_no_citations(cli_index: Path) -> None:
    result = run("ask", "--json", "Who will win the next football World Cup?", index=cli_index)
    assert result.returncode == 0
    data = json.loads(result.stdout)
    assert data["abstained"] is True and data["citations"] == []


def test_plain_ask_prints_answer_and_sources(cli_index: Path) -> None:
    result = run("ask", "Who is Kamal Alam?", index=cli_index)
    assert result.returncode == 0
    assert result.stdout.startswith("Kamal Alam, a Pakistan analyst")
    assert "[1] “Kamal Alam" in result.stdout


def test_a_cited_quotation_is_printed_in_one_pair_of_quotation_marks(cli_index: Path) -> None:
    result = run("ask", "Who warned about Russia's reaction?", index=cli_index)
    assert result.returncode == 0
    assert "“So in this context" in result.stdout
    assert "““" not in result.stdout and "””" not in result.stdout


@pytest.mark.parametrize("question", ["", "   ", "q" * 4001])
def test_bad_question_is_a_one_line_error(cli_index: Path, question: str) -> None:
    result = run("ask", question, index=cli_index)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ")
    assert "Traceback" not in result.stderr


def test_ingest_failures_exit_nonzero_and_name_the_file(cli_index: Path, tmp_path: Path) -> None:
    result = run("ingest", str(tmp_path / "missing.txt"), index=cli_index)
    assert result.returncode == 1
    assert "missing.txt: no such file or folder" in result.stderr
    assert "Traceback" not in result.stderr


def test_unwritable_index_is_a_one_line_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    result = run("ask", "Who?", index=blocker / "index")
    assert result.returncode == 2
    assert result.stderr.startswith("error: index folder") and "not writable" in result.stderr


def chat(index: Path, typed: str) -> subprocess.CompletedProcess[str]:
    """`assistant chat` offline, with `typed` as what the user types."""
    return run_cli("chat", index=index, stdin=typed, env=cli_env())


def test_chat_repl_answers_follow_ups(cli_index: Path) -> None:
    result = chat(cli_index, "Who is James Hackett?\nWhat did he say Russia would do?\n\n")
    assert result.returncode == 0, result.stderr
    assert "International Institute for Strategic Studies" in result.stdout
    assert "weigh carefully" in result.stdout


def test_chat_repl_reads_a_follow_up_with_the_answer_before_it(cli_index: Path) -> None:
    # The question names no person; "he" is the analyst the answer named.
    result = chat(cli_index, "Who warned about Russia's reaction?\nWhat else did he say?\n\n")
    assert result.returncode == 0, result.stderr
    first, follow = result.stdout.split("\n> ")[1:3]
    assert "heavily invested" not in first and "weigh carefully" in first
    # "else": what he said besides what the answer before quoted.
    answered = follow.split("\n")[0]
    assert "heavily invested" in answered and "weigh carefully" not in answered, follow


def test_documents_lists_titles(cli_index: Path) -> None:
    result = run("documents", index=cli_index)
    assert "Russia And Vladimir Putin Could Back Pakistan" in result.stdout
    assert "by Thomas Mackie" in result.stdout


def test_bad_setting_is_a_one_line_error(cli_index: Path) -> None:
    result = run_cli(
        "ask", "Who is Kamal Alam?", index=cli_index, env=cli_env(ASSISTANT_TOP_K="many")
    )
    assert result.returncode == 2
    assert result.stderr.startswith("error: bad setting ASSISTANT_TOP_K='many'")
    assert len(result.stderr.strip().splitlines()) == 1
