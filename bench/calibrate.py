"""Fit the extractive answerer's answerability model (abstention) on SQuAD, dev split only.

    .venv/bin/python -m bench.calibrate [--questions 500] [--negatives 300] [--json]

Answerability = sigmoid(bias + sum(w * feature)) of the best-ranked passage
(ExtractiveAnswerer.features, top of ExtractiveAnswerer.score); the answerer abstains below
Settings.abstain_below. A logistic regression (numpy, Newton steps, small L2) is fitted with
- positives: answerable SQuAD v1.1 questions over the index of all v1.1 paragraphs;
- negatives: SQuAD v2.0 unanswerable questions over the index of the v2.0 paragraphs, and
  out-of-corpus questions: v1.1 questions about the articles v2.0 leaves out, asked of that same
  v2.0 index (the "the articles don't say" case users hit most).
Classes are weighted equally. The bias is then moved so that, at the answerer's threshold of
0.5, at most --false-abstention (default 4%) of the dev answerable questions abstain: the
operating point users feel. Prints that dict (--write stores it in
assistant/answer/weights.json), and the abstention / false-abstention trade-off on the holdout
split at a few thresholds, for the fitted (balanced and operating-point) and the current weights.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from assistant.answer import ANSWERABILITY
from assistant.answer.ranking import WEIGHTS, save_weights

from .common import (
    CACHE,
    RESULTS,
    SQUAD_V1,
    SQUAD_V2,
    CorpusIndex,
    Progress,
    Question,
    Squad,
    VectorCache,
    command,
    corpus_index,
    facts_markdown,
    load_squad,
    log,
    machine_facts,
    markdown_table,
    out_of_corpus_questions,
    sample,
    split_questions,
    write_result,
)
from .retrieval import corpus_suffix, limit_corpus
from .selector_data import selector_trained_on

# What ANSWERABILITY is made of besides its bias: the fit prints a dict to paste over it.
# (--selector adds the learned selector's logit, assistant/answer/selector.py.)
FEATURES: tuple[str, ...] = tuple(name for name in ANSWERABILITY if name != "bias")
THRESHOLDS = (0.3, 0.4, 0.5, 0.6, 0.7)


def top_features(index: CorpusIndex, questions: list[Question], label: str) -> np.ndarray:
    """Features of the best-ranked passage for each question (zeros when none is retrieved)."""
    assistant = index.assistant
    assistant.extractive.ranker.use_selector = "selector" in FEATURES
    rows = []
    bar = Progress(len(questions), label)
    for done, q in enumerate(questions):
        scored = assistant.extractive.score(q.text, assistant.retrieve(q.text))
        if scored:
            rows.append([scored[0].features[name] for name in FEATURES])
        else:
            rows.append([0.0] * len(FEATURES))
        bar.update(done + 1)
    return np.asarray(rows, dtype=np.float64).reshape(-1, len(FEATURES))


def fit_logistic(
    x: np.ndarray, y: np.ndarray, l2: float = 1e-2, steps: int = 50
) -> tuple[np.ndarray, float]:
    """Class-balanced, L2-regularised logistic regression by Newton's method.

    Features are standardised for the fit; the weights returned are on the original scale.
    """
    mean, std = x.mean(axis=0), x.std(axis=0)
    std[std == 0] = 1.0
    z = np.hstack([(x - mean) / std, np.ones((len(x), 1))])
    weights = np.where(y == 1, 0.5 / max(y.sum(), 1), 0.5 / max((1 - y).sum(), 1))
    beta = np.zeros(z.shape[1])
    penalty = np.full(z.shape[1], l2)
    penalty[-1] = 0.0  # no shrinking of the bias
    for _ in range(steps):
        p = 1.0 / (1.0 + np.exp(-(z @ beta)))
        gradient = z.T @ (weights * (p - y)) + penalty * beta
        hessian = (z * (weights * p * (1 - p))[:, None]).T @ z + np.diag(penalty)
        step = np.linalg.solve(hessian, gradient)
        beta -= step
        if np.abs(step).max() < 1e-9:
            break
    w = beta[:-1] / std
    bias = float(beta[-1] - (beta[:-1] * mean / std).sum())
    return w, bias


def probability(x: np.ndarray, model: dict[str, float]) -> np.ndarray:
    raw = model["bias"] + sum(model.get(name, 0.0) * x[:, i] for i, name in enumerate(FEATURES))
    return 1.0 / (1.0 + np.exp(-np.asarray(raw)))


def trade_off(sets: dict[str, np.ndarray], model: dict[str, float]) -> list[dict[str, float]]:
    rows = []
    for t in THRESHOLDS:
        rows.append(
            {
                "threshold": t,
                "false_abstention": float((probability(sets["answerable"], model) < t).mean()),
                "abstain_v2_unanswerable": float(
                    (probability(sets["v2_unanswerable"], model) < t).mean()
                ),
                "abstain_out_of_corpus": float(
                    (probability(sets["out_of_corpus"], model) < t).mean()
                ),
            }
        )
    return rows


def untrained(squad: Squad, questions: list[Question], n: int) -> list[Question]:
    """`n` of `questions` (sampled as split_questions does) whose article the selector did not
    train on."""
    return sample([q for q in questions if not selector_trained_on(squad.titles[q.article])], n)


def collect(
    split: str,
    n_pos: int,
    n_neg: int,
    v1: CorpusIndex,
    v2: CorpusIndex,
    squad1: Squad,
    squad2: Squad,
) -> dict[str, np.ndarray]:
    if "selector" in FEATURES:
        # The selector's logit is only fair on questions it never trained on
        # (bench/selector_data.py).
        answerable = untrained(squad1, split_questions(squad1, split, 10**9), n_pos)
        unanswerable = untrained(
            squad2, split_questions(squad2, split, 10**9, impossible=True), n_neg
        )
        out_of_corpus = untrained(
            squad1, out_of_corpus_questions(squad1, squad2.titles, split, 10**9), n_neg
        )
    else:
        answerable = split_questions(squad1, split, n_pos)
        unanswerable = split_questions(squad2, split, n_neg, impossible=True)
        out_of_corpus = out_of_corpus_questions(squad1, squad2.titles, split, n_neg)
    return {
        "answerable": top_features(v1, answerable, f"{split}: answerable (v1.1)"),
        "v2_unanswerable": top_features(v2, unanswerable, f"{split}: unanswerable (v2.0)"),
        "out_of_corpus": top_features(v2, out_of_corpus, f"{split}: out of corpus"),
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.calibrate", description=__doc__)
    parser.add_argument("--questions", type=int, default=500, help="answerable, per split")
    parser.add_argument("--negatives", type=int, default=300, help="of each negative kind")
    parser.add_argument(
        "--paragraphs", type=int, default=0, help="only N paragraphs per article (quick runs)"
    )
    parser.add_argument("--articles", type=int, default=0, help="only the first N articles")
    parser.add_argument(
        "--false-abstention",
        type=float,
        default=0.04,
        help="share of dev answerable questions allowed to abstain at 0.5",
    )
    parser.add_argument(
        "--selector",
        action="store_true",
        help="add the learned selector's logit (questions of articles it never trained on)",
    )
    parser.add_argument(
        "--features",
        default="",
        help="comma-separated features of Ranker.features to fit besides the current ones",
    )
    parser.add_argument(
        "--write",
        action="store_true",
        help="store the fitted weights in assistant/answer/weights.json",
    )
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--results", type=Path, default=RESULTS)
    parser.add_argument("--cache", type=Path, default=CACHE)
    args = parser.parse_args(argv)
    global FEATURES
    if args.selector and "selector" not in FEATURES:
        FEATURES = (*FEATURES, "selector")
    extra = [f for f in args.features.split(",") if f and f not in FEATURES]
    FEATURES = (*FEATURES, *extra)
    cmd = command("bench.calibrate", argv)
    facts = machine_facts()
    log(cmd)

    squad1 = limit_corpus(load_squad(SQUAD_V1), args.paragraphs, args.articles)
    v2_full = load_squad(SQUAD_V2)
    squad2 = limit_corpus(v2_full, args.paragraphs, args.articles)
    vectors = VectorCache(args.cache)
    suffix = corpus_suffix(args.paragraphs, args.articles)
    v1 = corpus_index(f"squad-v1{suffix}", squad1.contexts, vectors, args.cache)
    v2 = corpus_index(f"squad-v2{suffix}", squad2.contexts, vectors, args.cache)
    # Out-of-corpus = articles of v1.1 that v2.0 leaves out (titles of the whole v2.0 file).
    squad2_titles = Squad(v2_full.titles, squad2.contexts, squad2.article_of, squad2.questions)

    dev = collect("dev", args.questions, args.negatives, v1, v2, squad1, squad2_titles)
    holdout = collect("holdout", args.questions, args.negatives, v1, v2, squad1, squad2_titles)
    negatives = np.vstack([dev["v2_unanswerable"], dev["out_of_corpus"]])
    x = np.vstack([dev["answerable"], negatives])
    y = np.concatenate([np.ones(len(dev["answerable"])), np.zeros(len(negatives))])
    if len(set(y.tolist())) < 2:
        parser.error("need both answerable and unanswerable questions; give more --paragraphs")
    w, bias = fit_logistic(x, y)
    balanced = {name: round(float(v), 3) for name, v in zip(FEATURES, w, strict=True)}
    balanced["bias"] = round(bias, 3)
    # Operating point: answerability 0.5 at the dev positives' `false_abstention` quantile.
    margins = dev["answerable"] @ w
    fitted = dict(balanced)
    fitted["bias"] = round(-float(np.quantile(margins, args.false_abstention)), 3)
    current = {k: float(v) for k, v in ANSWERABILITY.items()}

    result = {
        "fitted": fitted,
        "balanced": balanced,
        "false_abstention_target": args.false_abstention,
        "current": current,
        "dev_sizes": {k: len(v) for k, v in dev.items()},
        "holdout_sizes": {k: len(v) for k, v in holdout.items()},
        "holdout_fitted": trade_off(holdout, fitted),
        "holdout_balanced": trade_off(holdout, balanced),
        "holdout_current": trade_off(holdout, current),
        "dev_fitted": trade_off(dev, fitted),
        "command": cmd,
        "machine": facts,
    }
    markdown = render(result, facts, cmd)
    path = write_result(f"calibration{suffix}", markdown, result, args.results)
    log(markdown)
    log(f"written to {path}")
    print("ANSWERABILITY = " + _literal(fitted))
    if args.write:
        save_weights(answerability=fitted)
        log(f"written to {WEIGHTS}")
    if args.json:
        print(json.dumps(result))
    return 0


def _literal(model: dict[str, float]) -> str:
    body = "".join(f'    "{k}": {v!r},\n' for k, v in model.items())
    return "{\n" + body + "}"


def render(result: dict[str, Any], facts: dict[str, Any], cmd: str) -> str:
    def table(rows: list[dict[str, float]]) -> str:
        return markdown_table(
            [
                "threshold",
                "false abstentions",
                "abstain: v2.0 unanswerable",
                "abstain: out of corpus",
            ],
            [
                [
                    r["threshold"],
                    r["false_abstention"],
                    r["abstain_v2_unanswerable"],
                    r["abstain_out_of_corpus"],
                ]
                for r in rows
            ],
        )

    sizes = result["holdout_sizes"]
    return "\n".join(
        [
            "# Answerability calibration (fitted on the dev split)\n",
            "Fitted, bias set so that at most "
            f"{100 * result['false_abstention_target']:.0f}% of dev answerable questions abstain "
            "at 0.5 (`--write` stores them in assistant/answer/weights.json):\n",
            "```python\nANSWERABILITY = " + _literal(result["fitted"]) + "\n```\n",
            f"Class-balanced fit before moving the bias: {result['balanced']}\n",
            f"Dev sizes: {result['dev_sizes']}; holdout sizes: {sizes}.\n",
            "## Holdout, fitted weights (operating point)\n",
            table(result["holdout_fitted"]),
            "\n## Holdout, class-balanced fit\n",
            table(result["holdout_balanced"]),
            "\n## Holdout, current weights (assistant/answer/weights.json)\n",
            table(result["holdout_current"]),
            "\n" + facts_markdown(facts, cmd),
        ]
    )


if __name__ == "__main__":
    sys.exit(main())
