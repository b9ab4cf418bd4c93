"""Questions across articles: what two named stories share, which other story shares a detail,
and two questions asked as one. Articles written for the test."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant import Assistant

from ..conftest import offline_settings

ARTICLES = {
    "painting.txt": (
        "Museum buys a lost Hals portrait\n"
        "by Clara Voss\n"
        "The Meadow Museum in Dallas, Texas agreed on Monday to buy a lost portrait by Frans "
        "Hals for 9 million dollars.\n"
        "A private foundation covers two-thirds of the price, the museum's director said.\n"
        "The portrait will go on show in the spring after cleaning.\n"
    ),
    "bakery.txt": (
        "Masked pair rob a bakery in Austin\n"
        "by Sam Ortiz\n"
        "Two masked men robbed the Crumb and Co bakery in Austin, Texas early on Monday, "
        "police said.\n"
        "Owner Rita Gomez said the pair took the till and a tray of pastries.\n"
        "Police in Austin asked witnesses to call the tip line.\n"
    ),
    "harbour.txt": (
        "Harbour wall gets its funding\n"
        "by Lena Berg\n"
        "The state will pay two-thirds of the cost of a new sea wall for Port Ellery harbour, "
        "the council announced.\n"
        "Work on the 300-metre wall starts in June and should take two years.\n"
    ),
}


@pytest.fixture(scope="module")
def stories(tmp_path_factory: pytest.TempPathFactory) -> Assistant:
    folder = tmp_path_factory.mktemp("across")
    for name, text in ARTICLES.items():
        (folder / name).write_text(text, encoding="utf-8")
    assistant = Assistant.open(settings=offline_settings(tmp_path_factory.mktemp("index")))
    assert assistant.ingest(folder).ok
    return assistant


def titles(answer: object) -> set[str]:
    return {c.title for c in answer.citations}  # type: ignore[attr-defined]


def exact(assistant: Assistant, answer: object) -> None:
    for c in answer.citations:  # type: ignore[attr-defined]
        assert assistant.document(c.source).text[c.start : c.end] == c.quote


def test_what_two_named_stories_have_in_common(stories: Assistant) -> None:
    state = stories.ask("The painting story and the bakery story have a US state in common. Which?")
    assert state.text.startswith("Texas:") and not state.abstained
    assert titles(state) == {
        "Museum buys a lost Hals portrait",
        "Masked pair rob a bakery in Austin",
    }
    assert all("Texas" in c.quote for c in state.citations)
    day = stories.ask(
        "On what day of the week did both the museum purchase and the bakery robbery happen?"
    )
    assert day.text.startswith("Monday:") and len(day.citations) == 2
    exact(stories, state)
    exact(stories, day)


def test_which_other_story_shares_a_detail(stories: Assistant) -> None:
    other = stories.ask(
        "In the painting story a foundation covers two-thirds of the price. In which other "
        "story is someone paying two-thirds of the cost of something?"
    )
    assert titles(other) == {"Harbour wall gets its funding"}
    assert other.text.startswith("“Harbour wall gets its funding”:")
    assert "two-thirds of the cost" in other.citations[0].quote
    exact(stories, other)


def test_two_questions_asked_as_one_are_both_answered(stories: Assistant) -> None:
    both = stories.ask(
        "Which article covers a robbery at a bakery, and in which city was the bakery robbed?"
    )
    assert "“Masked pair rob a bakery in Austin”" in both.text and not both.abstained
    assert "Austin, Texas" in both.citations[-1].quote
    assert [c.n for c in both.citations] == list(range(1, len(both.citations) + 1))
    for c in both.citations:
        assert f"[{c.n}]" in both.text
    exact(stories, both)


def test_a_question_about_one_story_is_not_read_as_across(stories: Assistant) -> None:
    plain = stories.ask("Who said the pair took the till?")
    assert "Rita Gomez" in plain.text
    assert not plain.text.startswith("“")


COUNTS = {
    "count-a.html": ("North Herald", "2024-05-02", "at least 41 people were taken to hospital"),
    "count-b.html": ("Fjord Courier", "2024-05-03", "43 people were taken to hospital in all"),
}


def count_page(outlet: str, published: str, words: str) -> str:
    return (
        f"<html><head><title>Orvik landslide | {outlet}</title>"
        f"<meta property='og:site_name' content='{outlet}'>"
        f'<script type="application/ld+json">{{"@type": "NewsArticle", '
        f'"datePublished": "{published}"}}</script></head><body><article>'
        f"<h1>{outlet} on the Orvik landslide</h1>"
        f"<p>After the landslide at Orvik, {words}, the regional governor said.</p>"
        f"<p>{outlet} reporters saw rescue teams working through the night near the valley.</p>"
        "</article></body></html>"
    )


def test_what_each_article_says_and_whether_they_agree(tmp_path: Path, stories: Assistant) -> None:
    for name, fields in COUNTS.items():
        (tmp_path / name).write_text(count_page(*fields), encoding="utf-8")
    assistant = Assistant.open(settings=offline_settings(tmp_path / "index"))
    assert assistant.ingest(sorted(tmp_path.glob("*.html"))).ok
    each = assistant.ask("What do the articles say about the Orvik landslide?")
    assert {c.outlet for c in each.citations} == {"North Herald", "Fjord Courier"}
    assert "“Fjord Courier on the Orvik landslide” (Fjord Courier, 3 May 2024):" in each.text
    differ = assistant.ask("Do the articles agree on how many people were taken to hospital?")
    assert differ.text.startswith("They differ:")
    assert "gives 41" in differ.text and "gives 43" in differ.text
    exact(assistant, differ)
    # A comparison needs two articles that give a figure.
    same = stories.ask("Do the articles agree on the length of the sea wall?")
    assert same.abstained  # only one article gives a figure on it
