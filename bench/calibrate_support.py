"""Where the support check's thresholds come from: claims about the bundled article, each
labelled supported or not by one of its sentences (bench/support_pairs.jsonl), scored with the
real check; prints the accuracy of each (similarity, overlap) threshold pair and the best.

    .venv/bin/python -m bench.calibrate_support
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import numpy as np

from assistant import Assistant, Settings
from assistant import support as sp

ROOT = Path(__file__).resolve().parent.parent
PAIRS = Path(__file__).with_name("support_pairs.jsonl")


def main() -> None:
    pairs = [json.loads(line) for line in PAIRS.read_text().splitlines() if line.strip()]
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(
            index_dir=Path(tmp), llm="extractive", openai_api_key=None, openai_base_url=None
        )
        assistant = Assistant(settings)
        assistant.ingest(ROOT / "data" / "articles")
        rows = []
        for pair in pairs:
            passage = next(
                p for p in assistant.retrieve(pair["passage"]) if pair["passage"] in p.text
            )
            (evidence,) = sp.passage_evidence(assistant.store, assistant.embed, [passage])
            vector = assistant.embed.encode([pair["claim"]])[0]
            rows.append(
                (
                    float(vector @ evidence.vector),
                    sp.overlap(pair["claim"], evidence.text),
                    not sp.missing_facts(pair["claim"], evidence.text),
                    bool(pair["supported"]),
                    pair["claim"],
                )
            )
    print(f"{'sim':>5} {'lex':>5} facts label  claim")
    for sim, lex, facts_ok, label, claim in rows:
        print(f"{sim:5.2f} {lex:5.2f} {facts_ok!s:5} {label!s:5}  {claim[:80]}")

    def accuracy(s: float, o: float, floor: float) -> float:
        hits = sum(
            (f and (lex >= o or (sim >= s and lex >= floor))) == label
            for sim, lex, f, label, _ in rows
        )
        return hits / len(rows)

    grid = [
        (accuracy(s, o, floor), -abs(o - 0.7), float(s), float(o), float(floor))
        for s in np.arange(0.4, 0.91, 0.05)
        for o in np.arange(0.5, 0.96, 0.05)
        for floor in np.arange(0.0, 0.61, 0.05)
    ]
    acc, _, s, o, floor = max(grid)
    print(
        f"best: accuracy {acc:.3f} with overlap >= {o:.2f}, "
        f"or similarity >= {s:.2f} and overlap >= {floor:.2f}"
    )
    now = accuracy(sp.SIMILARITY, sp.OVERLAP, sp.MIN_OVERLAP)
    print(
        f"current (overlap {sp.OVERLAP}, or similarity {sp.SIMILARITY} and overlap "
        f"{sp.MIN_OVERLAP}): accuracy {now:.3f}"
    )


if __name__ == "__main__":
    main()
