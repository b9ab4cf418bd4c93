"""Fit the extractive answerer's ranking weights on SQuAD (dev split only).

    .venv/bin/python -m bench.fit_answerer [--questions 3000] [--selector]

Asks dev questions (even-position articles of SQuAD v1.1 dev) of the bench's cached index of
every v1.1 paragraph (bench/common.py), so a question meets the sentences of other articles as
it would in use, and computes ExtractiveAnswerer.score's features for every retrieved passage.
RANKING is fitted as a conditional logit: per question, a softmax over its retrieved passages,
whose target is the passages holding a gold answer (questions with none are left out). That is
the model of "which of these sentences is cited first". Fitted on the even-numbered questions,
reported as top-1 answer-sentence hit on the odd ones, before and after. Prints the dict, ready to
paste into assistant/answer.py. (ANSWERABILITY is fitted afterwards by bench.calibrate, on the
features of the passage this ranking puts first.)

With --selector (and whenever RANKING uses the learned selector, assistant/selector.py), the
selector's logit is a feature too, and the questions come only from the dev articles the selector
was not trained on (bench/selector_data.py: positions 2, 6, 10, ...); it also reports the top-1
of retrieval order, of the selector alone and of a refit without it, on the same held-out
questions.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from assistant.answer import RANKING

from .common import (
    CACHE,
    SQUAD_V1,
    Progress,
    Question,
    VectorCache,
    corpus_index,
    load_squad,
    log,
    sample,
    split_questions,
)

# What RANKING is made of, in its order: the fit prints a dict to paste over it.
FEATURES = tuple(RANKING)
WITH_SELECTOR = (*(k for k in FEATURES if k != "selector"), "selector")


def fit_softmax(
    x: np.ndarray, y: np.ndarray, groups: np.ndarray, l2: float = 1e-3, steps: int = 1500
) -> np.ndarray:
    """Weights (original feature units) of a per-group softmax, by gradient descent on
    standardised features; the target spreads evenly over a group's positives."""
    mean, std = x.mean(axis=0), x.std(axis=0)
    std[std == 0] = 1.0
    _, group = np.unique(groups, return_inverse=True)
    positives = np.bincount(group, weights=y)
    keep = positives[group] > 0
    z, target, group = (x[keep] - mean) / std, y[keep] / positives[group[keep]], group[keep]
    n_groups = int((positives > 0).sum())
    size = len(positives)
    w = np.zeros(x.shape[1])
    for _ in range(steps):
        s = z @ w
        top = np.full(size, -np.inf)
        np.maximum.at(top, group, s)
        e = np.exp(s - top[group])
        p = e / np.bincount(group, weights=e, minlength=size)[group]
        w -= z.T @ (p - target) / n_groups + l2 * w
    return w / std


def top1(x: np.ndarray, y: np.ndarray, groups: np.ndarray, w: np.ndarray) -> float:
    """Share of questions whose best-scored passage holds a gold answer."""
    s = x @ w
    order = np.lexsort((-s, groups))
    first = np.r_[True, groups[order][1:] != groups[order][:-1]]
    return float(y[order][first].mean())


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.fit_answerer", description=__doc__)
    parser.add_argument("--questions", type=int, default=3000, help="dev questions sampled")
    parser.add_argument("--cache", type=Path, default=CACHE, help="where built indexes go")
    parser.add_argument(
        "--selector",
        action="store_true",
        help="add the learned selector's logit (questions of articles it never trained on)",
    )
    args = parser.parse_args(argv)

    squad = load_squad(SQUAD_V1)
    index = corpus_index("squad-v1", squad.contexts, VectorCache(args.cache), args.cache)
    assistant = index.assistant
    with_selector = args.selector or "selector" in RANKING
    features = WITH_SELECTOR if with_selector else FEATURES
    if with_selector:
        from .selector_data import measure_questions

        assistant.extractive.use_selector = True
        questions: list[Question] = sample(measure_questions(squad), args.questions, seed=1)
    else:
        questions = split_questions(squad, "dev", args.questions, seed=1)
    rows, labels, groups, ranks = [], [], [], []
    bar = Progress(len(questions), "features")
    for g, q in enumerate(questions):
        for s in assistant.extractive.score(q.text, assistant.retrieve(q.text)):
            rows.append([s.features[k] for k in features])
            labels.append(float(any(a.lower() in s.passage.text.lower() for a in q.answers)))
            groups.append(g)
            ranks.append(s.passage.rank)
        bar.update(g + 1)
    x, y, grp = np.array(rows), np.array(labels), np.array(groups)
    train = grp % 2 == 0
    w = fit_softmax(x[train], y[train], grp[train])
    old = np.array([RANKING.get(k, 0.0) for k in features])
    test = ~train
    log(
        f"answer-sentence top-1 on {len(set(grp[test].tolist()))} held-out "
        f"dev questions: current {top1(x[test], y[test], grp[test], old):.3f}, "
        f"fitted {top1(x[test], y[test], grp[test], w):.3f}"
    )
    if with_selector:
        alone = np.array([float(k == "selector") for k in features])
        order = -np.array(ranks, dtype=float)[:, None]
        plain = [i for i, k in enumerate(features) if k != "selector"]
        w_plain = fit_softmax(x[train][:, plain], y[train], grp[train])
        held_groups = np.unique(grp[test])
        held = len(held_groups)
        reachable = float((np.bincount(grp[test], weights=y[test])[held_groups] > 0).mean())
        log(
            f"held-out dev questions {held} (articles the selector never trained on): "
            f"retrieval order {top1(order[test], y[test], grp[test], np.ones(1)):.3f}, "
            f"selector alone {top1(x[test], y[test], grp[test], alone):.3f}, "
            f"refitted without the selector "
            f"{top1(x[test][:, plain], y[test], grp[test], w_plain):.3f}, "
            f"refitted with it {top1(x[test], y[test], grp[test], w):.3f}; "
            f"an answer among the retrieved {reachable:.3f}"
        )
    w = fit_softmax(x, y, grp)  # the weights to use: fitted on every question
    fitted = {k: round(float(v), 3) for k, v in zip(features, w, strict=True)}
    body = "".join(f'    "{k}": {v!r},\n' for k, v in fitted.items())
    print("RANKING = {\n" + body + "}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
