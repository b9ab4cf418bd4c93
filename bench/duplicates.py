"""Near-copies of one story, found at ingest (assistant/ingest/stories.py), on SQuAD paragraphs.

    .venv/bin/python -m bench.duplicates [--stories 200 --copies 10 --others 2000]
                                          [--retrieval-stories 20] [--json]

Of SQuAD v1.1's dev paragraphs, `--stories` get `--copies` near-copies each, as a wire story
reprinted by outlets: page furniture added at the top and bottom ("Share this article", "Sign up
for our newsletter", "Related: ..."), and in every other copy one sentence changed (a word
swapped); `--others` further paragraphs stay single. Every text is grouped as ingest does it,
in a shuffled order. Reported: copy pairs found (a copy in its original's story; goal >= 0.98),
distinct paragraphs wrongly merged into another's story (goal <= 0.5%), the story step's time
per article against the measured ingest time per article, and, on a small index with
`--retrieval-stories` of them, the share of the top 8 passages that repeat a sentence another of
the 8 already holds (goal: none).
"""

from __future__ import annotations

import argparse
import json
import random
import re
import tempfile
import time
from pathlib import Path
from typing import Any

from assistant import Assistant
from assistant.ingest.stories import Stories, signature

from .common import (
    RESULTS,
    bench_settings,
    command,
    facts_markdown,
    load_squad,
    log,
    machine_facts,
    markdown_table,
    write_result,
)

FURNITURE_TOP = ["Share this article", "Home | News | World | Sport", "Advertisement"]
FURNITURE_BOTTOM = [
    "Sign up for our newsletter to get the latest news.",
    "Related: More stories from our correspondents",
    "Copyright 2024 Press Agency. All rights reserved.",
    "Follow us on social media for updates.",
]


def copy_of(text: str, rng: random.Random, change: bool, outlet: int) -> str:
    lines = [rng.choice(FURNITURE_TOP), f"Reprinted by outlet {outlet}", text]
    if change:
        sentences = re.split(r"(?<=[.!?])\s+", text)
        i = rng.randrange(len(sentences))
        words = sentences[i].split()
        if len(words) > 3:
            j = rng.randrange(1, len(words))
            words[j] = rng.choice(["several", "new", "local", "other", "many"])
        sentences[i] = " ".join(words)
        lines[2] = " ".join(sentences)
    lines.append(rng.choice(FURNITURE_BOTTOM))
    return "\n".join(lines)


def detection(stories: int, copies: int, others: int, seed: int = 0) -> dict[str, Any]:
    rng = random.Random(seed)
    paragraphs = [p for p in load_squad().contexts if len(p.split()) >= 40]
    rng.shuffle(paragraphs)
    originals = paragraphs[:stories]
    singles = paragraphs[stories : stories + others]
    docs: list[tuple[str, str, str]] = []  # (doc id, text, the story it belongs to)
    for s, text in enumerate(originals):
        docs.append((f"s{s}-0", text, f"s{s}"))
        for c in range(1, copies):
            docs.append((f"s{s}-{c}", copy_of(text, rng, c % 2 == 0, c), f"s{s}"))
    docs += [(f"o{i}", text, f"o{i}") for i, text in enumerate(singles)]
    rng.shuffle(docs)
    grouped = Stories()
    started = time.perf_counter()
    found: dict[str, str] = {}
    for doc_id, text, _ in docs:
        found[doc_id] = grouped.add(doc_id, signature(text))
    seconds = time.perf_counter() - started
    truth = {doc_id: story for doc_id, _, story in docs}
    # Pairs: each copy with each other member of its story.
    members: dict[str, list[str]] = {}
    for doc_id, story in truth.items():
        members.setdefault(story, []).append(doc_id)
    pairs = together = 0
    for group in members.values():
        for i, a in enumerate(group):
            for b in group[i + 1 :]:
                pairs += 1
                together += found[a] == found[b]
    # A distinct story wrongly merged: one of its members shares a found story with a member of
    # another true story.
    owners: dict[str, set[str]] = {}
    for doc_id, story in found.items():
        owners.setdefault(story, set()).add(truth[doc_id])
    merged = {t for stories_in in owners.values() if len(stories_in) > 1 for t in stories_in}
    return {
        "articles": len(docs),
        "copy_pairs": pairs,
        "pairs_found": round(together / max(pairs, 1), 4),
        "stories": len(members),
        "stories_wrongly_merged": round(len(merged) / max(len(members), 1), 4),
        "ms_per_article": round(1000 * seconds / len(docs), 2),
    }


def retrieval(stories: int, seed: int = 0) -> dict[str, Any]:
    """Top-8 passages over a small index of stories with 5 copies each and 5x single ones."""
    rng = random.Random(seed)
    paragraphs = [p for p in load_squad().contexts if len(p.split()) >= 40]
    rng.shuffle(paragraphs)
    with tempfile.TemporaryDirectory(prefix="bench-dups-") as tmp:
        folder = Path(tmp) / "articles"
        folder.mkdir()
        for s, text in enumerate(paragraphs[:stories]):
            for c in range(5):
                body = text if c == 0 else copy_of(text, rng, c % 2 == 0, c)
                (folder / f"s{s}-{c}.txt").write_text(f"Story {s}\n{body}\n", encoding="utf-8")
        for i, text in enumerate(paragraphs[stories : stories * 6]):
            (folder / f"o{i}.txt").write_text(f"Single {i}\n{text}\n", encoding="utf-8")
        assistant = Assistant(bench_settings(Path(tmp) / "index"))
        started = time.perf_counter()
        report = assistant.ingest([folder])
        ingest_s = time.perf_counter() - started
        questions = [p.split(". ")[0] for p in paragraphs[:stories]]
        repeated = shown = 0
        for q in questions:
            texts = [" ".join(p.text.lower().split()) for p in assistant.retrieve(q)]
            shown += len(texts)
            repeated += len(texts) - len(set(texts))
    return {
        "articles": len(report.added),
        "ingest_ms_per_article": round(1000 * ingest_s / max(len(report.added), 1), 1),
        "top8_repeated_share": round(repeated / max(shown, 1), 4),
        "questions": len(questions),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stories", type=int, default=200)
    parser.add_argument("--copies", type=int, default=10)
    parser.add_argument("--others", type=int, default=2000)
    parser.add_argument("--retrieval-stories", type=int, default=20)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--results", type=Path, default=RESULTS)
    parser.add_argument("--cache", type=Path, default=None, help="(unused)")
    args = parser.parse_args(argv)
    found = detection(args.stories, args.copies, args.others)
    log(f"detection: {found}")
    shown = retrieval(args.retrieval_stories) if args.retrieval_stories else {}
    log(f"retrieval: {shown}")
    data: dict[str, Any] = {
        "command": command("bench.duplicates", argv),
        "machine": machine_facts(),
        "detection": found,
        "retrieval": shown,
    }
    if shown:
        found["story step / ingest time"] = round(
            found["ms_per_article"] / max(shown["ingest_ms_per_article"], 1e-9), 4
        )
    rows = [[f"grouping: {k}", v] for k, v in found.items()]
    rows += [[f"retrieval: {k}", v] for k, v in shown.items()]
    table = markdown_table(["measure", "value"], rows)
    markdown = (
        "# Near-copies of one story\n\n"
        + facts_markdown(data["machine"], data["command"])
        + f"\n{table}\n"
    )
    write_result("duplicates", markdown, data, args.results)
    print(json.dumps({"grouping": found, "retrieval": shown}) if args.json else table)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
