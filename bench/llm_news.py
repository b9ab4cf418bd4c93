"""news_dev through the model path, with a real instruct model behind llama.cpp's server.

    .venv/bin/python -m bench.llm_news [--questions N] [--url URL] [--tag NAME] [--cases FILE]
    .venv/bin/python -m bench.llm_news --set heldout --tag heldout   # bench/news_heldout

Starts llama.cpp's OpenAI-compatible server (`python -m llama_cpp.server`, from .venv-llm, on
127.0.0.1, 2 threads, its prompt cache on) with Qwen2.5-Coder-1.5B-Instruct Q4_K_M (assembled by
`bench.llm_model`), indexes `../shared/eval/news_dev/txt/` into a temporary index and asks every
question of `questions.jsonl` through `Assistant.stream` with the server as `openai_base_url`,
scored by bench.news's rule (a follow-up's history is asked first, as a chat would). Reports
answers right, unanswerable abstained, false abstentions, citation precision, the share of
answer sentences the support check flags unsupported, time to the first streamed piece and to
the whole answer (p50, p95: from the call, so condensing and retrieval count), and the server's
prompt and generation tokens per second (from its log). `--questions N` asks N questions spread
evenly over the set; `--url` uses a server already running. Results go to
`bench/results/llm_news.{md,json}` (`--tag T`: `llm_news-T.*`); the JSON keeps every answer
sentence with the quotes it cites, the material of `bench/support_labels.jsonl`.

Slow (about 10 s an answer on 2 cores), so not in `make bench`'s default run.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import tempfile
import time
from collections.abc import Iterator
from dataclasses import asdict, fields
from pathlib import Path
from typing import Any

from assistant import Answer, Assistant
from assistant.conversation import History
from bench.processes import free_port, serving

from .common import (
    RESULTS,
    ROOT,
    bench_settings,
    command,
    facts_markdown,
    log,
    machine_facts,
    markdown_table,
    percentile,
    write_result,
)
from .llm_model import MODEL_ALIAS, assemble
from .news import (
    NEWS_DEV,
    NEWS_HELDOUT,
    Case,
    Scored,
    heldout_pages,
    load_cases,
    metrics,
    score_case,
)

LLAMA_PYTHON = Path(os.environ.get("ASSISTANT_LLAMA_PYTHON", ROOT / ".venv-llm" / "bin" / "python"))
# The server's prompt cache (bytes), counted as llama-cpp-python counts it: by the KV state alone
# (about 15 MB a prompt for this model), while each kept state also holds the prompt's logits
# (tokens x 151,936 vocabulary x 4 bytes: 300 MB and more). At the default 2 GiB the server grew
# to 22 GB over 60 questions and was killed for want of memory; at 256 MB, 500 MB a question.
# Three states: the system prompt's prefix, and the condense and answer prompts of a turn.
CACHE_BYTES = 48 << 20
_PERF = re.compile(
    r"^\s*(?:llama_perf_context_print:\s*)?(prompt eval|eval) time =\s*([\d.]+) ms /\s*(\d+)",
    re.MULTILINE,
)


class Timed(Assistant):
    """Assistant whose `ask` streams, recording when the first piece and the answer came."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.asked: list[dict[str, Any]] = []

    def ask(self, question: str, history: History | None = None, **filters: Any) -> Answer:
        started = time.perf_counter()
        first: float | None = None
        answer: Answer | None = None
        for piece in self.stream(question, history=history, **filters):
            if isinstance(piece, Answer):
                answer = piece
            elif first is None and piece.strip():
                first = time.perf_counter()
        assert answer is not None
        done = time.perf_counter()
        quotes = {c.n: c.quote for c in answer.citations}
        sources = {c.n: Path(c.source).stem for c in answer.citations}
        self.asked.append(
            {
                "question": question,
                "standalone": answer.question,
                "backend": answer.backend,
                "abstained": answer.abstained,
                "model_asked": "first_token" in answer.timings_ms,
                "first_piece_ms": round(((first or done) - started) * 1000, 1),
                "total_ms": round((done - started) * 1000, 1),
                "timings_ms": answer.timings_ms,
                "text": answer.text,
                "note": answer.note,
                "sentences": [
                    {
                        "text": s.text,
                        "supported": s.supported,
                        "cited": [quotes[n] for n in s.citations if n in quotes],
                        "articles": sorted({sources[n] for n in s.citations if n in sources}),
                    }
                    for s in answer.sentences
                ],
            }
        )
        return answer


def spread(cases: list[Case], n: int) -> list[Case]:
    """n cases spread evenly over the file (all of them when n is 0 or too large)."""
    if n <= 0 or n >= len(cases):
        return cases
    step = len(cases) / n
    return [cases[int(i * step)] for i in range(n)]


