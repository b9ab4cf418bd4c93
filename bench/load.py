"""Bounded load test on 127.0.0.1: many concurrent askers for a fixed time, then it stops.

    python -m bench.load                       # 50 askers x 60 s: the Python API, then the web app
    python -m bench.load --askers 5 --seconds 5 --mode api
    make load

First every question of the shared dev set (and of tests/data/more_questions.jsonl) is asked
once, alone; the questions answered correctly (their expected text in the answer, or an
abstention where one is expected) become the workload, and that first answer becomes each
question's reference. Under load every answer must then be exactly its own question's reference,
for its own question: an answer to another asker's question counts as `wrong`.

The API part runs askers as threads on one `Assistant`. The web part starts `assistant serve` in
its own process on a free port of 127.0.0.1 and gives each asker a `gradio_client.Client` of its
own: half call the named `/ask` endpoint, half chat through `/chat`, where each client is a
session whose history the server keeps, and every reply must show that session's questions
only. Reports throughput, latency percentiles, errors, wrong answers, and resident memory at the
start and the end (of this process for the API, of the server for the web app).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from bench.processes import free_port, serving

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("ASSISTANT_SHARED_DIR", ROOT.parent / "shared"))
GOLD = [SHARED / "eval" / "dev_seed.jsonl", ROOT / "tests" / "data" / "more_questions.jsonl"]
ARTICLES = ROOT / "data" / "articles"
SERVE = [sys.executable, "-m", "assistant.cli"]


@dataclass(frozen=True)
class Case:
    question: str
    history: tuple[str, ...]
    reference: str  # the answer text given when asked alone


@dataclass
class LoadResult:
    mode: str
    askers: int
    seconds: float
    questions: int
    excluded: list[str] = field(default_factory=list)  # ids answered wrongly even alone
    answers: int = 0
    errors: int = 0
    wrong: int = 0
    error_samples: list[str] = field(default_factory=list)
    wrong_samples: list[str] = field(default_factory=list)
    throughput: float = 0.0
    p50_ms: float = 0.0
    p95_ms: float = 0.0
    p99_ms: float = 0.0
    max_ms: float = 0.0
    rss_start_mb: float = 0.0
    rss_end_mb: float = 0.0
    by_endpoint: dict[str, dict[str, int]] = field(default_factory=dict)
    rss_samples_mb: list[float] = field(default_factory=list)

    def line(self) -> str:
        return (
            f"{self.mode:4} {self.askers:3} askers {self.seconds:5.0f}s  {self.answers:6} answers "
            f"{self.throughput:7.1f}/s  p50 {self.p50_ms:7.0f} ms  p95 {self.p95_ms:7.0f} ms  "
            f"p99 {self.p99_ms:7.0f} ms  errors {self.errors}  wrong {self.wrong}  "
            f"RSS {self.rss_start_mb:.0f} -> {self.rss_end_mb:.0f} MB"
        )


def load_cases(assistant: Any) -> tuple[list[Case], list[str]]:
    """The questions answered correctly when asked alone, with that answer as the reference."""
    cases, excluded = [], []
    for path in GOLD:
        if not path.exists():
            continue
        for raw in path.read_text().splitlines():
            if not raw.strip():
                continue
            gold = json.loads(raw)
            history = tuple(gold.get("history") or ())
            answer = assistant.ask(gold["q"], history=list(history))
            if gold.get("abstain"):
                right = answer.abstained
            else:
                right = any(s.lower() in answer.text.lower() for s in gold["any"])
            if right:
                cases.append(Case(gold["q"], history, answer.text))
            else:
                excluded.append(gold["id"])
    return cases, excluded


def rss_mb(pid: int | None = None) -> float:
    status = Path(f"/proc/{pid or os.getpid()}/status").read_text()
    kb = next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS"))
    return kb / 1024


def _drive(
    ask: Callable[[int, Case], str],
    cases: list[Case],
    askers: int,
    seconds: float,
    result: LoadResult,
    kind: Callable[[int], str] = lambda worker: "all",
    memory: Callable[[], float] = rss_mb,
) -> None:
    """Run `askers` threads for `seconds`; `ask(worker, case)` asks and returns what was wrong
    with the answer ('' when it was the right answer, to the right asker)."""
    latencies: list[float] = []
    by_kind: dict[str, list[float]] = {}
    lock = threading.Lock()
    deadline = time.monotonic() + seconds
    start = threading.Barrier(askers + 1)

    def asker(worker: int) -> None:
        rng = random.Random(worker)
        start.wait()
        while time.monotonic() < deadline:
            case = rng.choice(cases)
            began = time.perf_counter()
            try:
                problem = ask(worker, case)
            except Exception as exc:  # every failure is counted, whatever it is
                with lock:
                    result.errors += 1
                    if len(result.error_samples) < 5:
                        result.error_samples.append(f"{type(exc).__name__}: {exc}"[:300])
                continue
            took = time.perf_counter() - began
            with lock:
                latencies.append(took)
                by_kind.setdefault(kind(worker), []).append(took)
                if problem:
                    result.wrong += 1
                    if len(result.wrong_samples) < 5:
                        result.wrong_samples.append(problem[:300])

    def sample_memory() -> None:
        # Every tenth of the run: growth that levels off is warm-up; steady growth is a leak.
        while not start.broken and time.monotonic() < deadline:
            result.rss_samples_mb.append(round(memory(), 1))
            time.sleep(seconds / 10)

    threads = [threading.Thread(target=asker, args=(i,), daemon=True) for i in range(askers)]
    for t in threads:
        t.start()
    threading.Thread(target=sample_memory, daemon=True).start()
    began = time.monotonic()
    start.wait()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - began
    result.answers = len(latencies)
    result.throughput = len(latencies) / elapsed if elapsed else 0.0
    if latencies:
        ms = np.asarray(latencies) * 1000
        p50, p95, p99 = np.percentile(ms, [50, 95, 99])
        result.p50_ms, result.p95_ms, result.p99_ms = float(p50), float(p95), float(p99)
        result.max_ms = float(ms.max())
    if len(by_kind) > 1:
        for name, times in sorted(by_kind.items()):
            p50, p95, p99 = np.percentile(np.asarray(times) * 1000, [50, 95, 99])
            result.by_endpoint[name] = {
                "answers": len(times),
                "p50_ms": round(float(p50)),
                "p95_ms": round(float(p95)),
                "p99_ms": round(float(p99)),
            }


def _mismatch(case: Case, question: str, text: str) -> str:
    if question != case.question or text != case.reference:
        return f"asked {case.question!r}, got the answer to {question!r}: {text[:120]!r}"
    return ""


def _text(message: dict[str, Any]) -> str:
    content = message["content"]
    if isinstance(content, list):
        return "".join(str(part.get("text", "")) for part in content if isinstance(part, dict))
    return str(content)


def run_api(assistant: Any, askers: int, seconds: float) -> LoadResult:
    """Askers as threads sharing one `Assistant`, as the web app's workers do."""
    cases, excluded = load_cases(assistant)
    result = LoadResult("api", askers, seconds, len(cases), excluded)
    result.rss_start_mb = rss_mb()

    def ask(worker: int, case: Case) -> str:
        answer = assistant.ask(case.question, history=list(case.history))
        question = answer.question if not case.history else case.question
        return _mismatch(case, question, answer.text)

    _drive(ask, cases, askers, seconds, result)
    result.rss_end_mb = rss_mb()
    return result


