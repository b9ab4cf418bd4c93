"""Check questions.jsonl against the text of its ten articles.

    .venv/bin/python bench/news_heldout/validate.py   (exit 1 on an error; warnings do not fail)

The text of an article is `trafilatura.extract(html_bytes)` with default settings, read from
`../shared/data/extraction/pages/<article>` (or $ASSISTANT_SHARED_DIR/data/extraction/pages/).

Errors: a malformed line, a duplicate id, an article that is not a page there, a support string
that is not verbatim in its article's text (for article "*": in some article), a follow-up whose
history is not an earlier question of the same article, an abstain line with an answer or an
answerable line without one.
Warnings: a support string outside 5-12 words; an `any` string found nowhere in the article
(after folding case, curly apostrophes, dashes and thousands separators); no `any` string on the
line(s) the support strings come from; a "*" question with several support strings that all
come from one article.
"""

from __future__ import annotations

import json
import os
import re
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import trafilatura

HERE = Path(__file__).resolve().parent
SHARED = Path(os.environ.get("ASSISTANT_SHARED_DIR", HERE.parents[2] / "shared"))
PAGES = SHARED / "data" / "extraction" / "pages"
QUESTIONS = HERE / "questions.jsonl"


def article_text(name: str) -> str:
    """The article's text: trafilatura's default extraction of the saved page."""
    return trafilatura.extract((PAGES / name).read_bytes()) or ""


def fold(text: str) -> str:
    text = text.lower().replace("’", "'").replace("‘", "'")
    text = re.sub(r"[-‐-―]", " ", text)  # hyphens and dashes
    text = re.sub(r"(?<=\d),(?=\d{3})", "", text)  # 67,000 -> 67000
    return re.sub(r"\s+", " ", text)


def kind(row: dict[str, Any]) -> str:
    if row.get("article") == "*":
        return "cross-article"
    if row.get("abstain"):
        return "unanswerable"
    return "follow-up" if row.get("history") else "plain"


def check(rows: list[dict[str, Any]], texts: dict[str, str]) -> tuple[list[str], list[str]]:
    errors: list[str] = []
    warns: list[str] = []
    seen: set[str] = set()
    asked: dict[str, list[str]] = {}
    for row in rows:
        i, art = row.get("id"), row.get("article")
        if not isinstance(i, str) or not re.fullmatch(r"h\d{2,}", i):
            errors.append(f"{i}: bad id")
        if i in seen:
            errors.append(f"{i}: duplicate id")
        seen.add(str(i))
        if art != "*" and art not in texts:
            errors.append(f"{i}: unknown article {art!r}")
            continue
        if not row.get("q"):
            errors.append(f"{i}: no question")
        pool = texts if art == "*" else {str(art): texts[str(art)]}
        for earlier in row.get("history", []):
            if earlier not in asked.get(str(art), []):
                errors.append(f"{i}: history {earlier!r} is not an earlier question of {art}")
        asked.setdefault(str(art), []).append(row.get("q", ""))
        if row.get("abstain"):
            if "any" in row or "support" in row:
                errors.append(f"{i}: abstain question with an answer")
            continue
        if not row.get("any") or not row.get("support"):
            errors.append(f"{i}: needs any and support")
            continue
        lines: list[str] = []
        arts: set[str] = set()
        for support in row["support"]:
            n = len(support.split())
            if not 5 <= n <= 12:
                warns.append(f"{i}: support has {n} words: {support!r}")
            hits = [(a, t) for a, t in pool.items() if support in t]
            if not hits:
                errors.append(f"{i}: support not verbatim in {art}: {support!r}")
            for a, t in hits:
                arts.add(a)
                lines += [line for line in t.splitlines() if support in line]
        if art == "*" and len(arts) < 2 and len(row["support"]) > 1:
            warns.append(
                f"{i}: cross question's support comes from one article ({', '.join(arts)})"
            )
        body = " ".join(fold(t) for t in pool.values())
        for gold in row["any"]:
            if fold(gold) not in body:
                what = "number written differently" if re.search(r"\d", gold) else "other form"
                warns.append(f"{i}: any {gold!r} not in the text ({what})")
        if not any(fold(gold) in fold(" ".join(lines)) for gold in row["any"]):
            warns.append(f"{i}: no 'any' string on the support line(s)")
    return errors, warns


def main() -> int:
    rows = [
        json.loads(line)
        for line in QUESTIONS.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    names = sorted({r["article"] for r in rows if r.get("article") not in (None, "*")})
    texts = {name: article_text(name) for name in names if (PAGES / name).is_file()}
    errors, warns = check(rows, texts)
    kinds = Counter(kind(r) for r in rows)
    per_article = Counter(r.get("article") for r in rows)
    print(f"{len(rows)} questions: " + ", ".join(f"{k} {v}" for k, v in sorted(kinds.items())))
    print("per article: " + ", ".join(f"{a} {n}" for a, n in sorted(per_article.items())))
    print(
        f"articles: {len(texts)}, words: "
        + ", ".join(f"{a} {len(t.split())}" for a, t in texts.items())
    )
    for w in warns:
        print("warning:", w)
    for e in errors:
        print("ERROR:", e)
    print(f"{len(errors)} errors, {len(warns)} warnings")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
