"""Asking of some of the articles: published since / until a date, by an outlet, by an author
(API and CLI). Articles written for the test: one council story told over five weeks."""

from __future__ import annotations

import json

import pytest

from assistant import Assistant, AssistantError
from assistant.cli import main

from .conftest import offline_settings

STORIES = {
    "march-1.html": (
        "Vellport Post",
        "Ada Lund",
        "2024-03-01",
        "The council will vote on the Vell bridge repair in March, the mayor said.",
    ),
    "march-20.html": (
        "Vellport Post",
        "Ada Lund",
        "2024-03-20",
        "The council voted to repair the Vell bridge at a cost of 4 million crowns.",
    ),
    "april-5.html": (
        "Harbour Gazette",
        "Mira Olsen",
        "2024-04-05",
        "Repairs to the Vell bridge began on Monday and will close it for six weeks.",
    ),
    "undated.html": (
        "Harbour Gazette",
        "Mira Olsen",
        "",
        "Drivers complained that the Vell bridge closure doubled their trip to the harbour.",
    ),
}


def page(outlet: str, author: str, published: str, sentence: str) -> str:
    ld = (
        f'<script type="application/ld+json">{{"@type": "NewsArticle", "datePublished": '
        f'"{published}", "author": {{"@type": "Person", "name": "{author}"}}}}</script>'
        if published
        else ""
    )
    return (
        f"<html><head><title>Vell bridge | {outlet}</title>"
        f"<meta property='og:site_name' content='{outlet}'>{ld}</head><body><article>"
        f"<h1>Vell bridge news from {outlet} ({published or 'undated'})</h1><p>By {author}</p>"
        f"<p>{sentence}</p><p>The Vell bridge carries the coast road over the river.</p>"
        "</article></body></html>"
    )


@pytest.fixture(scope="module")
def council(tmp_path_factory: pytest.TempPathFactory) -> Assistant:
    folder = tmp_path_factory.mktemp("council")
    for name, fields in STORIES.items():
        (folder / name).write_text(page(*fields), encoding="utf-8")
    index = tmp_path_factory.mktemp("council-index")
    assistant = Assistant.open(settings=offline_settings(index))
    assert assistant.ingest(folder).ok
    return assistant


def cited_days(answer: object) -> set[str]:
    return {c.published for c in answer.citations}  # type: ignore[attr-defined]


QUESTION = "What happened with the Vell bridge?"


def test_a_date_window_keeps_only_the_articles_published_in_it(council: Assistant) -> None:
    assert "" in cited_days(council.ask("What did drivers complain about the Vell bridge?"))
    late = council.ask(QUESTION, since="2024-03-15")
    assert late.citations and cited_days(late) <= {"2024-03-20", "2024-04-05"}
    early = council.ask(QUESTION, until="15 March 2024")
    assert early.citations and cited_days(early) == {"2024-03-01"}
    # An undated article is never inside a window.
    drivers = council.ask("What did drivers complain about?", since="2000-01-01")
    assert "" not in cited_days(drivers)


def test_an_outlet_or_an_author_keeps_only_their_articles(council: Assistant) -> None:
    gazette = council.ask(QUESTION, outlet="harbour gazette")
    assert gazette.citations and {c.outlet for c in gazette.citations} == {"Harbour Gazette"}
    ada = council.ask(QUESTION, author="Ada Lund")
    assert ada.citations and {c.author for c in ada.citations} == {"Ada Lund"}
    none = council.ask(QUESTION, outlet="Reuters")
    assert none.abstained and not none.citations


def test_bad_dates_are_clear_errors(council: Assistant) -> None:
    with pytest.raises(AssistantError, match="cannot read 'last Blursday' as a date"):
        council.ask(QUESTION, since="last Blursday")
    with pytest.raises(AssistantError, match="is after until"):
        council.ask(QUESTION, since="2024-05-01", until="2024-04-01")


def test_the_cli_takes_the_same_filters(
    council: Assistant, capsys: pytest.CaptureFixture[str]
) -> None:
    index = str(council.settings.index_dir)
    code = main(["ask", "--index", index, "--json", "--since", "2024-04-01", QUESTION])
    assert code == 0
    answer = json.loads(capsys.readouterr().out)
    assert {c["published"] for c in answer["citations"]} == {"2024-04-05"}
