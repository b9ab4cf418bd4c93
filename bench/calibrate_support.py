"""Where the support check's thresholds come from, and how right its "unsupported" flag is.

    .venv/bin/python -m bench.calibrate_support [--labels bench/support_labels.jsonl]

1. `bench/support_pairs.jsonl`: claims about the bundled article (paraphrases and altered
   facts), each labelled supported or not by one of its sentences; prints the accuracy of the
   current thresholds there.
2. `bench/support_labels.jsonl`: sentences a real instruct model wrote over news_dev through the
   model path (`python -m bench.llm_news`), each with the quotes it cites, labelled supported or
   not by reading each pair (its header line says how). Split by article: the articles in
   `DEV_ARTICLES` are the dev part, the rest the held-out part. The thresholds (overlap, or
   similarity with a floor of overlap) are refitted on the dev part to the best F1 of the
   "unsupported" flag, and the precision and recall of that flag are reported on the held-out
   part, for the current thresholds and the refitted ones.

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


@dataclass(frozen=True)
class Row:
    sim: float
    lex: float
    facts_ok: bool
    supported: bool  # the label
    claim: str
    article: str = ""

    def flagged(self, similarity: float, overlap: float, floor: float) -> bool:
        """The check's verdict, unsupported, under these thresholds."""
        ok = self.facts_ok and self.lex >= floor and (self.lex >= overlap or self.sim >= similarity)
        return not ok


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    rows = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    return [r for r in rows if "sentence" in r or "claim" in r]  # a header line has neither


def flag_scores(rows: list[Row], thresholds: tuple[float, float, float]) -> dict[str, Any]:
    """Precision and recall of the "unsupported" flag (the positive class)."""
    flagged = [r.flagged(*thresholds) for r in rows]
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
        sim = max(float(vector @ vectors[q]) for q in label["cited"])
        rows.append(
            Row(
                sim,
                sp.overlap(claim, evidence, label.get("question", "")),
                not sp.missing_facts(claim, evidence, label.get("question", "")),
                bool(label["supported"]),
                label["sentence"],
                label.get("article", ""),
            )
        )
    return rows


def fit(rows: list[Row], current: tuple[float, float, float]) -> tuple[float, float, float]:
    """The thresholds with the best F1 of the flag on `rows` (ties: nearest the current)."""
    best: tuple[float, float, tuple[float, float, float]] | None = None
    for s in np.arange(0.40, 0.91, 0.05):
        for o in np.arange(0.40, 0.96, 0.05):
            for floor in np.arange(0.0, 0.61, 0.05):
                if floor > o:
                    continue
                t = (round(float(s), 2), round(float(o), 2), round(float(floor), 2))
                f1 = flag_scores(rows, t)["f1"]
                distance = sum(abs(a - b) for a, b in zip(t, current, strict=True))
                key = (f1, -distance, t)
                if best is None or key[:2] > best[:2]:
                    best = key
    assert best is not None
    return best[2]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--labels", type=Path, default=LABELS)
    parser.add_argument("--results", type=Path, default=RESULTS)
    parser.add_argument("--show", action="store_true", help="print every labelled sentence")
    args = parser.parse_args(argv)
    current = (sp.SIMILARITY, sp.OVERLAP, sp.MIN_OVERLAP)
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
        "current": dict(zip(("similarity", "overlap", "min_overlap"), current, strict=True)),
        "pairs": flag_scores(pairs, current) | {"file": PAIRS.name},
    }
    lines = [
        '# The support check\'s "unsupported" flag\n',
        f"Command: `{data['command']}`\n",
        f"Current thresholds: overlap >= {sp.OVERLAP}, or similarity >= {sp.SIMILARITY} and "
        f"overlap >= {sp.MIN_OVERLAP}; no missing fact.\n",
    ]
    table = [["support_pairs (bundled article)", "current", *_cells(data["pairs"])]]
    if rows:
        dev = [r for r in rows if r.article in DEV_ARTICLES]
        held = [r for r in rows if r.article not in DEV_ARTICLES]
        fitted = fit(dev, current)
        data["fitted"] = dict(zip(("similarity", "overlap", "min_overlap"), fitted, strict=True))
        for part, part_rows in (("dev", dev), ("held-out", held)):
            for name, t in (("current", current), ("refitted on dev", fitted)):
                scores = flag_scores(part_rows, t)
                data[f"{part} {name}"] = scores
                table.append([f"labels, {part} part", name, *_cells(scores)])
        lines.append(
            f"Refitted on the dev part ({len(dev)} sentences): overlap >= {fitted[1]}, or "
            f"similarity >= {fitted[0]} and overlap >= {fitted[2]}.\n"
        )
    header = ["data", "thresholds", "sentences", "unsupported", "flagged", "precision", "recall"]
    lines.append(markdown_table(header, table))
    lines.append(
        "\nThe flag is the positive class: precision is the share of flagged sentences that are"
        " unsupported, recall the share of unsupported sentences flagged.\n"
    )
    if args.show:
        for r in rows:
            verdict = "flag" if r.flagged(*current) else "ok  "
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
