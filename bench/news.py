"""The news development set end to end: `../shared/eval/news_dev/` asked through Assistant.ask.

    .venv/bin/python -m bench.news [--source txt|html|both] [--json] [--show-wrong]
    .venv/bin/python -m bench.news --compare bench/results/news_both.json   # what a change moved
    .venv/bin/python -m bench.news --set heldout [--show-wrong]   # bench/news_heldout/, html only

Indexes the twelve articles (the clean `txt/` texts, or the `html/` pages as saved) into a fresh
index in a temporary folder, asks every question of `questions.jsonl` and scores it by the set's
own rule (its README, "Scoring a system"): after lowercasing, straightening curly quotes and
collapsing whitespace, an answerable line is right when the answer does not abstain, its text
holds an `any` string and one of its citations quotes a `support` or `any` string; an abstain
line is right when the answer abstains with no citations. A follow-up is asked as a chat would:
its history question is asked first and passed with its answer. Reports answerable right / 93,
abstentions right / 12, false abstentions and citation precision, by kind of question too.
This set is for measuring and calibrating: never fit weights on it.

`--set heldout` asks `bench/news_heldout/questions.jsonl` instead: 78 questions (68 answerable,
10 unanswerable) over ten other news pages, indexed as saved straight from the extraction
benchmark's `pages/` folder (`../shared/data/extraction/pages/`, not copied into the repo)
through the same ingest of saved web pages as `--source html`, scored by the same rule and
written to bench/results/news_heldout.md/.json. That set is for measuring only: never tune on it
or change the assistant to pass its questions.
"""

from __future__ import annotations

import argparse
import json
import re
import tempfile
import time
from collections import Counter
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from assistant import Assistant

from .common import (
    RESULTS,
    ROOT,
    SHARED,
    bench_settings,
    command,
    facts_markdown,
    log,
    machine_facts,
    markdown_table,
    percentile,
    write_result,
)

NEWS_DEV = SHARED / "eval" / "news_dev"
NEWS_HELDOUT = ROOT / "bench" / "news_heldout"
PAGES = SHARED / "data" / "extraction" / "pages"
_STRAIGHT = str.maketrans("’‘“”", "''\"\"")


@dataclass(frozen=True)
class Case:
    id: str
    article: str
    q: str
    history: list[str]
    any: list[str]
    support: list[str]
    abstain: bool

    @property
    def kind(self) -> str:
        if self.abstain:
            return "unanswerable"
        if self.history:
            return "follow-up"
        if self.article == "*":
            return "cross-article"
        return "plain"


@dataclass(frozen=True)
class Scored:
    id: str
    kind: str
    question: str
    right: bool
    abstained: bool
    citations: int
    good_citations: int
    ms: float
    answer: str


def load_cases(path: Path = NEWS_DEV / "questions.jsonl") -> list[Case]:
    cases = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            raw = json.loads(line)
            cases.append(
                Case(
                    id=raw["id"],
                    article=raw.get("article", ""),
                    q=raw["q"],
                    history=list(raw.get("history", [])),
                    any=list(raw.get("any", [])),
                    support=list(raw.get("support", [])),
                    abstain=bool(raw.get("abstain", False)),
                )
            )
    return cases


def normalise(text: str) -> str:
    text = text.lower().translate(_STRAIGHT)
    return re.sub(r"\s+", " ", text).strip()


def _holds(text: str, needles: list[str]) -> bool:
    folded = normalise(text)
    return any(normalise(n) in folded for n in needles if n)


def score_case(assistant: Assistant, case: Case) -> Scored:
    history: list[tuple[str, str]] = []
    for earlier in case.history:
        history.append((earlier, assistant.ask(earlier, history=history or None).text))
    started = time.perf_counter()
    answer = assistant.ask(case.q, history=history or None)
    ms = (time.perf_counter() - started) * 1000
    good = case.support + case.any
    good_citations = sum(_holds(c.quote, good) for c in answer.citations)
    if case.abstain:
        right = answer.abstained and not answer.citations
    else:
        right = not answer.abstained and _holds(answer.text, case.any) and good_citations > 0
    return Scored(
        case.id,
        case.kind,
        case.q,
        right,
        answer.abstained,
        len(answer.citations),
        good_citations,
        ms,
        answer.text,
    )


def metrics(results: list[Scored]) -> dict[str, Any]:
    answerable = [r for r in results if r.kind != "unanswerable"]
    unanswerable = [r for r in results if r.kind == "unanswerable"]
    cited = sum(r.citations for r in answerable)
    by_kind = Counter(r.kind for r in results)
    right_by_kind = Counter(r.kind for r in results if r.right)
    return {
        "answerable": len(answerable),
        "answered_right": sum(r.right for r in answerable),
        "answers": round(sum(r.right for r in answerable) / max(len(answerable), 1), 3),
        "unanswerable": len(unanswerable),
        "abstained_right": sum(r.right for r in unanswerable),
        "abstained": round(sum(r.right for r in unanswerable) / max(len(unanswerable), 1), 3),
        "false_abstentions": round(
            sum(r.abstained for r in answerable) / max(len(answerable), 1), 3
        ),
        "citation_precision": round(sum(r.good_citations for r in answerable) / max(cited, 1), 3),
        "by_kind": {k: f"{right_by_kind[k]}/{n}" for k, n in sorted(by_kind.items())},
        "ms_p50": round(percentile([r.ms for r in results], 50), 1),
        "ms_p95": round(percentile([r.ms for r in results], 95), 1),
    }


