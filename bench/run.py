"""Every benchmark in one run (`make bench`); results in bench/results/, summary in summary.md.

    .venv/bin/python -m bench.run [--quick]

Each benchmark runs in its own process, so one's memory does not count against another's.
Built indexes are cached under bench/results/cache/, so a rerun skips the embedding.
--quick runs each on a tiny sample (what tests/bench/test_bench_smoke.py checks), into --results.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from .common import CACHE, RESULTS, facts_markdown, log, machine_facts

FULL = [
    ("retrieval-holdout", "bench.retrieval --split holdout --answers"),
    ("retrieval-dev", "bench.retrieval --split dev"),
    ("calibration", "bench.calibrate --questions 300 --negatives 200"),
    ("speed", "bench.speed"),
    ("news", "bench.news --source both"),
    ("news_heldout", "bench.news --set heldout"),
    ("duplicates", "bench.duplicates"),
    ("news_time", "bench.news_time"),
    ("extraction", "bench.extraction"),
]
QUICK = [
    (
        "retrieval",
        "bench.retrieval --paragraphs 1 --articles 6 --questions 4 --answers --unanswerable 3 "
        "--out-of-corpus 3",
    ),
    ("calibration", "bench.calibrate --paragraphs 1 --articles 6 --questions 6 --negatives 3"),
    (
        "speed",
        "bench.speed --paragraphs 6 --scale 60,120 --queries 4 --rounds 1 --cold-runs 1",
    ),
]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="tiny samples, seconds not minutes")
    parser.add_argument("--results", type=Path, default=RESULTS)
    parser.add_argument("--cache", type=Path, default=CACHE)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    timings = []
    for name, cmd in QUICK if args.quick else FULL:
        full = [sys.executable, "-m", *cmd.split(), "--results", str(args.results)]
        full += ["--cache", str(args.cache)]
        log(f"== {name}: {' '.join(full[1:])}")
        t0 = time.perf_counter()
        code = subprocess.call(full)
        timings.append((name, time.perf_counter() - t0, code))
        if code != 0:
            log(f"{name} failed with exit code {code}")
    total = time.perf_counter() - started
    lines = ["# Benchmarks\n", "| benchmark | seconds | exit |", "| --- | --- | --- |"]
    lines += [f"| {name} | {seconds:.0f} | {code} |" for name, seconds, code in timings]
    lines += [f"| total | {total:.0f} | |", ""]
    for name, _, _ in timings:
        for path in sorted(args.results.glob(f"{name}*.md")):
            lines += [path.read_text().replace("\n# ", "\n## ").replace("# ", "## ", 1), ""]
    cmd_line = ".venv/bin/python -m bench.run" + (" --quick" if args.quick else "")
    lines.append(facts_markdown(machine_facts(), cmd_line))
    args.results.mkdir(parents=True, exist_ok=True)
    (args.results / "summary.md").write_text("\n".join(lines))
    log(f"all benchmarks: {total:.0f} s; summary in {args.results / 'summary.md'}")
    return 1 if any(code for _, _, code in timings) else 0


if __name__ == "__main__":
    sys.exit(main())
