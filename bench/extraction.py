"""Main-text extraction from web pages, scored on the development half of trafilatura's
benchmark (`../shared/data/extraction/`: read its README; tune on this half only).

    .venv/bin/python -m bench.extraction [--half even|odd|all] [--pages N] [--json]
        [--worst 10] [--leaks 20] [--project-only]

For each page, each `with` snippet (article text) found in the extracted text after
whitespace normalisation is a true positive, else a false negative; each `without` snippet
(page furniture) found is a false positive, else a true negative; summed over all pages, as
trafilatura's own evaluation does. A page whose extraction fails finds nothing and counts as
refused. Side by side in one run: the project's ingest (`assistant.ingest.read_bytes`, the text
it indexes), trafilatura alone (default settings, and `favor_precision`), and the HTML cleaner
the project had before (bench/legacy_html.py). Also: the metadata of news_dev's twelve pages
against its README's table (headline, author, published date, outlet).

`--half even` scores the even-indexed pages of the list sorted by file name (the ones to develop
on), `--half odd` the others (the check that a change generalises), `--half all` (the default)
every page. `--leaks N` prints N furniture snippets the project's text kept, each with the line
of the text that held it, and N article snippets it lost.

Figures at 8b3e885 (precision / recall / F1, pages refused), the project's ingest against
trafilatura 2.3 with default settings:
    even  0.950 / 0.964 / 0.957, 0   (trafilatura 0.902 / 0.950 / 0.925)
    odd   0.930 / 0.959 / 0.944, 0   (trafilatura 0.901 / 0.960 / 0.930)
    all   0.940 / 0.961 / 0.951, 0   (trafilatura 0.902 / 0.955 / 0.927)
CPU time per page on a third of the pages: 46 ms (29-34 ms before the furniture work, 21 ms
for trafilatura alone); most of the difference is the favor_precision pass.
"""

from __future__ import annotations

import argparse
import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import trafilatura

from assistant.errors import AssistantError
from assistant.ingest.files import read_bytes

from .common import (
    RESULTS,
    SHARED,
    command,
    facts_markdown,
    log,
    machine_facts,
    markdown_table,
    write_result,
)
from .legacy_html import legacy_text

EXTRACTION = SHARED / "data" / "extraction"
NEWS_HTML = SHARED / "eval" / "news_dev" / "html"

# news_dev/README.md's table: slug -> (outlet, published, author or "" when none).
NEWS_META = {
    "abc13-salon-ban": ("ABC13", "2023-11-09", "Alex Bozarjian"),
    "abc7-margaritaville": ("ABC7", "2023-11-09", "J.R. Stone"),
    "dw-berlin-colonial": ("DW", "2020-01-19", "Ben Knight"),
    "cnn-harry-meghan": ("CNN", "2021-03-08", "Rob Picheta"),
    "gothamist-bronx-rezoning": ("Gothamist", "2023-11-08", "David Brand and Ramsey Khalifeh"),
    "independent-covid-fines": ("Independent", "2020-09-28", "Andrew Woodcock"),
    "kxan-teacher-pensions": ("KXAN", "2023-11-08", "Cora Neas"),
    "miamitoday-transitway": ("Miami Today", "2023-11-07", ""),
    "observer-louvre-chardin": ("Observer", "2023-11-08", "Alexandra Tremayne-Pengelly"),
    "politico-meadows": ("POLITICO", "2019-12-30", "Ally Mutnick"),
    "telegraph-plumber": ("Telegraph", "2012-04-17", ""),
    "mnt-aha-moment": ("Medical News Today", "2017-07-27", "Ana Sandoiu"),
}


@dataclass
class Score:
    tp: int = 0
    fn: int = 0
    fp: int = 0
    tn: int = 0
    refused: int = 0
    seconds: float = 0.0
    pages: int = 0
    worst: list[tuple[int, str]] = field(default_factory=list)  # (furniture kept, page)
    leaks: list[tuple[str, str, str]] = field(default_factory=list)  # (page, snippet, line)
    losses: list[tuple[str, str]] = field(default_factory=list)  # (page, snippet)

    def add(self, text: str | None, with_: list[str], without: list[str], page: str) -> None:
        self.pages += 1
        if text is None:
            self.refused += 1
            self.fn += len(with_)
            self.tn += len(without)
            return
        found = _norm(text)
        kept = [s for s in with_ if _norm(s) in found]
        leaked = [s for s in without if _norm(s) in found]
        self.tp += len(kept)
        self.fn += len(with_) - len(kept)
        self.fp += len(leaked)
        self.tn += len(without) - len(leaked)
        self.worst.append((len(leaked) - len(kept) + len(with_), page))
        lines = [_norm(line) for line in text.splitlines()]
        for snippet in leaked:
            held = next((line for line in lines if _norm(snippet) in line), "(across lines)")
            self.leaks.append((page, snippet, held))
        self.losses.extend((page, s) for s in with_ if _norm(s) not in found)

    def row(self) -> dict[str, Any]:
        precision = self.tp / max(self.tp + self.fp, 1)
        recall = self.tp / max(self.tp + self.fn, 1)
        f1 = 2 * precision * recall / max(precision + recall, 1e-9)
        return {
            "precision": round(precision, 3),
            "recall": round(recall, 3),
            "f1": round(f1, 3),
            "refused": self.refused,
            "ms_per_page": round(1000 * self.seconds / max(self.pages, 1), 1),
        }


def _norm(text: str) -> str:
    return " ".join(text.split())


def project(raw: bytes, name: str) -> str | None:
    try:
        return read_bytes(raw, name, ".html").text
    except AssistantError:
        return None


