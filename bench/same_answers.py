"""Do a refactor's answers stay the same? The answer text of a fixed set of questions, kept and
compared word for word.

    .venv/bin/python -m bench.same_answers --write BEFORE.json   # before the change
    .venv/bin/python -m bench.same_answers --compare BEFORE.json # after it: lists what changed

The set: 300 SQuAD v1.1 dev-split questions over the bench's cached index of every v1.1 paragraph
(bench/common.py), the 105 questions of ../shared/eval/news_dev/ over its txt/ articles (a
follow-up after its earlier question, as a chat asks it), and the bundled article's
../shared/eval/dev_seed.jsonl. Exits 1 when an answer changed (or a question is missing), so a
move that should change nothing can be checked by its exit status.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

from assistant import Assistant

from .common import (
    CACHE,
    ROOT,
    SHARED,
    SQUAD_V1,
    VectorCache,
    bench_settings,
    corpus_index,
    load_squad,
    log,
    split_questions,
)
from .news import NEWS_DEV, load_cases

SEED = SHARED / "eval" / "dev_seed.jsonl"


def _asked(assistant: Assistant, question: str, history: list[str]) -> str:
    earlier: list[str] = []
    for before in history:
        answer = assistant.ask(before, history=earlier or None)
        earlier += [answer.question, answer.text]
    return assistant.ask(question, history=earlier or None).text


def answers(squad_questions: int) -> dict[str, str]:
    """Question id -> answer text, for every question of the set."""
    found: dict[str, str] = {}
    squad = load_squad(SQUAD_V1)
    index = corpus_index("squad-v1", squad.contexts, VectorCache(CACHE), CACHE)
    for q in split_questions(squad, "dev", squad_questions):
        found[f"squad:{q.qid}"] = index.assistant.ask(q.text).text
    log(f"squad: {squad_questions} answered")
    with tempfile.TemporaryDirectory(prefix="same-answers-") as tmp:
        news = Assistant.open(settings=bench_settings(Path(tmp) / "news"))
        news.ingest([NEWS_DEV / "txt"])
        for case in load_cases():
            found[f"news:{case.id}"] = _asked(news, case.q, list(case.history))
        log("news_dev: answered")
        bundled = Assistant.open(settings=bench_settings(Path(tmp) / "bundled"))
        bundled.ingest([ROOT / "data" / "articles"])
        for i, line in enumerate(SEED.read_text().splitlines()):
            if line.strip():
                row = json.loads(line)
                found[f"seed:{row.get('id', i)}"] = _asked(
                    bundled, row["q"], row.get("history", [])
                )
        log("bundled article: answered")
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.same_answers", description=__doc__)
    parser.add_argument("--squad", type=int, default=300, help="SQuAD dev questions")
    parser.add_argument("--write", type=Path, help="store the answers here")
    parser.add_argument("--compare", type=Path, help="compare with answers stored before")
    args = parser.parse_args(argv)
    if not args.write and not args.compare:
        parser.error("give --write FILE, --compare FILE or both")
    now = answers(args.squad)
    if args.write:
        args.write.write_text(json.dumps(now, indent=1, ensure_ascii=False) + "\n")
        log(f"{len(now)} answers written to {args.write}")
    if not args.compare:
        return 0
    before = json.loads(args.compare.read_text())
    changed = [k for k in before if k in now and before[k] != now[k]]
    missing = [k for k in before if k not in now]
    for k in changed:
        print(f"{k}\n  before: {before[k][:160]!r}\n  now:    {now[k][:160]!r}")
    for k in missing:
        print(f"{k}: not asked now")
    print(f"{len(before)} answers compared: {len(changed)} changed, {len(missing)} missing")
    return 1 if changed or missing else 0


if __name__ == "__main__":
    sys.exit(main())
