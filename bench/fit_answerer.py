"""Fit the extractive answerer's ranking and answerability weights on SQuAD (dev split only).

    python -m bench.fit_answerer [--articles 12] [--questions 800]

Indexes the paragraphs of the first N even-position (dev) articles of SQuAD v1.1 dev, asks
their questions, and for every retrieved passage computes ExtractiveAnswerer.features. Then:
- ranking: logistic regression of "this sentence contains a gold answer" on the features;
  reported as top-1 answer-sentence hit before/after on a held-out half of the questions;
- answerability: logistic regression of "the question is answerable from the index" on the
  top passage's features, with negatives = questions of other dev articles (not indexed).
Prints both weight dicts, ready to paste into assistant/answer.py.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
from pathlib import Path

import numpy as np

from assistant import Assistant, Settings
from assistant.answer import ANSWERABILITY, RANKING

SQUAD = Path(__file__).resolve().parents[2] / "shared" / "data" / "squad" / "dev-v1.1.json"
FEATURES = ["dense", "coverage", "window_coverage", "type_match", "fused"]
# Rank-fusion scores depend on top_k and candidates, so answerability leaves them out.
ANSWER_FEATURES = ["dense", "coverage", "window_coverage", "type_match"]


def build_index(articles: list[dict], folder: Path) -> Assistant:
    docs = folder / "docs"
    settings = Settings(index_dir=folder / "index", llm="extractive")
    marker = folder / "built.json"
    if not marker.exists():
        shutil.rmtree(folder, ignore_errors=True)
        docs.mkdir(parents=True)
        for a_i, article in enumerate(articles):
            for p_i, para in enumerate(article["paragraphs"]):
                (docs / f"{a_i:03d}-{p_i:03d}.txt").write_text(para["context"])
        assistant = Assistant.open(settings=settings)
        report = assistant.ingest([docs])
        assert report.ok, report.failed[:3]
        marker.write_text(json.dumps({"articles": len(articles)}))
    return Assistant.open(settings=settings)


def fit_logistic(x: np.ndarray, y: np.ndarray, l2: float = 1e-3, steps: int = 3000) -> np.ndarray:
    mean, std = x.mean(axis=0), x.std(axis=0) + 1e-9
    z = np.hstack([(x - mean) / std, np.ones((len(x), 1))])
    w = np.zeros(z.shape[1])
    for _ in range(steps):
        p = 1 / (1 + np.exp(-z @ w))
        grad = z.T @ (p - y) / len(y) + l2 * np.r_[w[:-1], 0]
        w -= 0.5 * grad
    # back to raw feature units
    raw = w[:-1] / std
    bias = w[-1] - float((w[:-1] * mean / std).sum())
    return np.r_[raw, bias]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--articles", type=int, default=12)
    parser.add_argument("--questions", type=int, default=800)
    parser.add_argument("--cache", default="/tmp/fit-answerer")
    args = parser.parse_args()
    data = json.loads(SQUAD.read_text())["data"]
    dev = [a for i, a in enumerate(data) if i % 2 == 0]
    indexed, outside = dev[: args.articles], dev[args.articles :]
    assistant = build_index(indexed, Path(args.cache))
    ans = assistant.extractive
    rng = random.Random(0)
    inside_q = [
        (qa["question"], [x["text"] for x in qa["answers"]])
        for a in indexed
        for p in a["paragraphs"]
        for qa in p["qas"]
    ]
    outside_q = [qa["question"] for a in outside for p in a["paragraphs"] for qa in p["qas"]]
    rng.shuffle(inside_q)
    rng.shuffle(outside_q)
    inside_q = inside_q[: args.questions]
    outside_q = outside_q[: args.questions // 2]

    rows, labels, groups = [], [], []
    for g, (q, golds) in enumerate(inside_q):
        for p in assistant.retrieve(q):
            f = ans.features(q, p)
            rows.append([f[k] for k in FEATURES])
            labels.append(float(any(gold in p.text for gold in golds)))
            groups.append(g)
    x, y, grp = np.array(rows), np.array(labels), np.array(groups)
    train = grp % 2 == 0
    w = fit_logistic(x[train], y[train])

    def top1(weights: np.ndarray, mask: np.ndarray) -> float:
        hits, total = 0, 0
        for g in np.unique(grp[mask]):
            sel = grp == g
            scores = x[sel] @ weights[: len(FEATURES)]
            hits += int(y[sel][int(np.argmax(scores))])
            total += 1
        return hits / max(total, 1)

    old = np.array([RANKING.get(k, 0.0) for k in FEATURES] + [0.0])
    test = ~train
    print(
        f"answer-sentence top-1 on held-out dev questions: current {top1(old, test):.3f}, "
        f"fitted {top1(w, test):.3f}"
    )
    ranking = {k: round(float(v), 3) for k, v in zip(FEATURES, w[:-1], strict=True)}
    print("RANKING =", ranking)

    # answerability on the best passage under the fitted ranking
    def best_features(q: str) -> list[float]:
        best, best_score = None, -1e9
        for p in assistant.retrieve(q):
            f = ans.features(q, p)
            s = sum(ranking[k] * f[k] for k in FEATURES)
            if s > best_score:
                best, best_score = f, s
        return [best[k] for k in ANSWER_FEATURES] if best else [0.0] * len(ANSWER_FEATURES)

    ax = np.array([best_features(q) for q, _ in inside_q] + [best_features(q) for q in outside_q])
    ay = np.array([1.0] * len(inside_q) + [0.0] * len(outside_q))
    order = np.arange(len(ay))
    a_train = order % 2 == 0
    aw = fit_logistic(ax[a_train], ay[a_train])
    held = ~a_train

    def rates(weights: np.ndarray) -> tuple[float, float]:
        p = 1 / (1 + np.exp(-(ax[held] @ weights[:-1] + weights[-1])))
        answer = p >= 0.5
        yy = ay[held] == 1
        return float((~answer[~yy]).mean()), float((~answer[yy]).mean())

    cur = np.array([ANSWERABILITY.get(k, 0.0) for k in ANSWER_FEATURES] + [ANSWERABILITY["bias"]])
    print("abstention accuracy on out-of-corpus / false abstentions on answerable (held-out):")
    print("  current {:.3f} / {:.3f}".format(*rates(cur)))
    print("  fitted  {:.3f} / {:.3f}".format(*rates(aw)))
    answerability = {k: round(float(v), 3) for k, v in zip(ANSWER_FEATURES, aw[:-1], strict=True)}
    answerability["bias"] = round(float(aw[-1]), 3)
    print("ANSWERABILITY =", answerability)


if __name__ == "__main__":
    main()
