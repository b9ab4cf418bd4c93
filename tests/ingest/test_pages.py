"""Web pages -> article text (assistant.ingest.pages, .furniture): the article a reader wants
(headline, standfirst, body, quotes, subheadings) is kept, the page's furniture is not. The
pages are written for these tests."""

from __future__ import annotations

import pytest

from assistant.ingest.furniture import FURNITURE_LINE, words
from assistant.ingest.pages import read_page

BODY = (
    "<p>The Velkor river dam opened on Tuesday after six years of building, and engineers say "
    "it will power 40,000 homes in the valley by the end of the year.</p>"
    "<p>\u201cThis is the biggest project our region has seen,\u201d said Mayor Ilse Raab, who "
    "cut the ribbon in front of some two hundred residents.</p>"
    "<h2>What happens next</h2>"
    "<p>The second turbine is due to start in March, when the reservoir has filled, and the "
    "operator will publish its first output figures in the spring.</p>"
    "<p>Critics in the village of Dorn say the reservoir flooded farmland that families had "
    "worked for generations, and they have asked the council for more compensation.</p>"
)

FURNITURE = [
    "Share this article",
    "Recommended for you",
    "Flood warnings lifted across the north",
    "Sign up for our morning briefing",
    "We use cookies to improve your experience on our site. Accept all cookies",
    "Great news for the valley, finally!",
    "Posted by Karl at 10:14",
]


def page(head: str = "", lead: str = "", article: str = BODY) -> str:
    return (
        "<html><head><meta charset='utf-8'><title>Velkor dam opens | Valley Post</title>"
        f"{head}</head><body>"
        "<nav><a href='/'>Home</a> <a href='/news'>News</a> <a href='/sport'>Sport</a></nav>"
        "<div class='cookie-banner'><p>We use cookies to improve your experience on our site. "
        "<a href='#'>Accept all cookies</a></p></div>"
        "<main><header><h1>Velkor dam opens</h1>"
        f"{lead}"
        "<p class='byline'>By Anna Weber</p></header>"
        "<div class='share-buttons'><a href='#'>Share this article</a> "
        "<a href='#'>Facebook</a> <a href='#'>Twitter</a></div>"
        f"<article class='article-body'>{article}</article>"
        "<div class='newsletter-signup'><p>Sign up for our morning briefing</p>"
        "<input type='email'></div>"
        "<section class='related-stories'><h3>Recommended for you</h3><ul>"
        "<li><a href='/a'>Flood warnings lifted across the north</a></li>"
        "<li><a href='/b'>New bridge for Dorn approved</a></li></ul></section>"
        "<section id='comments'><h3>3 comments</h3>"
        "<div class='comment'><p>Posted by Karl at 10:14</p>"
        "<p>Great news for the valley, finally!</p></div></section></main>"
        "<footer><p>Copyright 2024 Valley Post. All rights reserved.</p></footer>"
        "</body></html>"
    )


def test_the_article_is_kept_and_the_furniture_is_not() -> None:
    text, meta = read_page(page().encode(), "dam.html")
    for kept in (
        "The Velkor river dam opened on Tuesday",
        "\u201cThis is the biggest project our region has seen,\u201d said Mayor Ilse Raab",
        "What happens next",
        "The second turbine is due to start in March",
        "Critics in the village of Dorn",
    ):
        assert kept in text
    for dropped in FURNITURE:
        assert dropped not in text
    assert text.split("\n")[0] == "Velkor dam opens"
    assert "Anna Weber" in text
    assert meta.title == "Velkor dam opens"


def test_a_standfirst_outside_the_article_container_is_kept_under_the_headline() -> None:
    lead = (
        "<p class='standfirst'>Six years after the first stone was laid, the valley's dam "
        "is producing power, but not everyone is celebrating.</p>"
    )
    text, _ = read_page(page(lead=lead).encode(), "dam.html")
    lines = text.split("\n")
    assert lines[0] == "Velkor dam opens"
    standfirst = "Six years after the first stone was laid, the valley's dam is producing power"
    assert standfirst in text
    assert text.index(standfirst) < text.index("The Velkor river dam opened")
    assert text.count(standfirst) == 1


def test_a_related_story_teaser_is_not_taken_for_the_standfirst() -> None:
    teaser = (
        "<aside class='teaser'><p>Last year the council voted to build a second dam further "
        "up the river, a plan that divided the valley.</p></aside>"
    )
    text, _ = read_page(page(lead=teaser).encode(), "dam.html")
    assert "a second dam further up the river" not in text


