"""Files -> cleaned article text with its metadata (headline, authors, dates, outlet, URL).

Plain text and Markdown are cleaned here, and their byline and date lines read; web pages go
through `pages.read_page` (trafilatura and the page's own markup)."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from ..errors import AssistantError
from .dates import parse_date
from .page_meta import BYLINE
from .pages import read_page

SUPPORTED_SUFFIXES = (".txt", ".md", ".html", ".htm")

# Page furniture that blogs and news sites append after the article. Only trailing lines are
# dropped, so an article that quotes one of these phrases keeps it.
_TRAILING_BOILERPLATE = re.compile(
    r"^(no comments:?|\d+ comments?:?|post a comment|newer post|older post|home|"
    r"subscribe to:.*|share this( article)?:?|related (articles|posts|stories):?|"
    r"posted by .*|labels?:.*|tags?:.*|advertisement|read more:?|comments?)$",
    re.IGNORECASE,
)
# *italic* or _italic_ (bold ** and __ go with _MD_MARKUP); not snake_case or 2 * 3 * 4.
_MD_EMPHASIS = re.compile(r"(?<![\w*])([*_])(?=\S)([^*_\n]{1,500}?)(?<=\S)\1(?![\w*])")
# Bounded so that a line of many unclosed "[" or "](" does not take quadratic time.
_MD_LINK = re.compile(r"!?\[([^\[\]\n]{0,1000})\]\([^)\[\]\n]{0,2000}\)")
# A line that is a date ("12 March 2024", "Published: March 12, 2024 10:04 GMT").
_DATE_LINE = re.compile(r"^[\w ,.:/-]{0,40}\b(1\d|20)\d\d\b[\w ,.:/+-]{0,24}$")
_MD_MARKUP = re.compile(r"^\s{0,3}(#{1,6}\s+|>\s?|[-*+]\s+(?=\S))|(\*\*|__|`)")


@dataclass(frozen=True)
class Article:
    """One cleaned article. Citation offsets index into `text`."""

    source: str
    text: str
    title: str
    author: str  # "A and B" when several
    sha256: str
    published: str = ""  # ISO date, "" when the article gives none
    updated: str = ""
    outlet: str = ""
    url: str = ""  # the canonical URL, for a web page
    language: str = ""

    def metadata(self) -> dict[str, str]:
        """The fields stored with the document."""
        return {
            "source": self.source,
            "title": self.title,
            "author": self.author,
            "sha256": self.sha256,
            "published": self.published,
            "updated": self.updated,
            "outlet": self.outlet,
            "url": self.url,
            "language": self.language,
        }


def read_article(path: Path) -> Article:
    """Read and clean one file; raises AssistantError naming the problem and the fix."""
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise AssistantError(
            f"{path}: unsupported file type '{suffix or 'none'}'; "
            "convert it to .txt, .md or .html and ingest that."
        )
    return read_bytes(path.read_bytes(), str(path.resolve()), suffix, label=str(path))


def read_bytes(raw: bytes, source: str, suffix: str, label: str = "", url: str = "") -> Article:
    """Clean the bytes of one article of the given kind; `label` names it in errors."""
    path = label or source
    if not raw.strip():
        raise AssistantError(f"{path}: the file is empty; add the article's text or leave it out.")
    if b"\x00" in raw[:8192]:
        raise AssistantError(
            f"{path}: this is not a text file (it holds binary data); "
            "export the article as .txt, .md or .html."
        )
    if suffix in (".html", ".htm"):
        return page_article(raw, source, url, label=path)
    try:
        decoded = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise AssistantError(
            f"{path}: not UTF-8 text (bad byte at position {exc.start}); "
            "re-save the file as UTF-8 and ingest it again."
        ) from None
    return clean_article(decoded, source=source, kind=suffix)


def page_article(raw: bytes, source: str, url: str = "", label: str = "") -> Article:
    try:
        text, meta = read_page(raw, source, url)
    except AssistantError as exc:
        raise AssistantError(str(exc).replace(source, label or source, 1)) from None
    return Article(
        source=source,
        text=text,
        title=meta.title or text.split("\n", 1)[0][:200],
        author=_listed(meta.authors),
        sha256=content_hash(text),
        published=meta.published,
        updated=meta.updated,
        outlet=meta.outlet,
        url=meta.url or url,
        language=meta.language,
    )


def clean_article(raw: str, source: str, kind: str = ".txt") -> Article:
    """Clean raw text of the given kind (.txt, .md, .html) into an Article."""
    if kind in (".html", ".htm"):
        return page_article(raw.encode("utf-8"), source)
    lines = [_clean_line(line, markdown=kind == ".md") for line in raw.splitlines()]
    paragraphs = [line for line in lines if line]
    while paragraphs and _TRAILING_BOILERPLATE.match(paragraphs[-1]):
        paragraphs.pop()
    text = "\n".join(paragraphs)
    if not text.strip():
        raise AssistantError(
            f"{source}: no article text left after cleaning (only markup or page furniture); "
            "check that the file holds the article itself."
        )
    author = ""
    for para in paragraphs[:8]:
        match = BYLINE.match(para)
        if match:
            author = match.group(1)
            break
    published = ""
    for para in paragraphs[1:6]:
        if _DATE_LINE.match(para):
            published = parse_date(para)
            if published:
                break
    return Article(
        source=source,
        text=text,
        title=paragraphs[0][:200],
        author=author,
        sha256=content_hash(text),
        published=published,
    )


def _clean_line(line: str, markdown: bool) -> str:
    line = "".join(ch if ch.isprintable() or ch == "\t" else " " for ch in line)
    if markdown:
        line = _MD_LINK.sub(r"\1", line)
        line = _MD_MARKUP.sub("", line)
        line = _MD_EMPHASIS.sub(r"\2", line)
    return " ".join(line.split())


def content_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _listed(names: list[str]) -> str:
    if not names:
        return ""
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