@contextlib.contextmanager
def llama_server(log_path: Path, threads: int = 2, n_ctx: int = 4096) -> Iterator[str]:
    """llama.cpp's OpenAI-compatible server on a free port; yields its /v1 URL."""
    if not LLAMA_PYTHON.exists():
        raise SystemExit(
            f"no llama.cpp server Python at {LLAMA_PYTHON}: run `make .venv-llm/.installed` "
            "(or set ASSISTANT_LLAMA_PYTHON)"
        )
    gguf = assemble()
    port = free_port()
    server = [
        str(LLAMA_PYTHON),
        "-m",
        "llama_cpp.server",
        "--model",
        str(gguf),
        "--model_alias",
        MODEL_ALIAS,
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--n_threads",
        str(threads),
        "--n_threads_batch",
        str(threads),
        "--n_ctx",
        str(n_ctx),
        # Keeps evaluated prompts, so the system prompt's tokens are not evaluated again; kept
        # small (CACHE_BYTES: llama-cpp-python 0.3.36 undercounts what it holds).
        "--cache",
        "true",
        "--cache_size",
        str(CACHE_BYTES),
    ]
    url = f"http://127.0.0.1:{port}/v1"
    with serving(server, url + "/models", log_path, timeout=180):
        yield url


def token_rates(text: str) -> dict[str, float | int | None]:
    """Tokens and tokens per second of prompt evaluation and generation in the server's log."""
    sums = {"prompt eval": [0.0, 0], "eval": [0.0, 0]}
    for kind, ms, tokens in _PERF.findall(text):
        sums[kind][0] += float(ms)
        sums[kind][1] += int(tokens)
    prompt_ms, prompt_tokens = sums["prompt eval"]
    gen_ms, gen_tokens = sums["eval"]
    return {
        "prompt_tokens": int(prompt_tokens),
        "prompt_tokens_per_s": round(prompt_tokens / prompt_ms * 1000, 1) if prompt_ms else None,
        "generated_tokens": int(gen_tokens),
        "generated_tokens_per_s": round(gen_tokens / gen_ms * 1000, 1) if gen_ms else None,
    }


def run(
    url: str,
    cases: list[Case],
    model: str,
    partial: Path | None = None,
    done: list[dict[str, Any]] | None = None,
    sources: list[Path] | None = None,
) -> tuple[list[Scored], list[dict[str, Any]]]:
    """Every case asked and scored; the records so far are rewritten to `partial` as it goes.
    The cases of `done` (records of an earlier, interrupted run) are kept, not asked again."""
    with tempfile.TemporaryDirectory(prefix="llm-news-") as tmp:
        settings = bench_settings(
            Path(tmp),
            llm="openai",
            model=model,
            openai_base_url=url,
            request_timeout=300.0,
            max_retries=0,
            fallback="none",
        )
        assistant = Timed(settings)
        report = assistant.ingest(sources or [NEWS_DEV / "txt"])
        if report.failed:
            log(f"txt: {len(report.failed)} failed: {report.failed}")
        assistant.retrieve("warm up")
        records: list[dict[str, Any]] = list(done or [])
        results = [Scored(**{f.name: r[f.name] for f in fields(Scored)}) for r in records]
        asked_before = {r["id"] for r in records}
        for i, case in enumerate(cases, 1):
            if case.id in asked_before:
                continue
            before = len(assistant.asked)
            scored = score_case(assistant, case)
            asked = assistant.asked[before:]
            results.append(scored)
            records.append({"id": case.id, "kind": case.kind, "asked": asked, **asdict(scored)})
            if partial is not None:
                partial.write_text(json.dumps({"cases": records}, ensure_ascii=False) + "\n")
            mark = "ok " if scored.right else "NO "
            seconds = asked[-1]["total_ms"] / 1000
            log(
                f"{i}/{len(cases)} {mark}{case.id} [{case.kind}] {seconds:.1f}s "
                f"{case.q} -> {scored.answer[:140]!r}"
            )
    return results, records


