"""`assistant eval`: scoring a gold file through the API, on the bundled article."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from assistant import Assistant, AssistantError
from assistant.interfaces.cli import main
from assistant.interfaces.evaluate import EvalReport, GoldCase, evaluate, format_report, load_gold

from ..conftest import DEV_SEED

GOLD = [
    {
        "id": "g1",
        "q": "Who warned about Russia's reaction?",
        "any": ["James Hackett"],
        "support": ["Russia would likely weigh carefully"],
    },
    # A wrong gold answer: the assistant answers, but not with this.
    {"id": "g2", "q": "Who is Kamal Alam?", "any": ["Zanzibar"], "support": ["Zanzibar"]},
    {"id": "g3", "q": "Who will win the next football World Cup?", "abstain": True},
]


@pytest.fixture
def gold_file(tmp_path: Path) -> Path:
    path = tmp_path / "gold.jsonl"
    path.write_text("\n".join(json.dumps(g) for g in GOLD) + "\n\n")
    return path


def test_scores_a_gold_file(bundled: Assistant, gold_file: Path) -> None:
    seen: list[tuple[int, int]] = []
    report = evaluate(bundled, load_gold(gold_file), file=str(gold_file), progress=_record(seen))
    m = report.metrics()
    assert (m["questions"], m["answerable"], m["unanswerable"]) == (3, 2, 1)
    assert m["answer_accuracy"] == 0.5
    assert m["citation_recall"] == 0.5
    assert m["abstention_accuracy"] == 1.0
    assert m["false_abstention_rate"] == 0.0
    first = report.cases[0]
    assert first.answer_correct and 0 < first.correct_citations <= first.citations
    assert m["citation_precision"] == pytest.approx(
        first.correct_citations / _cited(report), abs=1e-3
    )
    assert 0 < m["latency_ms"]["p50"] <= m["latency_ms"]["p95"]
    assert seen[0] == (0, 3) and seen[-1] == (3, 3)
    table = format_report(report)
    assert "answer accuracy" in table and "50.0%" in table
    assert "g2: Who is Kamal Alam?" in table  # the wrong one is listed
    assert "g1:" not in table


def test_dev_seed_runs_end_to_end(bundled: Assistant) -> None:
    report = evaluate(bundled, load_gold(DEV_SEED))
    m = report.metrics()
    assert m["questions"] == len(DEV_SEED.read_text().strip().splitlines())
    assert m["errors"] == 0
    for key in ("answer_accuracy", "citation_precision", "citation_recall"):
        assert 0.0 <= m[key] <= 1.0
    # The follow-up is asked with its history, so it is about Kamal Alam.
    follow = next(c for c in report.cases if c.id == "d11")
    assert not follow.abstained


def test_cli_eval_json(bundled: Assistant, gold_file: Path, capsys: pytest.CaptureFixture) -> None:
    index = str(bundled.settings.index_dir)
    assert main(["eval", "--index", index, str(gold_file), "--json"]) == 0
    out, err = capsys.readouterr()
    data = json.loads(out)
    assert data["answer_accuracy"] == 0.5 and data["abstention_accuracy"] == 1.0
    assert [c["id"] for c in data["cases"]] == ["g1", "g2", "g3"]
    assert "3/3" in err  # the progress bar ran to the end

    assert main(["--index", index, "eval", str(gold_file)]) == 0
    out, _ = capsys.readouterr()
    assert "citation precision" in out and "latency p95" in out


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"q": "x", "any": ["y"]}\nnot json\n', "line 2: not valid JSON"),
        ('{"question": "x"}\n', 'line 1: needs a "q" string'),
        ('{"q": "x"}\n', 'give "any"'),
        ('{"q": "x", "any": "y"}\n', '"any" must be a list'),
        ("\n", "holds no questions"),
    ],
)
def test_bad_gold_files(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text(content)
    with pytest.raises(AssistantError, match=message.replace('"', ".")):
        load_gold(path)


def test_cli_missing_file(
    bundled: Assistant, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    code = main(["eval", "--index", str(bundled.settings.index_dir), str(tmp_path / "no.jsonl")])
    assert code == 2
    assert "no such file" in capsys.readouterr().err


def test_load_gold_reads_the_seed_format() -> None:
    cases = load_gold(DEV_SEED)
    follow = next(c for c in cases if c.history)
    assert isinstance(follow, GoldCase) and follow.history == ["Who is Kamal Alam?"]
    assert any(c.abstain and not c.any for c in cases)


def _record(seen: list[tuple[int, int]]) -> Callable[[int, int], None]:
    return lambda done, total: seen.append((done, total))


def _cited(report: EvalReport) -> int:
    return sum(c.citations for c in report.cases if not c.expected_abstain)
