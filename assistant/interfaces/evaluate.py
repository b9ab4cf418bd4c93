"""Score the assistant on a gold question file (the format of `../shared/eval/dev_seed.jsonl`).

One JSON object a line: `q` (the question), optional `history` (earlier user turns), `any`
(the answer is right when its text contains one of these, case-insensitive), `support` (a
citation is right when its quote contains one of these, or one of `any`), or `abstain: true`
(the articles do not answer it; the assistant must say so).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import AssistantError
from ..service import Assistant


@dataclass(frozen=True)
class GoldCase:
    id: str
    q: str
    history: list[str] = field(default_factory=list)
    any: list[str] = field(default_factory=list)
    support: list[str] = field(default_factory=list)
    abstain: bool = False


@dataclass(frozen=True)
class CaseResult:
    id: str
    question: str
    expected_abstain: bool
    abstained: bool
    answer_correct: bool  # answerable, answered, and the text holds a gold string
    citations: int
    correct_citations: int
    latency_ms: float
    answer: str
    error: str = ""


@dataclass
class EvalReport:
    file: str
    documents: int
    cases: list[CaseResult]

    def metrics(self) -> dict[str, Any]:
        answerable = [c for c in self.cases if not c.expected_abstain]
        unanswerable = [c for c in self.cases if c.expected_abstain]
        cited = sum(c.citations for c in answerable)
        latencies = [c.latency_ms for c in self.cases if not c.error]
        return {
            "questions": len(self.cases),
            "answerable": len(answerable),
            "unanswerable": len(unanswerable),
            "answer_accuracy": _share(sum(c.answer_correct for c in answerable), len(answerable)),
            "citation_precision": _share(sum(c.correct_citations for c in answerable), cited),
            "citation_recall": _share(
                sum(c.correct_citations > 0 for c in answerable), len(answerable)
            ),
            "abstention_accuracy": _share(
                sum(c.abstained and not c.citations for c in unanswerable), len(unanswerable)
            ),
            "false_abstention_rate": _share(sum(c.abstained for c in answerable), len(answerable)),
            "errors": sum(bool(c.error) for c in self.cases),
            "latency_ms": {
                "p50": _round(float(np.percentile(latencies, 50))) if latencies else None,
                "p95": _round(float(np.percentile(latencies, 95))) if latencies else None,
            },
        }

    def to_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "documents": self.documents,
            **self.metrics(),
            "cases": [asdict(c) for c in self.cases],
        }


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _round(value: float) -> float:
    return round(value, 2)


def load_gold(path: str | Path) -> list[GoldCase]:
    """Read a gold file; a bad line raises AssistantError naming the line and the fix."""
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise AssistantError(f"{path}: no such file; give the path of a .jsonl file.") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise AssistantError(f"{path}: cannot read it as UTF-8 text ({exc}).") from None
    cases = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            raw = json.loads(line)
        except json.JSONDecodeError as exc:
            raise AssistantError(
                f"{path}, line {number}: not valid JSON ({exc.msg}); write one object a line."
            ) from None
        if not isinstance(raw, dict) or not isinstance(raw.get("q"), str):
            raise AssistantError(f'{path}, line {number}: needs a "q" string (the question).')
        abstain = bool(raw.get("abstain", False))
        gold_any = _strings(raw.get("any", []), path, number, "any")
        if not abstain and not gold_any:
            raise AssistantError(
                f'{path}, line {number}: give "any" (accepted answer strings) or "abstain": true.'
            )
        cases.append(
            GoldCase(
                id=str(raw.get("id", f"line{number}")),
                q=raw["q"],
                history=_strings(raw.get("history", []), path, number, "history"),
                any=gold_any,
                support=_strings(raw.get("support", []), path, number, "support"),
                abstain=abstain,
            )
        )
    if not cases:
        raise AssistantError(f"{path}: holds no questions; add one JSON object a line.")
    return cases


def _strings(value: Any, path: Path, number: int, key: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise AssistantError(f'{path}, line {number}: "{key}" must be a list of strings.')
    return list(value)


def _contains_any(text: str, needles: list[str]) -> bool:
    folded = _fold(text)
    return any(_fold(n) in folded for n in needles if n)


def _fold(text: str) -> str:
    return text.lower().replace("’", "'").replace("‘", "'").replace("“", '"').replace("”", '"')


def run_case(assistant: Assistant, case: GoldCase) -> CaseResult:
    started = time.perf_counter()
    try:
        answer = assistant.ask(case.q, history=case.history or None)
    except AssistantError as exc:
        return CaseResult(case.id, case.q, case.abstain, False, False, 0, 0, 0.0, "", str(exc))
    latency = (time.perf_counter() - started) * 1000
    good = case.support + case.any
    correct = 0 if case.abstain else sum(_contains_any(c.quote, good) for c in answer.citations)
    return CaseResult(
        id=case.id,
        question=case.q,
        expected_abstain=case.abstain,
        abstained=answer.abstained,
        answer_correct=(
            not case.abstain and not answer.abstained and _contains_any(answer.text, case.any)
        ),
        citations=len(answer.citations),
        correct_citations=correct,
        latency_ms=_round(latency),
        answer=answer.text,
    )


def evaluate(
    assistant: Assistant,
    cases: list[GoldCase],
    file: str = "",
    progress: Callable[[int, int], None] | None = None,
) -> EvalReport:
    """Ask every question through the API and score the answers.

    Latency is per warm question: one retrieval first loads the model, untimed.
    """
    assistant.retrieve(cases[0].q if cases else "warm up")
    results = []
    for done, case in enumerate(cases):
        if progress:
            progress(done, len(cases))
        results.append(run_case(assistant, case))
    if progress:
        progress(len(cases), len(cases))
    return EvalReport(file=file, documents=len(assistant.documents()), cases=results)


def format_report(report: EvalReport) -> str:
    """The metrics as a plain-text table, then the questions that went wrong."""
    m = report.metrics()

    def pct(value: float | None) -> str:
        return "n/a" if value is None else f"{100 * value:5.1f}%"

    rows = [
        ("answer accuracy", pct(m["answer_accuracy"]), f"of {m['answerable']} answerable"),
        ("citation precision", pct(m["citation_precision"]), "of citations on answerable"),
        ("citation recall", pct(m["citation_recall"]), "answerable with a correct citation"),
        ("abstention accuracy", pct(m["abstention_accuracy"]), f"of {m['unanswerable']} abstain"),
        ("false abstentions", pct(m["false_abstention_rate"]), "of answerable"),
        ("latency p50", _ms(m["latency_ms"]["p50"]), "per question"),
        ("latency p95", _ms(m["latency_ms"]["p95"]), "per question"),
    ]
    width = max(len(r[0]) for r in rows)
    lines = [f"{report.file}: {m['questions']} questions over {report.documents} article(s)"]
    lines += [f"  {name:<{width}}  {value:>8}  {note}" for name, value, note in rows]
    if not report.documents:
        lines.append("  the index holds no articles: ingest them first (assistant ingest PATH)")
    if m["errors"]:
        lines.append(f"  {m['errors']} question(s) raised an error")
    wrong = [c for c in report.cases if _failed(c)]
    if wrong:
        lines.append("wrong:")
        for c in wrong:
            shown = c.error or c.answer
            shown = shown if len(shown) <= 100 else shown[:99] + "…"
            lines.append(f"  {c.id}: {c.question} -> {shown}")
    return "\n".join(lines)


def _ms(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1f} ms"


def _failed(case: CaseResult) -> bool:
    if case.error:
        return True
    if case.expected_abstain:
        return not case.abstained
    return not case.answer_correct or case.correct_citations == 0