def trafilatura_default(raw: bytes, name: str) -> str | None:
    return trafilatura.extract(raw)


def trafilatura_precision(raw: bytes, name: str) -> str | None:
    return trafilatura.extract(raw, favor_precision=True)


def legacy(raw: bytes, name: str) -> str | None:
    try:
        return legacy_text(raw)
    except UnicodeDecodeError:
        return None


EXTRACTORS: dict[str, Callable[[bytes, str], str | None]] = {
    "the project's ingest": project,
    "trafilatura 2.3, default settings": trafilatura_default,
    "trafilatura 2.3, favor_precision": trafilatura_precision,
    "the cleaner before (HTMLParser)": legacy,
}


def score_pages(
    limit: int | None, half: str = "all", names: list[str] | None = None
) -> dict[str, Score]:
    gold = json.loads((EXTRACTION / "evaldata.json").read_text(encoding="utf-8"))
    items = sorted(gold.items(), key=lambda kv: kv[1]["file"])
    if half != "all":
        items = items[half == "odd" :: 2]
    items = items[:limit]
    extractors = {name: EXTRACTORS[name] for name in names or EXTRACTORS}
    scores = {name: Score() for name in extractors}
    for i, (_, entry) in enumerate(items):
        raw = (EXTRACTION / "pages" / entry["file"]).read_bytes()
        for name, extract in extractors.items():
            started = time.perf_counter()
            try:
                text = extract(raw, entry["file"])
            except Exception as exc:  # an extractor's crash is a refused page, not the bench's
                log(f"{name} on {entry['file']}: {type(exc).__name__}: {exc}")
                text = None
            scores[name].seconds += time.perf_counter() - started
            scores[name].add(text, entry.get("with", []), entry.get("without", []), entry["file"])
        if (i + 1) % 50 == 0:
            log(f"{i + 1}/{len(items)} pages")
    return scores


def metadata_rows() -> tuple[list[list[Any]], dict[str, int]]:
    rows: list[list[Any]] = []
    right = {"headline": 0, "author": 0, "published": 0, "outlet": 0}
    txt = NEWS_HTML.parent / "txt"
    for slug, (outlet, published, author) in NEWS_META.items():
        article = read_bytes((NEWS_HTML / f"{slug}.html").read_bytes(), slug, ".html")
        headline = (txt / f"{slug}.txt").read_text(encoding="utf-8").splitlines()[0].strip()
        checks = {
            "headline": _norm(article.title) == _norm(headline),
            "author": article.author == author,
            "published": article.published == published,
            "outlet": outlet.lower() in article.outlet.lower(),
        }
        for key, ok in checks.items():
            right[key] += ok
        rows.append(
            [
                slug,
                _mark(checks["headline"], article.title[:50]),
                _mark(checks["author"], article.author or "(none)"),
                _mark(checks["published"], article.published or "(none)"),
                _mark(checks["outlet"], article.outlet),
            ]
        )
    return rows, right


def _mark(ok: bool, value: str) -> str:
    return ("" if ok else "✗ ") + re.sub(r"\|", "/", value)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=None, help="only the first N pages")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--worst", type=int, default=0, help="list the project's N worst pages")
    parser.add_argument(
        "--half",
        choices=("even", "odd", "all"),
        default="all",
        help="the even-indexed pages of the sorted list (develop), the odd ones (check), or all",
    )
    parser.add_argument(
        "--leaks", type=int, default=0, help="print N furniture snippets kept and N article lost"
    )
    parser.add_argument(
        "--project-only", action="store_true", help="score the project's ingest alone (faster)"
    )
    parser.add_argument("--results", type=Path, default=RESULTS, help="where results go")
    parser.add_argument("--cache", type=Path, default=None, help="(unused: nothing is cached)")
    args = parser.parse_args(argv)
    ours = "the project's ingest"
    scores = score_pages(args.pages, args.half, [ours] if args.project_only else None)
    meta_rows, meta_right = metadata_rows()
    data: dict[str, Any] = {
        "command": command("bench.extraction", argv),
        "machine": machine_facts(),
        "half": args.half,
        "pages": scores[ours].pages,
        "extractors": {name: s.row() for name, s in scores.items()},
        "metadata_right": meta_right,
    }
    table = markdown_table(
        ["extractor", "precision", "recall", "F1", "pages refused", "ms / page"],
        [[name, *s.row().values()] for name, s in scores.items()],
    )
    meta_table = markdown_table(["page", "headline", "author", "published", "outlet"], meta_rows)
    summary = ", ".join(f"{k} {v}/{len(NEWS_META)}" for k, v in meta_right.items())
    markdown = (
        "# Web-page extraction\n\n"
        + facts_markdown(data["machine"], data["command"])
        + f"\n{data['pages']} pages ({args.half} half) of ../shared/data/extraction/\n\n"
        + f"{table}\n\n"
        + f"## Metadata of news_dev/html ({summary})\n\n{meta_table}\n"
    )
    name = "extraction" if args.half == "all" else f"extraction-{args.half}"
    write_result(name, markdown, data, args.results)
    if args.worst:
        worst = sorted(scores[ours].worst, reverse=True)[: args.worst]
        for n, page in worst:
            log(f"  {n} snippets wrong: {page}")
    for page, snippet, line in scores[ours].leaks[: args.leaks]:
        log(f"LEAK {page}: {_norm(snippet)[:100]!r}\n    in line: {line[:200]!r}")
    for page, snippet in scores[ours].losses[: args.leaks]:
        log(f"LOST {page}: {_norm(snippet)[:160]!r}")
    print(json.dumps(data["extractors"]) if args.json else f"{table}\n\n{summary}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
