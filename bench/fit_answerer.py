"""Fit the extractive answerer's ranking weights on SQuAD (dev split only).

    .venv/bin/python -m bench.fit_answerer [--questions 3000] [--news]

Asks dev questions (even-position articles of SQuAD v1.1 dev) of the bench's cached index of
every v1.1 paragraph (bench/common.py), so a question meets the sentences of other articles as
it would in use, and computes ExtractiveAnswerer.score's features for every retrieved passage.
RANKING is fitted as a conditional logit: per question, a softmax over its retrieved passages,
whose target is the passages holding a gold answer (questions with none are left out). That is
the model of "which of these sentences is cited first". Fitted on the even-numbered questions,
reported as top-1 answer-sentence hit on the odd ones, before and after. Prints the dict; with
--write, stores it in assistant/answer/weights.json. (ANSWERABILITY is fitted afterwards by
bench.calibrate, on the features of the passage this ranking puts first.)

The learned selector's logit (assistant/answer/selector.py) is fitted as one more feature, so the
questions come only from the dev articles the selector never trained on (bench/selector_data.py:
positions 2, 6, 10, ...). Also reported on the same held-out questions: the top-1 of retrieval
order, of the current RANKING, of the selector alone and of a refit without it; with --news, the
same on news_dev's plain questions (measured, never fitted on).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from assistant import Assistant
from assistant.answer import RANKING
from assistant.answer.ranking import WEIGHTS, save_weights

from .common import (
    CACHE,
    SQUAD_V1,
    Progress,
    VectorCache,
    corpus_index,
    load_squad,
    log,
    sample,
)
from .selector_data import measure_questions

# What RANKING is made of, in its order: the fit prints a dict to paste over it.
FEATURES = (*(k for k in RANKING if k != "selector"), "selector")


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


def news_top1(features: Sequence[str], weights: dict[str, np.ndarray]) -> None:
    """Measure only (never fit on it): top-1 among the retrieved passages on news_dev's plain
    questions (a passage answers when it holds a support or gold string, news_dev's rule), and
    how well the best passage's selector logit tells its unanswerable questions apart."""
    import tempfile

    from .common import bench_settings
    from .news import NEWS_DEV, _holds, load_cases

    with tempfile.TemporaryDirectory() as tmp:
        assistant = Assistant.open(settings=bench_settings(Path(tmp) / "index"))
        assistant.ingest([NEWS_DEV / "txt"])
        assistant.extractive.ranker.use_selector = True
        rows, labels, groups, ranks, best, unanswerable = [], [], [], [], [], []
        for g, case in enumerate(c for c in load_cases() if c.kind in ("plain", "unanswerable")):
            scored = assistant.extractive.score(case.q, assistant.retrieve(case.q))
            for sc in scored:
                rows.append([sc.features[k] for k in features])
                labels.append(float(_holds(sc.passage.text, case.support + case.any)))
                groups.append(g)
                ranks.append(sc.passage.rank)
            best.append(max((sc.features["selector"] for sc in scored), default=-10.0))
            unanswerable.append(case.abstain)
    x, y, grp = np.array(rows), np.array(labels), np.array(groups)
    answerable = np.array([not u for u in unanswerable])
    keep = answerable[grp]
    x, y, grp = x[keep], y[keep], grp[keep]
    order = -np.array(ranks, dtype=float)[keep][:, None]
    found = [f"retrieval order {top1(order, y, grp, np.ones(1)):.3f}"]
    found += [f"{name} {top1(x, y, grp, w):.3f}" for name, w in weights.items()]
    reachable = float((np.bincount(grp, weights=y)[np.unique(grp)] > 0).mean())
    b = np.array(best)
    pos, neg = b[answerable], b[~answerable]
    auc = float(((pos[:, None] > neg[None, :]) + 0.5 * (pos[:, None] == neg[None, :])).mean())
    log(
        f"news_dev, {len(np.unique(grp))} plain questions, top-1 among the retrieved: "
        + ", ".join(found)
        + f"; an answer among the retrieved {reachable:.3f}. Best passage's selector logit, "
        f"answerable vs the {len(neg)} unanswerable: AUC {auc:.3f} (median {np.median(pos):.2f} "
        f"vs {np.median(neg):.2f})"
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.fit_answerer", description=__doc__)
    parser.add_argument("--questions", type=int, default=3000, help="dev questions sampled")
    parser.add_argument("--cache", type=Path, default=CACHE, help="where built indexes go")
    parser.add_argument(
        "--news", action="store_true", help="also measure on news_dev's txt/ articles"
    )
    parser.add_argument(
        "--write",
        action="store_true",
        help="store the fitted weights in assistant/answer/weights.json",
    )
    args = parser.parse_args(argv)

    squad = load_squad(SQUAD_V1)
    index = corpus_index("squad-v1", squad.contexts, VectorCache(args.cache), args.cache)
    assistant = index.assistant
    features = FEATURES
    assistant.extractive.ranker.use_selector = True
    questions = sample(measure_questions(squad), args.questions, seed=1)
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
    alone = np.array([float(k == "selector") for k in features])
    order = -np.array(ranks, dtype=float)[:, None]
    plain = [i for i, k in enumerate(features) if k != "selector"]
    w_plain = fit_softmax(x[train][:, plain], y[train], grp[train])
    held_groups = np.unique(grp[test])
    held = len(held_groups)
    reachable = float((np.bincount(grp[test], weights=y[test])[held_groups] > 0).mean())
    log(
        f"answer-sentence top-1 on {held} held-out dev questions (articles the selector never "
        f"trained on): retrieval order {top1(order[test], y[test], grp[test], np.ones(1)):.3f}, "
        f"current RANKING {top1(x[test], y[test], grp[test], old):.3f}, "
        f"selector alone {top1(x[test], y[test], grp[test], alone):.3f}, "
        f"refitted without the selector "
        f"{top1(x[test][:, plain], y[test], grp[test], w_plain):.3f}, "
        f"refitted with it {top1(x[test], y[test], grp[test], w):.3f}; "
        f"an answer among the retrieved {reachable:.3f}"
    )
    w = fit_softmax(x, y, grp)  # the weights to use: fitted on every question
    fitted = {k: round(float(v), 3) for k, v in zip(features, w, strict=True)}
    if args.news:
        plain = [i for i, k in enumerate(features) if k != "selector"]
        w_plain = np.zeros(len(features))
        w_plain[plain] = fit_softmax(x[:, plain], y, grp)
        news_top1(
            features,
            {
                "current RANKING": old,
                "selector alone": np.array([float(k == "selector") for k in features]),
                "refitted without the selector": w_plain,
                "refitted with it": w,
            },
        )
    body = "".join(f'    "{k}": {v!r},\n' for k, v in fitted.items())
    print("RANKING = {\n" + body + "}")
    if args.write:
        save_weights(ranking=fitted)
        log(f"written to {WEIGHTS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
