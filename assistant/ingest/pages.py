"""A saved or fetched web page -> the article in it, with its metadata.

The main text comes from trafilatura (with its own fallbacks, readability and jusText), which
decodes the page by its declared or detected charset; menus, share buttons, related links,
cookie notices and comments are left out. What trafilatura keeps that is still page furniture
("Share this article", "Read more: ...", photo credits, a related-stories box, a menu item only
its default mode keeps) is dropped here, anywhere in the text (furniture.py says how it is
found), and the standfirst it leaves out is put back under the headline. The stored text
opens with the headline and the byline, as a printed article does, so that "Who wrote it?"
cites the page's words; the dates are fields of the document (a date line in the text would be
cited for "How long ...?" and "When ...?" questions about the story).
"""

from __future__ import annotations

import re
from copy import deepcopy
from typing import Any

import trafilatura
from lxml import etree
from lxml import html as lxml_html
from trafilatura.utils import decode_file, load_html

from ..errors import AssistantError
from .furniture import FURNITURE_LINE, container_text, squeeze, standfirst
from .page_meta import BYLINE, PageMeta, read_meta

# A page whose main text holds no sentence of at least this many characters, and less text than
# MIN_ARTICLE_CHARS in all, holds no article (a home page, a login wall, an error page: menus,
# links and short notices); it is refused rather than indexed as menus.
MIN_SENTENCE_CHARS = 40
MIN_ARTICLE_CHARS = 600
_SENTENCE_END = re.compile(r"[.!?][\"”’')]*(?:\s|$)|[。！？]")

_ENDS_SENTENCE = re.compile(r"\w[.!?][\"”’')]*$")
_LIST_ITEM = re.compile(r"^- (?=\S)")
_PARSER = lxml_html.HTMLParser(huge_tree=True, remove_comments=True, remove_pis=True)
_HIDDEN = "//script|//style|//template|//object|//embed|//iframe|//svg|//button"
# <noscript> content is not shown, unless a tag left open put the rest of the page inside it:
# one holding more than this share of the page's text is unwrapped, not dropped.
_NOSCRIPT_SHARE = 0.5
# Lines at the start or the end of the extracted text that are page furniture, not article.
_FURNITURE = re.compile(
    r"^(?:share(?: this)?(?: article| story| page)?(?: on| via| with)?\b.{0,40}|"
    r"(?:read|see) (?:more|also)\b.{0,200}|"
    r"related(?: articles| stories| content| coverage)?:?.{0,200}|"
    r"(?:sign up|subscribe)\b.{0,200}|advertisement|sponsored(?: content)?|"
    r"(?:click|tap) here\b.{0,200}|(?:copyright|©|\(c\)).{0,200}|all rights reserved\.?|"
    r"(?:most (?:read|popular|viewed))\b.{0,80}|comments?(?: \(\d+\))?|\d+ comments?|"
    r"(?:follow us|follow (?:him|her|them) on)\b.{0,100}|(?:top|trending) stories\b.{0,80}|"
    r"(?:recommended|more from)\b.{0,80}|image(?: source)?:.{0,120}|photo:.{0,120})$",
    re.IGNORECASE,
)


def read_page(raw: bytes, source: str, url: str = "") -> tuple[str, PageMeta]:
    """The article's text (headline and byline first) and its metadata; raises
    AssistantError when the page holds no article."""
    tree = _parse(raw)
    if tree is None:
        raise AssistantError(f"{source}: not a readable web page; save the article's page again.")
    visible = _without_hidden(tree)
    extracted = _extract(visible, url)
    body = _body(extracted.text if extracted is not None else "", visible, extracted)
    if not _reads_as_article(body):
        raise AssistantError(
            f"{source}: no article found in this page (it holds only menus, links or a short "
            "notice: a home page, a login wall or an error page?); save the article's own page "
            "and ingest that."
        )
    meta = read_meta(tree, extracted, body)
    if url and not meta.url:
        meta.url = url
    return _layout(body, meta), meta


def _parse(raw: bytes) -> Any:
    """The page's tree, decoded by its declared or detected charset (trafilatura's decoder);
    libxml2's depth limit lifted, so a deeply nested page is read whole."""
    try:
        return lxml_html.fromstring(decode_file(raw), parser=_PARSER)
    except (etree.ParserError, ValueError):  # an XML declaration, say: trafilatura's loader
        return load_html(raw)


def _reads_as_article(body: str) -> bool:
    """Some prose: a line of a sentence or more, or enough text in all. Menus, link lists and
    short notices have neither."""
    if len(body) >= MIN_ARTICLE_CHARS:
        return True
    return any(
        len(line) >= MIN_SENTENCE_CHARS and _SENTENCE_END.search(line) for line in body.splitlines()
    )


