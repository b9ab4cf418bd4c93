"""Where the support check's thresholds come from, and how right its "unsupported" flag is.

    .venv/bin/python -m bench.calibrate_support [--labels bench/support_labels.jsonl] [--write]

1. `bench/support_pairs.jsonl`: claims about the bundled article (paraphrases and altered
   facts), each labelled supported or not by one of its sentences.
2. `bench/support_labels.jsonl`: sentences a real instruct model wrote over news_dev through the
   model path (`python -m bench.llm_news`), each with the quotes it cites, labelled supported or
   not by reading each pair (its header line says how). Split by article: the articles in
   `DEV_ARTICLES` are the dev part, the rest the held-out part.

The check flags a sentence with a missing fact; for the others a logistic model of
"unsupported" over similarity, overlap and new words (assistant/llm/support_weights.json) is
refitted on the dev part's sentences with no missing fact (class-balanced, L2), its threshold
the best F1 of the flag on the dev part and the pairs together. Precision and recall of the
flag are reported on every part, for the current model and the refitted one; `--write` writes
the refitted one.

Results: `bench/results/calibrate_support.{md,json}`.
"""

from __future__ import annotations

import argparse
import json
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from assistant import Assistant, Settings
from assistant.llm import support as sp
from assistant.llm.markers import strip_markers

from .calibrate import fit_logistic
from .common import RESULTS, command, markdown_table, write_result

ROOT = Path(__file__).resolve().parent.parent
PAIRS = Path(__file__).with_name("support_pairs.jsonl")
LABELS = Path(__file__).with_name("support_labels.jsonl")
# Six of news_dev's twelve articles, every other one in alphabetical order: the dev part.
DEV_ARTICLES = frozenset(
    {
        "abc13-salon-ban",
        "cnn-harry-meghan",
        "gothamist-bronx-rezoning",
        "kxan-teacher-pensions",
        "mnt-aha-moment",
        "observer-louvre-chardin",
    }
)


Model = dict[str, float]


@dataclass(frozen=True)
class Row:
    sim: float
    lex: float
    facts_ok: bool
    new: int
    supported: bool  # the label
    claim: str
    article: str = ""

    def features(self) -> list[float]:
        return [self.sim, self.lex, float(self.new)]

    def flagged(self, model: Model) -> bool:
        """The check's verdict, unsupported, under this model."""
        return sp.flagged(self.sim, self.lex, 0 if self.facts_ok else 1, self.new, model)


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    rows = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    return [r for r in rows if "sentence" in r or "claim" in r]  # a header line has neither


def flag_scores(rows: list[Row], model: Model) -> dict[str, Any]:
    """Precision and recall of the "unsupported" flag (the positive class)."""
    flagged = [r.flagged(model) for r in rows]
    tp = sum(f and not r.supported for f, r in zip(flagged, rows, strict=True))
    fp = sum(f and r.supported for f, r in zip(flagged, rows, strict=True))
    fn = sum(not f and not r.supported for f, r in zip(flagged, rows, strict=True))
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    accuracy = sum(f != r.supported for f, r in zip(flagged, rows, strict=True)) / max(len(rows), 1)
    return {
        "sentences": len(rows),
        "unsupported": tp + fn,
        "flagged": tp + fp,
        "precision": round(precision, 3),
        "recall": round(recall, 3),
        "f1": round(f1, 3),
        "accuracy": round(accuracy, 3),
    }


def pair_rows(assistant: Assistant) -> list[Row]:
    rows = []
    for pair in read_jsonl(PAIRS):
        passage = next(p for p in assistant.retrieve(pair["passage"]) if pair["passage"] in p.text)
        (evidence,) = sp.passage_evidence(assistant.store, assistant.embed, [passage])
        vector = assistant.embed.encode([pair["claim"]])[0]
        rows.append(
            Row(
                float(vector @ evidence.vector),
                sp.overlap(pair["claim"], evidence.text),
                not sp.missing_facts(pair["claim"], evidence.text),
                sp.new_words(pair["claim"], evidence.text),
                bool(pair["supported"]),
                pair["claim"],
            )
        )
    return rows


def label_rows(assistant: Assistant, labels: list[dict[str, Any]]) -> list[Row]:
    """The check's inputs for each labelled sentence: its cited quotes together, with the
    question asked, are the evidence for words and facts, the nearest quote for meaning (as in
    SupportChecker)."""
    rows = []
    quotes = sorted({q for label in labels for q in label["cited"]})
    vectors = dict(zip(quotes, assistant.embed.encode(quotes), strict=True))
    claims = [strip_markers(label["sentence"]) for label in labels]  # as the check sees them
    claim_vectors = assistant.embed.encode(claims)
    for label, claim, vector in zip(labels, claims, claim_vectors, strict=True):
        evidence = " ".join(label["cited"])
        asked = label.get("question", "")
        sim = max(float(vector @ vectors[q]) for q in label["cited"])
        rows.append(
            Row(
                sim,
                sp.overlap(claim, evidence, asked),
                not sp.missing_facts(claim, evidence, asked),
                sp.new_words(claim, evidence, asked),
                bool(label["supported"]),
                label["sentence"],
                label.get("article", ""),
            )
        )
    return rows