def heldout_pages(cases: list[Case]) -> list[Path]:
    """The saved pages the held-out questions are about (their `article` is the file name)."""
    pages = [PAGES / name for name in sorted({c.article for c in cases if c.article != "*"})]
    missing = [p.name for p in pages if not p.is_file()]
    if missing:
        raise SystemExit(f"news_heldout: pages missing from {PAGES}: {', '.join(missing)}")
    return pages


def run(
    source: str, cases: list[Case], paths: list[Path] | None = None
) -> tuple[dict[str, Any], list[Scored]]:
    """Index `paths` (default: news_dev's `source` folder) afresh and score every case."""
    with tempfile.TemporaryDirectory(prefix=f"news-{source}-") as tmp:
        assistant = Assistant(bench_settings(Path(tmp)))
        report = assistant.ingest(paths or [NEWS_DEV / source])
        if report.failed:
            log(f"{source}: {len(report.failed)} failed: {report.failed}")
        documents = len(assistant.documents())
        assistant.retrieve("warm up")
        results = [score_case(assistant, case) for case in cases]
    summary = metrics(results)
    summary["documents"] = documents
    return summary, results


def changed(source: str, before: list[dict[str, Any]], results: list[Any]) -> int:
    """Log the questions whose answer text differs from an earlier run's; how many."""
    old = {c["id"]: c for c in before}
    n = 0
    for r in results:
        was = old.get(r.id)
        if was is None or was["answer"] == r.answer:
            continue
        n += 1
        log(f"  {source} {r.id} right {was['right']} -> {r.right}: {r.question}")
        log(f"    before: {was['answer'][:160]!r}")
        log(f"    now:    {r.answer[:160]!r}")
    log(f"{source}: {n} answers changed")
    return n


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--set",
        choices=["dev", "heldout"],
        default="dev",
        dest="which",
        help="news_dev (default) or bench/news_heldout (saved pages only, for measuring)",
    )
    parser.add_argument(
        "--source",
        choices=["txt", "html", "both"],
        default=None,
        help="news_dev's texts, pages or both (default both); heldout has pages only",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--show-wrong", action="store_true", help="list the questions missed")
    parser.add_argument("--results", type=Path, default=RESULTS, help="where results are written")
    parser.add_argument("--cache", type=Path, default=None, help="(unused: no index is cached)")
    parser.add_argument(
        "--compare",
        type=Path,
        default=None,
        help="a results JSON of an earlier run: list every question whose answer changed",
    )
    args = parser.parse_args(argv)
    heldout = args.which == "heldout"
    if heldout and args.source not in (None, "html"):
        parser.error("--set heldout has saved pages only: use --source html or leave it out")
    chosen = args.source or ("html" if heldout else "both")
    before = json.loads(args.compare.read_text()) if args.compare else None
    cases = load_cases(NEWS_HELDOUT / "questions.jsonl") if heldout else load_cases()
    paths = heldout_pages(cases) if heldout else None
    sources = ["txt", "html"] if chosen == "both" else [chosen]
    data: dict[str, Any] = {"command": command("bench.news", argv), "machine": machine_facts()}
    rows = []
    for source in sources:
        summary, results = run(source, cases, paths)
        data[source] = {**summary, "cases": [asdict(r) for r in results]}
        rows.append(
            [
                source,
                summary["documents"],
                f"{summary['answered_right']}/{summary['answerable']}",
                summary["answers"],
                f"{summary['abstained_right']}/{summary['unanswerable']}",
                summary["false_abstentions"],
                summary["citation_precision"],
                summary["ms_p50"],
            ]
        )
        if before is not None and source in before:
            changed(source, before[source]["cases"], results)
        if args.show_wrong:
            for r in results:
                if not r.right:
                    log(f"  {source} {r.id} [{r.kind}] {r.question} -> {r.answer[:160]!r}")
    table = markdown_table(
        [
            "source",
            "articles",
            "answerable right",
            "share",
            "abstained right",
            "false abstentions",
            "citation precision",
            "p50 ms",
        ],
        rows,
    )
    kinds = "\n".join(f"- {s}: {data[s]['by_kind']}" for s in sources)
    markdown = (
        f"# {'news_heldout' if heldout else 'news_dev'} through Assistant.ask\n\n"
        + facts_markdown(data["machine"], data["command"])
        + "\n"
        + table
        + "\n\nRight by kind:\n"
        + kinds
        + "\n"
    )
    name = "news_heldout" if heldout else f"news_{chosen}"
    write_result(name, markdown, data, args.results)
    if args.json:
        print(json.dumps({s: {k: v for k, v in data[s].items() if k != "cases"} for s in sources}))
    else:
        print(table)
        print(kinds)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
