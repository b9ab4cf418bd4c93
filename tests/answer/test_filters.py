"""Asking of some of the articles: published since / until a date, by an outlet, by an author
(API and CLI). Articles written for the test: one council story told over five weeks."""

from __future__ import annotations

import json

import pytest

from assistant import Assistant, AssistantError
from assistant.interfaces.cli import main

from ..conftest import offline_settings

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


def test_the_latest_is_the_newest_article_and_says_how_recent(council: Assistant) -> None:
    latest = council.ask("What's the latest on the Vell bridge?")
    assert latest.citations and cited_days(latest) == {"2024-04-05"}
    assert latest.text.startswith("The newest article on this is from 5 April 2024")
    assert "As of 5 April 2024, Harbour Gazette reports:" in latest.text


def test_a_month_or_an_outlet_in_the_question_limits_the_articles(council: Assistant) -> None:
    march = council.ask("What happened with the Vell bridge in March 2024?")
    assert march.citations and cited_days(march) <= {"2024-03-01", "2024-03-20"}
    post = council.ask("What did the Vellport Post report about the Vell bridge?")
    assert post.citations and {c.outlet for c in post.citations} == {"Vellport Post"}
    assert "quote no statement" not in post.text  # an outlet is no speaker to quote


def test_reading_time_and_source_words_of_a_question() -> None:
    from datetime import date

    from assistant.retrieve.news import read

    today = date(2024, 6, 10)
    dates = ["2024-04-12", "2024-06-07"]  # the indexed articles' dates
    week = read("What happened at the port last week?", [], today, dates)
    assert week.question == "Summarize the articles about the port"  # their leads
    assert week.filters is not None
    assert (week.filters.since, week.filters.until) == ("2024-06-03", "2024-06-10")
    april = read("What happened at the port in April?", [], today, dates)
    assert april.filters is not None
    assert (april.filters.since, april.filters.until) == ("2024-04-01", "2024-04-30")
    assert april.question == "Summarize the articles about the port"
    # A month in a question about the story is a date in the story, not a window.
    june = read("How many letters were sent in June?", [], today, dates)
    assert june.filters is None and june.question == "How many letters were sent in June?"
    # No article published then: a date in the story ("What happened in 1901?"), no window.
    old = read("What happened in 1901?", [], today, dates)
    assert old.filters is None and old.question == "What happened in 1901?"
    # A relative phrase inside a noun phrase is no window.
    for asked in (
        "Who played in the last week of the season?",
        "Who was the main performer at this year's show?",
    ):
        kept = read(asked, [], today, ["2024-06-07"])
        assert kept.filters is None and kept.question == asked
    # Not an indexed outlet: a person to quote, not a filter.
    putin = read("What did Putin say about the deal?", ["Reuters"], today)
    assert putin.filters is None and putin.question == "What did Putin say about the deal?"
    reuters = read("What did Reuters report about the deal?", ["Reuters"], today)
    assert reuters.filters is not None and reuters.filters.outlet == "Reuters"
    assert reuters.question == "Summarize the articles about the deal"


def test_a_relative_date_is_read_against_its_article_date(council: Assistant) -> None:
    # 5 April 2024 was a Friday: "began on Monday" is Monday 1 April 2024.
    began = council.ask("When did repairs to the Vell bridge begin?")
    first = began.citations[0]
    assert "on Monday" in first.quote and first.published == "2024-04-05"
    assert first.dates == ["Monday: Monday, 1 April 2024"]
    assert "(“Monday” is Monday, 1 April 2024, by the article's date [1].)" in began.text
    # An undated article's "Monday" is left as it is.
    from assistant.ingest.dates import relative_dates

    assert relative_dates("The bridge closed on Monday.", "") == []
    assert [m for _, _, m in relative_dates("last month and next year", "2024-01-15")] == [
        "December 2023",
        "2025",
    ]


def test_the_web_chat_filter_limits_its_answers(council: Assistant) -> None:
    from assistant.interfaces.web import Session, WebChat

    chat = WebChat(council)
    *_, (shown, _, _) = chat.respond(QUESTION, Session(), {"since": "2024-04-01", "outlet": ""})
    reply = str(shown[-1]["content"])
    assert "Harbour Gazette" in reply and "Vellport Post" not in reply
    *_, (shown, _, _) = chat.respond(QUESTION, Session(), {"since": "someday"})
    assert "cannot read" in str(shown[-1]["content"])  # a bad date is said in the chat