def summary_of(results: list[Scored], records: list[dict[str, Any]]) -> dict[str, Any]:
    summary = metrics(results)
    finals = [r["asked"][-1] for r in records]
    modelled = [a for a in finals if a["model_asked"]]
    sentences = [s for a in finals if not a["abstained"] for s in a["sentences"]]
    summary.update(
        {
            "model_asked": len(modelled),
            "model_abstained": sum(a["abstained"] for a in modelled),
            "sentences": len(sentences),
            "flagged_unsupported": sum(not s["supported"] for s in sentences),
            "flagged_share": round(
                sum(not s["supported"] for s in sentences) / max(len(sentences), 1), 3
            ),
            "first_piece_ms_p50": round(percentile([a["first_piece_ms"] for a in finals], 50), 1),
            "first_piece_ms_p95": round(percentile([a["first_piece_ms"] for a in finals], 95), 1),
            "answer_ms_p50": round(percentile([a["total_ms"] for a in finals], 50), 1),
            "answer_ms_p95": round(percentile([a["total_ms"] for a in finals], 95), 1),
            "model_answer_ms_p50": round(
                percentile([a["total_ms"] for a in modelled] or [0.0], 50), 1
            ),
            "model_first_token_ms_p50": round(
                percentile([a["timings_ms"]["first_token"] for a in modelled] or [0.0], 50), 1
            ),
        }
    )
    return summary


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=int, default=0, help="ask N spread evenly (0: all)")
    parser.add_argument("--ids", default="", help="comma-separated case ids to ask instead")
    parser.add_argument(
        "--cases",
        type=Path,
        default=NEWS_DEV / "questions.jsonl",
        help="a questions file in news_dev's format (bench/support_questions.jsonl: questions "
        "written to draw answer sentences for the support labels; their scores mean nothing)",
    )
    parser.add_argument(
        "--set",
        choices=("dev", "heldout"),
        default="dev",
        help="heldout: bench/news_heldout's questions over its saved pages (overrides --cases)",
    )
    parser.add_argument("--url", default="", help="an OpenAI-compatible server already running")
    parser.add_argument("--model", default=MODEL_ALIAS, help="model name the server serves")
    parser.add_argument("--threads", type=int, default=2, help="llama.cpp threads")
    parser.add_argument("--tag", default="", help="write llm_news-TAG.{md,json}")
    parser.add_argument(
        "--resume",
        action="store_true",
        help="keep the answers of an interrupted run (its .partial.json) and ask the rest",
    )
    parser.add_argument("--results", type=Path, default=RESULTS, help="where results are written")
    args = parser.parse_args(argv)
    heldout = args.set == "heldout"
    cases = load_cases(NEWS_HELDOUT / "questions.jsonl" if heldout else args.cases)
    sources = heldout_pages(cases) if heldout else None
    if args.ids:
        wanted = set(args.ids.split(","))
        cases = [c for c in cases if c.id in wanted]
    else:
        cases = spread(cases, args.questions)
    name = f"llm_news-{args.tag}" if args.tag else "llm_news"
    log_path = args.results / f"{name}.server.log"
    partial = args.results / f"{name}.partial.json"
    args.results.mkdir(parents=True, exist_ok=True)
    done: list[dict[str, Any]] = []
    if args.resume and partial.is_file():
        wanted = {c.id for c in cases}
        done = [r for r in json.loads(partial.read_text())["cases"] if r["id"] in wanted]
        log(f"resuming: {len(done)} of {len(cases)} questions asked before")
    started = time.perf_counter()
    if args.url:
        results, records = run(args.url, cases, args.model, partial, done, sources)
        rates: dict[str, Any] = {}
    else:
        with llama_server(log_path, args.threads) as url:
            results, records = run(url, cases, args.model, partial, done, sources)
        rates = token_rates(log_path.read_text(errors="replace"))
    summary = summary_of(results, records) | rates
    summary["minutes"] = round((time.perf_counter() - started) / 60, 1)
    data: dict[str, Any] = {
        "command": command("bench.llm_news", argv),
        "machine": machine_facts(),
        "model": args.model,
        "summary": summary,
        "cases": records,
    }

    def seconds(key: str) -> str:
        return f"{summary[key + '_ms_p50'] / 1000:.1f} / {summary[key + '_ms_p95'] / 1000:.1f}"

    rows = [
        [
            "answers right",
            f"{summary['answered_right']}/{summary['answerable']}",
            summary["answers"],
            ">= 0.65",
        ],
        [
            "unanswerable abstained",
            f"{summary['abstained_right']}/{summary['unanswerable']}",
            summary["abstained"],
            ">= 0.80",
        ],
        ["false abstentions", "", summary["false_abstentions"], "<= 0.10"],
        ["citation precision", "", summary["citation_precision"], ">= 0.85"],
        [
            "sentences flagged unsupported",
            f"{summary['flagged_unsupported']}/{summary['sentences']}",
            summary["flagged_share"],
            "",
        ],
        [
            "first piece p50 / p95 (s)",
            "",
            seconds("first_piece"),
            "<= 5",
        ],
        [
            "whole answer p50 / p95 (s)",
            "",
            seconds("answer"),
            "<= 10",
        ],
        [
            "model asked / abstained",
            f"{summary['model_asked']} / {summary['model_abstained']}",
            "",
            "",
        ],
        [
            "prompt / generated tokens per s",
            "",
            f"{summary.get('prompt_tokens_per_s')} / {summary.get('generated_tokens_per_s')}",
            "",
        ],
    ]
    table = markdown_table(["measure", "count", "value", "goal (issue 19)"], rows)
    markdown = (
        f"# news_dev (txt) through the model path: {args.model}\n\n"
        + facts_markdown(data["machine"], data["command"])
        + f"\n{len(cases)} questions"
        + (f" ({len(cases) - len(done)} asked in this run, resumed)" if done else "")
        + f", {summary['minutes']} min"
        + (" for this run; tokens per second are this run's" if done else "")
        + ".\n\n"
        + table
        + f"\n\nRight by kind: {summary['by_kind']}\n"
    )
    write_result(name, markdown, data, args.results)
    print(table)
    print(f"right by kind: {summary['by_kind']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
