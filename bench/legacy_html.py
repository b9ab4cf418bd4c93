"""The HTML cleaner the project had before trafilatura (a hand-written HTMLParser that keeps
every text node outside script, style, nav, footer, aside ...), kept only as the baseline
column of bench.extraction."""

from __future__ import annotations

import re
from html.parser import HTMLParser

_TITLE_SEPARATOR = re.compile(r"\s+[|–—-]\s+")


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


def legacy_text(raw: bytes) -> str:
    """The old cleaner's text of a page; raises UnicodeDecodeError, as it refused, for a page
    that is not UTF-8."""
    title, text = _html_to_text(raw.decode("utf-8-sig"))
    lines = [" ".join(line.split()) for line in text.splitlines()]
    return "\n".join([title, *[line for line in lines if line]])