def run_web(assistant: Any, index: Path, askers: int, seconds: float) -> LoadResult:
    """Askers with a `gradio_client.Client` each, against `assistant serve` in its own process:
    half call `/ask`, half chat through `/chat` (a session each)."""
    from gradio_client import Client

    from assistant.interfaces import render

    cases, excluded = load_cases(assistant)
    cases = [c for c in cases if not c.history]  # /ask takes one question, no history
    result = LoadResult("web", askers, seconds, len(cases), excluded)
    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "ASSISTANT_"))}
    env.update(ASSISTANT_LLM="extractive", GRADIO_ANALYTICS_ENABLED="False", NO_PROXY="127.0.0.1")
    command = [*SERVE, "--index", str(index), "serve", "--host", "127.0.0.1", "--port", str(port)]
    with (
        tempfile.TemporaryDirectory() as logs,
        serving(command, url, Path(logs) / "serve.log", timeout=120, env=env) as server,
    ):
        clients = [Client(url, verbose=False) for _ in range(askers)]
        clients[0].predict(cases[0].question, api_name="/ask")  # warm the server up
        sessions: dict[int, list[str]] = {}
        result.rss_start_mb = rss_mb(server.pid)

        def ask(worker: int, case: Case) -> str:
            if worker % 2 == 0:  # the stateless endpoint scripts use
                got = clients[worker].predict(case.question, api_name="/ask")
                return _mismatch(case, str(got["question"]), str(got["answer"]))
            return chat(worker, case)

        def chat(worker: int, case: Case) -> str:
            """The web chat's own endpoint: a session per client, its history on the server.
            Every reply must show this session's questions and no one else's."""
            asked = sessions.setdefault(worker, [])
            if len(asked) == 2:  # a new session, so answers are not follow-ups
                # A new session hash, as a new browser tab gets: a new Client would also fetch
                # the app's config and API schema, which is a page load, not a chat answer.
                clients[worker].reset_session()
                asked.clear()
            asked.append(case.question)
            messages = clients[worker].predict(case.question, api_name="/chat")[0]
            shown = [_text(m) for m in messages if m["role"] == "user"]
            if shown != [render.question_html(q) for q in asked]:
                return f"session {worker} asked {asked}, its chat shows {shown}"
            # The reference up to its first citation marker (the chat styles the markers).
            lead = case.reference.split(" [", 1)[0][:60]
            if len(asked) == 1 and render.escape(lead) not in _text(messages[-1]):
                return f"asked {case.question!r}, the chat answered {_text(messages[-1])[:120]!r}"
            return ""

        _drive(
            ask,
            cases,
            askers,
            seconds,
            result,
            kind=lambda w: "/ask" if w % 2 == 0 else "/chat",
            memory=lambda: rss_mb(server.pid),
        )
        result.rss_end_mb = rss_mb(server.pid)
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--askers", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--mode", choices=["api", "web", "both"], default="both")
    parser.add_argument("--index", type=Path, help="an index to use (default: a fresh one)")
    parser.add_argument("--json", type=Path, help="also write the results to this file")
    args = parser.parse_args(argv)

    from assistant import Assistant, Settings

    index = args.index or Path(tempfile.mkdtemp(prefix="load-index-"))
    settings = Settings(
        index_dir=index,
        llm="extractive",
        openai_api_key=None,
        openai_base_url=None,
    )
    assistant = Assistant.open(settings=settings)
    if not assistant.documents():
        assert assistant.ingest(ARTICLES).ok
    results = []
    if args.mode in ("api", "both"):
        results.append(run_api(assistant, args.askers, args.seconds))
        print(results[-1].line(), flush=True)
    if args.mode in ("web", "both"):
        results.append(run_web(assistant, index, args.askers, args.seconds))
        print(results[-1].line(), flush=True)
    for r in results:
        for name, figures in r.by_endpoint.items():
            print(f"{r.mode} {name}: " + ", ".join(f"{k} {v}" for k, v in figures.items()))
        print(f"{r.mode} RSS every {r.seconds / 10:g} s (MB): {r.rss_samples_mb}")
        if r.excluded:
            print(f"{r.mode}: {r.questions} questions; left out (wrong even alone): {r.excluded}")
        for sample in r.error_samples + r.wrong_samples:
            print(f"{r.mode}: {sample}")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps([asdict(r) for r in results], indent=2))
    return 0 if all(r.errors == 0 and r.wrong == 0 for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