def fit(dev: list[Row], pairs: list[Row]) -> Model:
    """The logistic model refitted on the dev sentences with no missing fact; its threshold
    the best F1 of the flag on the dev part and the pairs together (ties: the higher)."""
    rows = [r for r in dev if r.facts_ok]
    x = np.asarray([r.features() for r in rows], dtype=np.float64)
    y = np.asarray([0.0 if r.supported else 1.0 for r in rows])
    w, bias = fit_logistic(x, y, l2=0.1)
    model: Model = {name: round(float(v), 3) for name, v in zip(sp.FEATURES, w, strict=True)}
    model["bias"] = round(bias, 3)
    best = max(
        (round(float(t), 2) for t in np.arange(0.30, 0.91, 0.05)),
        key=lambda t: (flag_scores(dev + pairs, model | {"threshold": t})["f1"], t),
    )
    return model | {"threshold": best}


def write_weights(model: Model) -> None:
    data = json.loads(sp.WEIGHTS.read_text(encoding="utf-8"))
    data["unsupported"] = model
    sp.WEIGHTS.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--labels", type=Path, default=LABELS)
    parser.add_argument("--results", type=Path, default=RESULTS)
    parser.add_argument("--show", action="store_true", help="print every labelled sentence")
    parser.add_argument("--write", action="store_true", help="write the refitted model")
    args = parser.parse_args(argv)
    current: Model = dict(sp.weights())
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(
            index_dir=Path(tmp), llm="extractive", openai_api_key=None, openai_base_url=None
        )
        assistant = Assistant(settings)
        assistant.ingest(ROOT / "data" / "articles")
        pairs = pair_rows(assistant)
        labels = [r for r in read_jsonl(args.labels) if r["cited"]] if args.labels.exists() else []
        rows = label_rows(assistant, labels) if labels else []
    data: dict[str, Any] = {
        "command": command("bench.calibrate_support", argv),
        "current": current,
        "pairs": flag_scores(pairs, current) | {"file": PAIRS.name},
    }
    lines = [
        '# The support check\'s "unsupported" flag\n',
        f"Command: `{data['command']}`\n",
        f"Current model (assistant/llm/support_weights.json): {current}; a missing fact "
        "flags whatever the model says.\n",
    ]
    table = [["support_pairs (bundled article)", "current", *_cells(data["pairs"])]]
    if rows:
        dev = [r for r in rows if r.article in DEV_ARTICLES]
        held = [r for r in rows if r.article not in DEV_ARTICLES]
        fitted = fit(dev, pairs)
        data["fitted"] = fitted
        table.append(
            ["support_pairs (bundled article)", "refitted", *_cells(flag_scores(pairs, fitted))]
        )
        for part, part_rows in (("dev", dev), ("held-out", held)):
            for name, model in (("current", current), ("refitted on dev", fitted)):
                scores = flag_scores(part_rows, model)
                data[f"{part} {name}"] = scores
                table.append([f"labels, {part} part", name, *_cells(scores)])
        lines.append(f"Refitted on the dev part ({len(dev)} sentences): {fitted}.\n")
        if args.write:
            write_weights(fitted)
            lines.append("Written to assistant/llm/support_weights.json.\n")
    header = ["data", "model", "sentences", "unsupported", "flagged", "precision", "recall"]
    lines.append(markdown_table(header, table))
    lines.append(
        "\nThe flag is the positive class: precision is the share of flagged sentences that are"
        " unsupported, recall the share of unsupported sentences flagged.\n"
    )
    if args.show:
        for r in rows:
            verdict = "flag" if r.flagged(current) else "ok  "
            print(
                f"{r.sim:5.2f} {r.lex:5.2f} {r.facts_ok!s:5} {r.supported!s:5} {verdict} "
                f"{r.claim[:90]}"
            )
    write_result("calibrate_support", "\n".join(lines), data, args.results)
    print("\n".join(lines))
    return 0


def _cells(scores: dict[str, Any]) -> list[Any]:
    return [
        scores["sentences"],
        scores["unsupported"],
        scores["flagged"],
        scores["precision"],
        scores["recall"],
    ]


if __name__ == "__main__":
    raise SystemExit(main())
