"""Every benchmark on a tiny sample, so they cannot rot. Not timings: only that each runs and
reports what it promises."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.answer import ANSWERABILITY
from bench import calibrate, retrieval, speed
from bench.common import Squad, load_squad
from bench.retrieval import limit_corpus, score

from ..conftest import SHARED

pytestmark = pytest.mark.skipif(
    not (SHARED / "data" / "squad" / "dev-v1.1.json").is_file(), reason="needs ../shared SQuAD"
)


@pytest.fixture(scope="module")
def dirs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("bench")
    return root / "results", root / "cache"


def _args(dirs: tuple[Path, Path]) -> list[str]:
    return ["--results", str(dirs[0]), "--cache", str(dirs[1]), "--json"]


def _last_json(out: str) -> dict:
    return json.loads(out.strip().splitlines()[-1])


def test_retrieval_and_answers(dirs: tuple[Path, Path], capsys: pytest.CaptureFixture) -> None:
    argv = ["--paragraphs", "1", "--articles", "6", "--questions", "4", "--answers"]
    argv += ["--unanswerable", "3", "--out-of-corpus", "3"]
    assert retrieval.main([*argv, *_args(dirs)]) == 0
    data = _last_json(capsys.readouterr().out)
    assert set(data["systems"]) == {"project", "bm25", "dense", "llamaindex_default"}
    for metrics in data["systems"].values():
        assert 0.0 <= metrics["R@1"] <= metrics["R@5"] <= metrics["R@10"] <= 1.0
        assert 0.0 <= metrics["MRR@10"] <= 1.0
    assert data["questions"] == 4 and data["split"] == "dev"
    answers = data["answers"]
    assert answers["unanswerable"] == 3 and answers["out_of_corpus"] == 3
    abstained, flagged = answers["out_of_corpus_abstained"], answers["out_of_corpus_flagged"]
    assert min(abstained, flagged) >= 0.0 and abstained + flagged <= 1.0
    assert 0.0 <= answers["first_citation_contains_gold"] <= 1.0
    assert (dirs[0] / "retrieval-dev-1-a6.md").read_text().startswith("# Retrieval on SQuAD")


def test_calibration(dirs: tuple[Path, Path], capsys: pytest.CaptureFixture) -> None:
    argv = ["--paragraphs", "1", "--articles", "6", "--questions", "6", "--negatives", "3"]
    assert calibrate.main([*argv, *_args(dirs)]) == 0
    out = capsys.readouterr().out
    assert "ANSWERABILITY = {" in out
    data = _last_json(out)
    assert set(data["fitted"]) == set(ANSWERABILITY)  # the weights --write would store
    assert [r["threshold"] for r in data["holdout_fitted"]] == list(calibrate.THRESHOLDS)


def test_speed(dirs: tuple[Path, Path], capsys: pytest.CaptureFixture) -> None:
    argv = ["--paragraphs", "6", "--scale", "60,120", "--queries", "4"]
    argv += ["--rounds", "1", "--cold-runs", "1"]
    assert speed.main([*argv, *_args(dirs)]) == 0
    data = _last_json(capsys.readouterr().out)
    assert data["embed"]["min_cosine"] > 0.999
    assert data["ingest"]["documents"] == 6 and data["ingest"]["failed"] == 0
    assert [r["nodes"] for r in data["scale"]["rows"]] == [60, 120]
    assert data["ask"]["warm_p50_ms"] > 0 and data["ask"]["ask_peak_rss_mb"] > 0
    assert (dirs[0] / "speed-6.md").is_file()


def test_logistic_fit_recovers_a_separating_direction() -> None:
    import numpy as np

    rng = np.random.default_rng(0)
    x = rng.normal(size=(400, 2))
    y = (x[:, 0] - 0.5 * x[:, 1] + 0.2 > 0).astype(float)
    w, _bias = calibrate.fit_logistic(x, y)
    assert w[0] > 0 > w[1] and abs(w[1] / w[0] + 0.5) < 0.15


def test_scores_and_corpus_limit() -> None:
    assert score([[3, 1], [2], []], [1, 2, 5]) == {
        "R@1": round(1 / 3, 4),
        "R@5": round(2 / 3, 4),
        "R@10": round(2 / 3, 4),
        "MRR@10": round((0.5 + 1) / 3, 4),
    }
    squad = load_squad()
    small: Squad = limit_corpus(squad, 2)
    assert len(small.contexts) == 2 * len(squad.titles)
    for q in small.questions[:50]:
        assert q.answers[0] in small.contexts[q.paragraph]
