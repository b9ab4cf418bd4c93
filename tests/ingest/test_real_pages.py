"""Real saved news pages (from ../shared/data/extraction/, the development half of
trafilatura's benchmark, in two charsets and two languages) ingested as a user would: the
article's own text kept, the page furniture the benchmark lists left out, the metadata right,
and every citation an exact span of the stored text."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from assistant import Assistant

from ..conftest import SHARED, offline_settings

EXTRACTION = SHARED / "data" / "extraction"
# file -> (charset it declares, headline, published, author or "")
PAGES = {
    "kyffhaeuser-nachrichten.de-Regen.html": (
        "iso-8859-1",
        "So viel Regen gab es lange nicht",
        "2023-10-31",
        "",
    ),
    "badische-zeitung.de-Wohnungssuche.html": (
        "iso-8859-1",
        "Viele Studierende sind noch verzweifelt auf Wohnungssuche in Freiburg",
        "2023-10-18",
        "",
    ),
    "edition.cnn.com-royal.html": (
        "utf-8",
        "The royal split, racism and family struggles: 11 things we learned from Harry and "
        "Meghan's explosive interview",
        "2021-03-08",
        "Rob Picheta",
    ),
}

pytestmark = pytest.mark.skipif(
    not (EXTRACTION / "evaldata.json").exists(), reason="needs ../shared/data/extraction/"
)


def _norm(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> tuple[Assistant, dict[str, Path]]:
    folder = tmp_path_factory.mktemp("pages")
    copies = {}
    for name in PAGES:
        copies[name] = folder / name
        shutil.copyfile(EXTRACTION / "pages" / name, copies[name])
    assistant = Assistant.open(settings=offline_settings(folder / "index"))
    report = assistant.ingest(list(copies.values()))
    assert report.ok and len(report.added) == len(PAGES), report
    return assistant, copies


def test_real_pages_keep_the_article_and_drop_the_listed_furniture(
    pages: tuple[Assistant, dict[str, Path]],
) -> None:
    assistant, copies = pages
    gold = {e["file"]: e for e in json.loads((EXTRACTION / "evaldata.json").read_text()).values()}
    for name, (charset, headline, published, author) in PAGES.items():
        raw = copies[name].read_bytes()
        assert charset.encode() in raw[:20000].lower()  # the page declares it
        doc = assistant.document(copies[name])
        text = _norm(doc.text)
        for kept in gold[name]["with"]:
            assert _norm(kept) in text, (name, kept)
        for dropped in gold[name]["without"]:
            assert _norm(dropped) not in text, (name, dropped)
        assert (doc.title, doc.published, doc.author) == (headline, published, author)
        assert "Ã" not in doc.text  # no mojibake: the declared charset was honoured


def test_citations_on_real_pages_are_exact_spans(
    pages: tuple[Assistant, dict[str, Path]],
) -> None:
    assistant, _ = pages
    for question in ("Who did Meghan say made her cry?", "Summarize the articles"):
        answer = assistant.ask(question)
        assert answer.citations, question
        for c in answer.citations:
            assert assistant.document(c.source).text[c.start : c.end] == c.quote
    summary = assistant.ask("Summarize the articles")
    assert len({c.source for c in summary.citations}) == len(PAGES)  # each article's lead