def _without_hidden(tree: Any) -> Any:
    """A copy of the page without what a browser does not show as text (scripts, styles,
    <noscript> and <template> content, embedded objects, forms); a <noscript> left open around
    the rest of the page is unwrapped instead."""
    copy = deepcopy(tree)
    for element in copy.xpath(_HIDDEN):
        element.drop_tree()
    noscripts = copy.xpath("//noscript")
    if noscripts:
        total = len("".join(copy.itertext()))
        for element in noscripts:
            if element.getparent() is None:
                continue
            if len("".join(element.itertext())) > _NOSCRIPT_SHARE * total:
                element.drop_tag()
            else:
                element.drop_tree()
    return copy


def _extract(tree: Any, url: str, precise: bool = False) -> Any:
    """trafilatura's Document for the page (with its metadata), or with `precise` its
    favor_precision text alone."""
    try:
        return trafilatura.bare_extraction(
            tree,
            url=url or None,
            with_metadata=not precise,
            favor_precision=precise,
            include_comments=False,
            include_tables=True,
            deduplicate=False,
        )
    except (ValueError, TypeError, etree.LxmlError):
        return None


def _body(text: str, page: Any = None, document: Any = None) -> str:
    """The extracted text without furniture: lines that read as furniture anywhere
    (furniture.FURNITURE_LINE) or at the edges (_FURNITURE), lines from the page's furniture
    containers, short lines that trafilatura's precision mode drops; with the standfirst the
    extraction left out. `page` is the tree the text was extracted from (None: lines alone),
    `document` trafilatura's Document of it (its headings are the article's subheadings)."""
    lines = _lines(text)
    lines = [line for line in lines if not FURNITURE_LINE.match(line)]
    if page is not None and lines:
        lines = _agreed(lines, page, _headings(document))
        containers = container_text(page, len(squeeze(text)))
        lines = [line for line in lines if not (containers and squeeze(line) in containers)]
    while lines and _FURNITURE.match(lines[-1]):
        lines.pop()
    while lines and _FURNITURE.match(lines[0]):
        lines.pop(0)
    if page is not None:
        lead = standfirst(page, lines)
        if lead is not None:
            lines.insert(1 if lines and _headline(page, lines[0]) else 0, lead)
    return "\n".join(lines)


def _lines(text: str) -> list[str]:
    # trafilatura writes a list item as "- item"; the item is the text.
    lines = [_LIST_ITEM.sub("", " ".join(line.split())) for line in text.splitlines()]
    return [line for line in lines if line]


def _agreed(lines: list[str], page: Any, headings: set[str]) -> list[str]:
    """The lines that trafilatura's precision mode keeps too, bylines, subheadings and those
    that read as prose (a sentence of MIN_SENTENCE_CHARS or more): a short line only the
    default mode keeps is mostly a menu item, a teaser or a label. (The precision mode drops
    subheadings.)"""
    doubtful = [not (_reads_as_prose(line) or line in headings) for line in lines]
    if not any(doubtful):
        return lines  # the precision pass would keep every line: spare it
    precise = _extract(page, "", precise=True)
    if precise is None or not precise.text:
        return lines
    kept = set(_lines(precise.text))
    return [line for line, doubt in zip(lines, doubtful, strict=True) if not doubt or line in kept]


def _headings(document: Any) -> set[str]:
    body = getattr(document, "body", None)
    if body is None:
        return set()
    return {" ".join(" ".join(head.itertext()).split()) for head in body.iter("head")}


def _reads_as_prose(line: str) -> bool:
    return bool(
        BYLINE.match(line)
        or (len(line) >= MIN_SENTENCE_CHARS and _SENTENCE_END.search(line))
        or _ENDS_SENTENCE.search(line)
    )


def _headline(page: Any, line: str) -> bool:
    return any(_same(line, "".join(h1.itertext())) for h1 in page.iter("h1"))


def _layout(body: str, meta: PageMeta) -> str:
    """Headline and "By ..." lines (as the page gives them), then the body; the body's own
    repeat of the headline is dropped."""
    lines = body.split("\n")
    if meta.title and lines and _same(lines[0], meta.title):
        lines.pop(0)
    head: list[str] = []
    if meta.title:
        head.append(meta.title)
    top = "\n".join(lines[:3])
    if meta.authors and not any(name in top for name in meta.authors):
        head.append("By " + _listed(meta.authors))
    return "\n".join(head + lines)


def _same(a: str, b: str) -> bool:
    fold = re.compile(r"\W+")
    return fold.sub("", a.lower()) == fold.sub("", b.lower())


def _listed(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
