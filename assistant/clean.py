"""Files -> cleaned article text with its metadata (title, author, source, content hash)."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

from .errors import AssistantError

SUPPORTED_SUFFIXES = (".txt", ".md", ".html", ".htm")

# Page furniture that blogs and news sites append after the article. Only trailing lines are
# dropped, so an article that quotes one of these phrases keeps it.
_TRAILING_BOILERPLATE = re.compile(
    r"^(no comments:?|\d+ comments?:?|post a comment|newer post|older post|home|"
    r"subscribe to:.*|share this( article)?:?|related (articles|posts|stories):?|"
    r"posted by .*|labels?:.*|tags?:.*|advertisement|read more:?|comments?)$",
    re.IGNORECASE,
)
# "by Thomas Mackie", "By Sarah Khan, Defence Correspondent", "Written by Ana Ruiz".
_BYLINE = re.compile(
    r"^(?:[Ww]ritten\s+)?(?:by|By|BY)\s+([A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*){0,3})"
    r"\s*(?:[,|]\s*[^,|]{1,60})?$"
)
# " | World News", " - Site": what a page's <title> adds to the headline.
_TITLE_SEPARATOR = re.compile(r"\s+[|–—-]\s+")
# *italic* or _italic_ (bold ** and __ go with _MD_MARKUP); not snake_case or 2 * 3 * 4.
_MD_EMPHASIS = re.compile(r"(?<![\w*])([*_])(?=\S)([^*_\n]{1,500}?)(?<=\S)\1(?![\w*])")
# Bounded so that a line of many unclosed "[" or "](" does not take quadratic time.
_MD_LINK = re.compile(r"!?\[([^\[\]\n]{0,1000})\]\([^)\[\]\n]{0,2000}\)")
_MD_MARKUP = re.compile(r"^\s{0,3}(#{1,6}\s+|>\s?|[-*+]\s+(?=\S))|(\*\*|__|`)")


@dataclass(frozen=True)
class Article:
    """One cleaned article. Citation offsets index into `text`."""

    source: str
    text: str
    title: str
    author: str
    sha256: str


def read_article(path: Path) -> Article:
    """Read and clean one file; raises AssistantError naming the problem and the fix."""
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise AssistantError(
            f"{path}: unsupported file type '{suffix or 'none'}'; "
            "convert it to .txt, .md or .html and ingest that."
        )
    raw = path.read_bytes()
    if not raw.strip():
        raise AssistantError(f"{path}: the file is empty; add the article's text or leave it out.")
    if b"\x00" in raw[:8192]:
        raise AssistantError(
            f"{path}: this is not a text file (it holds binary data); "
            "export the article as .txt, .md or .html."
        )
    try:
        decoded = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise AssistantError(
            f"{path}: not UTF-8 text (bad byte at position {exc.start}); "
            "re-save the file as UTF-8 and ingest it again."
        ) from None
    return clean_article(decoded, source=str(path.resolve()), kind=suffix)


def clean_article(raw: str, source: str, kind: str = ".txt") -> Article:
    """Clean raw text of the given kind (.txt, .md, .html) into an Article."""
    html_title = ""
    if kind in (".html", ".htm"):
        html_title, raw = _html_to_text(raw)
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
        match = _BYLINE.match(para)
        if match:
            author = match.group(1)
            break
    title = html_title or paragraphs[0][:200]
    return Article(
        source=source,
        text=text,
        title=title,
        author=author,
        sha256=content_hash(text),
    )


def _clean_line(line: str, markdown: bool) -> str:
    line = "".join(ch if ch.isprintable() or ch == "\t" else " " for ch in line)
    if markdown:
        line = _MD_LINK.sub(r"\1", line)
        line = _MD_MARKUP.sub("", line)
        line = _MD_EMPHASIS.sub(r"\2", line)
    return " ".join(line.split())


_SKIP_TAGS = {
    "script",
    "style",
    "noscript",
    "template",
    "svg",
    "nav",
    "footer",
    "form",
    "iframe",
    "button",
    "select",
    "aside",
    "head",
}
_BLOCK_TAGS = {
    "p",
    "div",
    "br",
    "li",
    "ul",
    "ol",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "tr",
    "table",
    "section",
    "article",
    "header",
    "blockquote",
    "pre",
    "hr",
    "dd",
    "dt",
    "figcaption",
    "main",
    "title",
}


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.title_parts: list[str] = []
        self.h1_parts: list[str] = []
        self._skip_depth = 0
        self._in_title = False
        self._in_h1 = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "title":
            self._in_title = True
        elif tag in _SKIP_TAGS:
            self._skip_depth += 1
        elif tag == "h1" and not self.h1_parts:  # the first headline only
            self._in_h1 = True
        if tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False
        elif tag in _SKIP_TAGS and self._skip_depth:
            self._skip_depth -= 1
        elif tag == "h1":
            self._in_h1 = False
        if tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title_parts.append(data)
        elif not self._skip_depth:
            self.parts.append(data)
            if self._in_h1:
                self.h1_parts.append(data)


def _html_to_text(raw: str) -> tuple[str, str]:
    parser = _TextExtractor()
    parser.feed(raw)
    parser.close()
    title = " ".join("".join(parser.title_parts).split())
    headline = " ".join("".join(parser.h1_parts).split())
    parts = _TITLE_SEPARATOR.split(title) if title else []
    if headline and (not title or title.startswith(headline)):
        title = headline  # "Headline | Site": the headline
    elif len(parts) > 1:
        # "Headline - Site" whose <h1> is the site's name, or no <h1> to tell: the longest part.
        title = max([p for p in parts if p != headline] or parts, key=len)
    return title, "".join(parser.parts)


def content_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
