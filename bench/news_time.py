"""Time and outlet questions over a collection with dates and outlets (issue 18).

    .venv/bin/python -m bench.news_time [--json]

The collection is written by this script: eight local stories, each followed by three or four
outlets over 2024 (one article a month or so, each with its own figure). The questions, 40 or
more, are of four kinds: "What's the latest on X?" (right when the answer gives the newest
article's figure, cites it first and says "As of <its date>"), "What did <outlet> report about
X?" (that outlet's figure, every citation from it), "What happened with X in <month> 2024?" (the
figure of that month's article, every citation from that month) and the same with
`ask(since=, until=)` instead of words. Accuracy is the share right; goal >= 0.90.
"""

from __future__ import annotations

import argparse
import json
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant import Answer, Assistant
from assistant.ingest.dates import human

from .common import RESULTS, bench_settings, command, facts_markdown, machine_facts, write_result

TOPICS = [
    ("the Vell bridge repair", "Vell bridge", "crowns spent on the repair"),
    ("the Orvik ferry strike", "Orvik ferry", "crew members on strike"),
    ("the Skarn lighthouse museum", "Skarn lighthouse", "visitors to the museum"),
    ("the Tromvik school budget", "Tromvik school", "teachers covered by the budget"),
    ("the Lysaker flood defences", "Lysaker flood wall", "metres of wall built"),
    ("the Bergstad rail line", "Bergstad rail line", "passengers a day"),
    ("the Holm hospital wing", "Holm hospital wing", "beds in the new wing"),
    ("the Nordby wind farm", "Nordby wind farm", "turbines turning"),
]
OUTLETS = ["Harbour Gazette", "Vellport Post", "Coast Radio News"]
DATES = ["2024-02-12", "2024-04-09", "2024-06-18", "2024-09-03"]
# News puts its news first: the figure is in the lead.
OPENINGS = [
    "Officials said on Monday that {name} now counts {n} {what}.",
    "Residents heard at a public meeting this week that {name} has reached {n} {what}.",
    "The council published new figures on {name}, putting it at {n} {what}.",
    "A spokesperson told reporters outside the town hall that {name} stands at {n} {what}.",
]
FIGURES = [
    "The count comes from the council's own report.",
    "The spokesperson confirmed the number when asked.",
    "It is up from the previous report.",
    "The figures were released with a statement.",
]
CLOSINGS = [
    "Another update is expected before the end of the season.",
    "Critics said the pace of progress remained too slow for the region.",
    "Local businesses welcomed the news but asked for more detail.",
    "Further meetings with residents are planned in the coming weeks.",
]


@dataclass(frozen=True)
class Article:
    topic: int
    name: str
    outlet: str
    published: str
    figure: str


def collection() -> list[Article]:
    articles = []
    for t, (name, _, _) in enumerate(TOPICS):
        for i, published in enumerate(DATES[: 3 + t % 2]):
            figure = str(100 + 37 * t + 11 * i)
            articles.append(Article(t, name, OUTLETS[(t + i) % len(OUTLETS)], published, figure))
    return articles


def page(a: Article, i: int) -> str:
    name, short, what = TOPICS[a.topic]
    paragraphs = [
        OPENINGS[(a.topic + i) % 4].format(name=name, n=a.figure, what=what),
        FIGURES[(a.topic + 2 * i) % 4],
        CLOSINGS[(a.topic + 3 * i) % 4],
    ]
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    ld = (
        f'<script type="application/ld+json">{{"@type": "NewsArticle", "datePublished": '
        f'"{a.published}", "author": {{"@type": "Person", "name": "Staff Writer Ola Berg"}}}}'
        "</script>"
    )
    return (
        f"<html><head><title>{short} | {a.outlet}</title>"
        f"<meta property='og:site_name' content='{a.outlet}'>{ld}</head><body><article>"
        f"<h1>{short}: {human(a.published)} update from {a.outlet}</h1>{body}</article>"
        "</body></html>"
    )


def cases(articles: list[Article]) -> list[tuple[str, str, dict[str, str], list[Article]]]:
    """(kind, question, ask() filters, the articles whose figure is right)."""
    out: list[tuple[str, str, dict[str, str], list[Article]]] = []
    for t, (name, _, _) in enumerate(TOPICS):
        mine = [a for a in articles if a.topic == t]
        newest = max(mine, key=lambda a: a.published)
        out.append(("latest", f"What's the latest on {name}?", {}, [newest]))
        outlet = mine[1].outlet
        by = [a for a in mine if a.outlet == outlet]
        out.append(("outlet", f"What did {outlet} report about {name}?", {}, by))
        month = mine[0]
        month_name = human(month.published).split()[1]
        out.append(("month", f"What happened with {name} in {month_name} 2024?", {}, [month]))
        window = {"since": mine[1].published, "until": mine[1].published}
        out.append(("filter", f"How many {TOPICS[t][2]} were there?", window, [mine[1]]))
        out.append(("outlet filter", f"What is new on {name}?", {"outlet": outlet}, by))
    return out


def right(kind: str, answer: Answer, gold: list[Article]) -> bool:
    if answer.abstained or not answer.citations:
        return False
    if not any(a.figure in answer.text for a in gold):
        return False
    cited = {(c.outlet, c.published) for c in answer.citations}
    allowed = {(a.outlet, a.published) for a in gold}
    if kind == "latest":
        first = answer.citations[0]
        return (first.outlet, first.published) in allowed and (
            f"As of {human(gold[0].published)}" in answer.text
        )
    if kind in ("outlet", "outlet filter"):
        return {o for o, _ in cited} == {gold[0].outlet}
    return cited <= allowed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--show-wrong", action="store_true")
    parser.add_argument("--results", type=Path, default=RESULTS)
    parser.add_argument("--cache", type=Path, default=None, help="(unused)")
    args = parser.parse_args(argv)
    articles = collection()
    results: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="bench-news-time-") as tmp:
        folder = Path(tmp) / "articles"
        folder.mkdir()
        for i, a in enumerate(articles):
            (folder / f"a{i:02d}.html").write_text(page(a, i), encoding="utf-8")
        assistant = Assistant(bench_settings(Path(tmp) / "index"))
        report = assistant.ingest([folder])
        assert report.ok and len(report.added) == len(articles), report
        for kind, question, limits, gold in cases(articles):
            answer = assistant.ask(question, **limits)
            ok = right(kind, answer, gold)
            results.append(
                {"kind": kind, "q": question, "limits": limits, "right": ok, "answer": answer.text}
            )
            if args.show_wrong and not ok:
                print(f"  {kind}: {question} {limits} -> {answer.text[:200]!r}")
    kinds = sorted({r["kind"] for r in results})
    by_kind = {
        k: f"{sum(r['right'] for r in results if r['kind'] == k)}/"
        f"{sum(r['kind'] == k for r in results)}"
        for k in kinds
    }
    accuracy = round(sum(r["right"] for r in results) / len(results), 3)
    data = {
        "command": command("bench.news_time", argv),
        "machine": machine_facts(),
        "articles": len(articles),
        "questions": len(results),
        "accuracy": accuracy,
        "by_kind": by_kind,
        "cases": results,
    }
    markdown = (
        "# Time and outlet questions\n\n"
        + facts_markdown(data["machine"], data["command"])
        + f"\n{len(articles)} articles, {len(results)} questions: accuracy {accuracy} "
        f"(goal >= 0.90); by kind {by_kind}\n"
    )
    write_result("news_time", markdown, data, args.results)
    print(json.dumps({k: data[k] for k in ("questions", "accuracy", "by_kind")}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
