"""URLs and feeds, fetched from a real HTTP server on 127.0.0.1: what a user gets, what is
refused and why, and that a failed fetch fails alone and leaves the index as it was."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from assistant import Assistant
from assistant.interfaces.render import documents_html

from ..conftest import offline_settings
from ..helpers import client, running_app

# Gradio's queue calls pandas APIs that pandas 3 deprecates; not ours to fix.
pytestmark = pytest.mark.filterwarnings(
    "ignore:.*(no_silent_downcasting|copy keyword).*:DeprecationWarning"
)


def page(headline: str, author: str, published: str, paragraphs: list[str]) -> bytes:
    ld = (
        '<script type="application/ld+json">{"@type": "NewsArticle", '
        f'"headline": "{headline}", "author": {{"@type": "Person", "name": "{author}"}}, '
        f'"datePublished": "{published}", "publisher": {{"name": "Harbour Gazette"}}}}'
        "</script>"
        if published
        else ""
    )
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (
        f"<html lang='en'><head><title>{headline} | Harbour Gazette</title>"
        f"<meta property='og:site_name' content='Harbour Gazette'>{ld}</head><body>"
        "<nav><a href='/'>Home</a> <a href='/sport'>Sport</a> <a href='/login'>Sign in</a></nav>"
        f"<article><h1>{headline}</h1><p>By {author}</p>{body}</article>"
        "<footer>Share this article. Subscribe to our newsletter.</footer></body></html>"
    ).encode()


FERRY = page(
    "Ferry service to Skarn island resumes",
    "Mira Olsen",
    "2024-05-14T08:00:00+02:00",
    [
        "The ferry between Vellport and Skarn island sailed again on Monday after a "
        "six-week pause for repairs to the pier.",
        "Harbour master Jonas Brekke said the new pier can take ships of up to 90 metres.",
        "Tickets cost 12 crowns for adults and are free for children under ten.",
    ],
)
LIGHTHOUSE = page(
    "Skarn lighthouse to become a museum",
    "Tove Lind",
    "",  # no date in the page: the feed's entry gives it
    [
        "The disused lighthouse on Skarn island will open as a maritime museum next spring, "
        "the island council decided on Thursday.",
        "Council leader Aud Hovland said the museum would show the keepers' logbooks.",
    ],
)


class Site:
    """The pages the server serves, changeable by a test, and the paths it was asked for."""

    def __init__(self) -> None:
        self.pages: dict[str, tuple[int, str, bytes]] = {
            "/ferry.html": (200, "text/html; charset=utf-8", FERRY),
            "/lighthouse.html": (200, "text/html", LIGHTHOUSE),
            "/missing.html": (404, "text/html", b"<h1>Not found</h1>"),
            "/logo.png": (200, "image/png", b"\x89PNG\r\n\x1a\n" + b"0" * 200),
            "/huge.html": (200, "text/html", b"<p>" + b"word " * 400_000 + b"</p>"),
        }
        self.redirects = {"/old-ferry": "/ferry.html", "/loop": "/loop"}
        self.asked: list[str] = []
        self.down = False  # drop every connection unanswered, as a server that is gone
        self.feed_items = [
            ("/ferry.html", "Tue, 14 May 2024 06:00:00 GMT"),
            ("/lighthouse.html", "Thu, 16 May 2024 09:30:00 GMT"),
        ]

    def feed(self, base: str) -> bytes:
        items = "".join(
            f"<item><title>Story {i}</title><link>{base}{path}</link>"
            f"<pubDate>{stamp}</pubDate><description>Summary only.</description></item>"
            for i, (path, stamp) in enumerate(self.feed_items)
        )
        return (
            '<?xml version="1.0"?><rss version="2.0"><channel><title>Harbour Gazette</title>'
            f"<link>{base}/</link>{items}</channel></rss>"
        ).encode()


@pytest.fixture
def site() -> Iterator[tuple[Site, str]]:
    state = Site()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            state.asked.append(self.path)
            if state.down:
                self.close_connection = True
                return
            base = f"http://127.0.0.1:{self.server.server_address[1]}"  # type: ignore[index]
            if self.path == "/slow.html":
                time.sleep(2.5)
            if self.path in state.redirects:
                self.send_response(302)
                self.send_header("Location", state.redirects[self.path])
                self.end_headers()
                return
            if self.path == "/feed.xml":
                status, kind, body = 200, "application/rss+xml", state.feed(base)
            else:
                status, kind, body = state.pages.get(self.path, (404, "text/plain", b"no"))
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            # The client may stop reading (a body over its size limit).
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def local(tmp_path: Path, **overrides: Any) -> Assistant:
    """An assistant allowed to fetch from this machine (the test server)."""
    values: dict[str, Any] = {"allow_private_urls": True, "fetch_timeout": 1.0}
    values.update(overrides)
    return Assistant.open(settings=offline_settings(tmp_path / "index", **values))


def test_a_url_is_fetched_indexed_and_answered_with_exact_citations(
    site: tuple[Site, str], tmp_path: Path
) -> None:
    state, base = site
    assistant = local(tmp_path)
    url = f"{base}/ferry.html"
    report = assistant.ingest(url)
    assert report.ok and report.added == [url], report
    doc = assistant.document(url)
    assert doc.source == url and doc.title == "Ferry service to Skarn island resumes"
    assert (doc.author, doc.published, doc.outlet) == (
        "Mira Olsen",
        "2024-05-14",
        "Harbour Gazette",
    )
    assert "Sign in" not in doc.text and "newsletter" not in doc.text
    answer = assistant.ask("How long can ships be at the new pier?")
    assert "90 metres" in answer.text
    for c in answer.citations:
        assert assistant.document(c.source).text[c.start : c.end] == c.quote
        assert (c.source, c.outlet, c.published) == (url, "Harbour Gazette", "2024-05-14")
    # The same URL again: unchanged. With the server gone, the copy kept beside the index is read.
    assert assistant.ingest(url).unchanged == [url]
    state.down = True
    asked = len(state.asked)
    assert assistant.ingest(url).unchanged == [url]
    assert len(state.asked) == asked + 1  # it did ask the server first


def test_a_changed_page_at_the_same_url_replaces_its_old_version(
    site: tuple[Site, str], tmp_path: Path
) -> None:
    state, base = site
    assistant = local(tmp_path)
    url = f"{base}/ferry.html"
    assert assistant.ingest(url).added == [url]
    state.pages["/ferry.html"] = (
        200,
        "text/html",
        FERRY.replace(b"12 crowns", b"15 crowns"),
    )
    assert assistant.ingest(url).updated == [url]
    assert len(assistant.documents()) == 1
    text = assistant.document(url).text
    assert "15 crowns" in text and "12 crowns" not in text


def test_a_redirect_is_followed_and_every_failed_fetch_fails_alone(
    site: tuple[Site, str], tmp_path: Path
) -> None:
    _, base = site
    assistant = local(tmp_path, fetch_max_mb=1.0, fetch_max_redirects=3)
    urls = {
        name: f"{base}/{name}"
        for name in ("old-ferry", "missing.html", "logo.png", "huge.html", "loop", "slow.html")
    }
    report = assistant.ingest(list(urls.values()))
    assert report.added == [urls["old-ferry"]]
    reasons = dict(report.failed)
    assert "404" in reasons[urls["missing.html"]]
    assert "image/png" in reasons[urls["logo.png"]]
    assert "larger than 1 MB" in reasons[urls["huge.html"]]
    assert "more than 3 redirects" in reasons[urls["loop"]]
    assert "no answer within 1 s" in reasons[urls["slow.html"]]
    assert len(assistant.documents()) == 1


def test_private_addresses_are_refused_unless_allowed(
    site: tuple[Site, str], tmp_path: Path
) -> None:
    _, base = site
    assistant = Assistant.open(settings=offline_settings(tmp_path / "index"))
    for url in (f"{base}/ferry.html", "file:///etc/passwd", "ftp://example.org/a.html"):
        report = assistant.ingest(url)
        assert not report.added and len(report.failed) == 1
    reasons = [reason for _, reason in assistant.ingest(f"{base}/ferry.html").failed]
    assert "ASSISTANT_ALLOW_PRIVATE_URLS" in reasons[0] and "127.0.0.1" in reasons[0]
    assert "only http:// and https://" in assistant.ingest("file:///etc/passwd").failed[0][1]
    assert assistant.documents() == []


def test_a_feed_ingests_the_articles_behind_its_entries_and_only_new_ones_again(
    site: tuple[Site, str], tmp_path: Path
) -> None:
    state, base = site
    assistant = local(tmp_path)
    feed = f"{base}/feed.xml"
    report = assistant.ingest(feed)
    assert sorted(report.added) == [f"{base}/ferry.html", f"{base}/lighthouse.html"], report
    lighthouse = assistant.document(f"{base}/lighthouse.html")
    assert "keepers' logbooks" in lighthouse.text  # the article, not the feed's summary
    assert "Summary only" not in lighthouse.text
    assert lighthouse.published == "2024-05-16"  # the page gives no date; the entry does
    assert assistant.document(f"{base}/ferry.html").published == "2024-05-14"  # the page's own

    state.asked.clear()
    again = assistant.ingest(feed)
    assert again.ok and not again.added and len(again.unchanged) == 2
    assert state.asked == ["/feed.xml"]  # the entries were not fetched again

    state.feed_items.append(("/missing.html", "Fri, 17 May 2024 10:00:00 GMT"))
    state.feed_items[1] = ("/lighthouse.html", "Sat, 18 May 2024 10:00:00 GMT")
    state.asked.clear()
    third = assistant.ingest(feed)
    assert sorted(state.asked) == ["/feed.xml", "/lighthouse.html", "/missing.html"]
    assert third.unchanged == [f"{base}/ferry.html", f"{base}/lighthouse.html"]
    assert [url for url, _ in third.failed] == [f"{base}/missing.html"]


def test_a_saved_feed_file_is_read_and_a_bad_one_named(
    site: tuple[Site, str], tmp_path: Path
) -> None:
    state, base = site
    assistant = local(tmp_path)
    saved = tmp_path / "harbour.rss"
    saved.write_bytes(state.feed(base))
    report = assistant.ingest(saved)
    assert len(report.added) == 2, report
    broken = tmp_path / "broken.xml"
    broken.write_text("<html><body>not a feed</body></html>")
    failed = assistant.ingest(broken).failed
    assert failed[0][0] == str(broken) and "not an RSS or Atom feed" in failed[0][1]


def test_the_web_chat_adds_a_url_and_cites_it_with_outlet_and_date(
    site: tuple[Site, str], tmp_path: Path
) -> None:
    _, base = site
    url = f"{base}/ferry.html"
    with running_app(tmp_path / "index", allow_private_urls=True) as (app, assistant):
        web = client(app)
        report = web.predict(f"{url}\nnot-a-url", api_name="/add_url")
        assert report["added"] == [url]
        assert [f["source"] for f in report["failed"]] == ["not-a-url"]
        answer = web.predict("Who is Jonas Brekke?", api_name="/ask")
        cited = [c for c in answer["citations"] if c["source"] == url]
        assert cited and cited[0]["outlet"] == "Harbour Gazette"
        assert cited[0]["published"] == "2024-05-14"
        assert "Harbour Gazette · 14 May 2024 · by Mira Olsen" in documents_html(
            assistant.documents()
        )