def test_a_windows_1252_page_is_decoded_by_its_declared_charset() -> None:
    article = (
        "<p>Caf\u00e9 owners in S\u00e8te said the \u201cnew rules\u201d would cost them "
        "\u20ac2,000 a year \u2013 more than they make in a good month of summer trade.</p>"
        "<p>The town hall said the rules were needed to keep pavements clear for people in "
        "wheelchairs and for parents with prams, and that fines would start in June.</p>"
    ) * 2
    html = page(article=article).replace("<meta charset='utf-8'>", "")
    html = html.replace(
        "<head>", "<head><meta http-equiv='Content-Type' content='text/html; charset=windows-1252'>"
    )
    raw = html.encode("cp1252")
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    text, _ = read_page(raw, "cafe.html")
    assert "Caf\u00e9 owners in S\u00e8te said the \u201cnew rules\u201d" in text
    assert "\u20ac2,000 a year \u2013 more" in text


@pytest.mark.parametrize(
    "line",
    [
        "Photo: Anna Weber / Valley Post",
        "Read more: Flood warnings lifted across the north",
        "Lesen Sie auch: Neue Brücke für Dorn",
        "Das könnte Sie auch interessieren:",
        "Le puede interesar: El puente de Dorn",
        "You must be logged in to post a comment.",
        "Inhaltsverzeichnis",
        "Category: Local news",
        "Last updated 14.02.2024",
        "Advertisement",
        "© 2024 Valley Post. All rights reserved.",
        "The dam at dusk. © Anna Weber",
        "Share Tweet Email Print",
        "Leave a Reply",
        "Your email address will not be published. Required fields are marked *",
        "We use cookies to give you the best experience. Accept",
        "Tags: dams, energy, Velkor",
        "MORE: Flood warnings lifted across the north",
        "WATCH: The dam opens its gates",
        "Support our journalism: become a member from £5 a month.",
    ],
)
def test_furniture_lines_are_recognised_anywhere(line: str) -> None:
    assert FURNITURE_LINE.match(line)


@pytest.mark.parametrize(
    "line",
    [
        "Netflix asked its users to subscribe to a dearer plan, and many did.",
        "Users who logged in on Monday saw their photos vanish.",
        "Read the full report, the council said, before you judge the dam.",
        "Critics in the village of Dorn say the reservoir flooded farmland.",
        "What happens next",
        "Share prices fell 3% on Monday.",
        "Print editions will end in May, the publisher said.",
    ],
)
def test_article_lines_are_not_taken_for_furniture(line: str) -> None:
    assert not FURNITURE_LINE.match(line)


def test_class_words_are_whole_words() -> None:
    assert "share" in words("share-buttons")
    assert "authorbox" in words("TestReport__AuthorBox")
    assert "share" not in words("m-shared-nav-content")


def test_furniture_inside_the_article_container_is_dropped() -> None:
    paragraphs = BODY.split("</p>")
    article = (
        paragraphs[0]
        + "</p><p>Photo: Valley Post / Anna Weber</p>"
        + "<p><strong>Read more:</strong> <a href='/c'>How the dam was financed</a></p>"
        + "</p>".join(paragraphs[1:3])
        + "</p><div class='inline-related'><p><a href='/d'>Dorn farmers ask for more "
        "compensation</a></p></div>"
        + "<div class='social-share'><p>Share on Facebook</p><p>Share on X</p></div>"
        + "</p>".join(paragraphs[3:])
    )
    text, _ = read_page(page(article=article).encode(), "dam.html")
    assert "The second turbine is due to start in March" in text
    assert "Critics in the village of Dorn" in text
    for dropped in ("Photo: Valley Post", "Read more:", "Dorn farmers ask", "Share on Facebook"):
        assert dropped not in text


def test_a_noscript_notice_is_dropped_but_an_article_left_inside_one_is_read() -> None:
    notice = "<noscript><p>Please enable JavaScript to view the comments.</p></noscript>"
    text, _ = read_page(page(article=notice + BODY).encode(), "dam.html")
    assert "enable JavaScript" not in text
    assert "The Velkor river dam opened on Tuesday" in text
    # An unclosed <noscript> (a tracking pixel's) holds the rest of the page.
    unclosed = page().replace("<main>", "<noscript><img src='pixel.gif'><main>")
    text, _ = read_page(unclosed.encode(), "dam.html")
    assert "The Velkor river dam opened on Tuesday" in text
    assert "Critics in the village of Dorn" in text


def test_an_author_named_only_in_a_labelled_info_box_is_found() -> None:
    page = (
        "<html><head><title>Dam opens | Daily Courier</title>"
        "<meta name='author' content='Daily Courier (www.courier.example)'></head><body>"
        "<article><h1>Velkor dam opens after ten years of work</h1>"
        "<p>The Velkor dam opened on Tuesday and will power 40,000 homes in the valley.</p>"
        "<p>Engineers said the turbines had been tested twice before the opening.</p></article>"
        "<div class='info'><ul><li><strong>Date</strong> 12.03.2024</li>"
        "<li><strong>Author</strong> Ana Ruiz</li></ul></div></body></html>"
    )
    text, meta = read_page(page.encode(), "infobox.html")
    assert meta.authors == ["Ana Ruiz"]  # not the outlet the meta tag names
    assert text.split("\n")[1] == "By Ana Ruiz"
