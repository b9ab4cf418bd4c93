"""A news page's own description of itself: headline, authors, dates, outlet, canonical URL and
language, from its markup (JSON-LD, OpenGraph and meta tags, the <h1>), with trafilatura's
metadata as the fallback.

Markup is often wrong for the article (a CMS's name as the title, the outlet as the author, a
commenter's or a related story's byline), so each field is checked against the page: an author
is a person, not the outlet, and a name found only by trafilatura's heuristics must appear in
the page before the article's body ends; a <title> that none of the page's headlines shares
words with is not the headline.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from lxml import html as lxml_html

from .dates import parse_date

# "Headline | Site", "Headline - Site | Section"
_TITLE_SEPARATOR = re.compile(r"\s+[|–—-]\s+|\s+[|]\s*")
_ARTICLE_TYPES = re.compile(r"Article|BlogPosting|Report|NewsArticle|WebPage", re.I)
_NOT_A_NAME = re.compile(r"https?:|www\.|\.com\b|@|\d{3}", re.I)
_BY = re.compile(r"^\s*(?:written\s+)?by\s*:?\s+", re.I)
_AUTHOR_SPLIT = re.compile(r"\s*(?:;|,|\band\b|&|\|)\s*")
# "by Thomas Mackie", "By Sarah Khan, Defence Correspondent", "Written by Ana Ruiz".
BYLINE = re.compile(
    r"^(?:[Ww]ritten\s+)?(?:by|By|BY)\s+([A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*){0,3}"
    r"(?:\s+and\s+[A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*){1,3})?)"
    r"\s*(?:[,|]\s*[^,|]{1,60})?$"
)
# "By Alex Bozarjian Thursday, November 9, 2023": a byline in the page's text.
_VISIBLE_BYLINE = re.compile(
    r"\b[Bb]y\s+((?:(?!(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day\b)[A-Z][\w.'’-]+\s?){2,4})"
)
_AUTHOR_LABELS = frozenset(
    {"author", "authors", "autor", "autorin", "autoren", "auteur", "written by", "reporter"}
)
_STAFF = re.compile(r"\b(staff|editors?|desk|team|newsroom|reporters?|agency|wire)\b", re.I)


@dataclass
class PageMeta:
    title: str = ""
    authors: list[str] = field(default_factory=list)
    published: str = ""  # ISO date
    updated: str = ""
    outlet: str = ""
    url: str = ""
    language: str = ""


def read_meta(tree: Any, traf: Any, body: str) -> PageMeta:
    """The page's metadata; `tree` is its lxml tree, `traf` trafilatura's Document (or None),
    `body` the extracted article text (to check names found by heuristics)."""
    ld = _json_ld(tree)
    meta = _meta_tags(tree)
    outlet = _first(
        meta.get("og:site_name"),
        _name(ld.get("publisher")),
        getattr(traf, "sitename", None),
    )
    meta_out = PageMeta(outlet=_clean(outlet))
    meta_out.title = _headline(tree, ld, meta, traf, meta_out.outlet)
    meta_out.published = parse_date(
        _first(
            ld.get("datePublished"),
            meta.get("article:published_time"),
            meta.get("datepublished"),
            meta.get("date"),
            meta.get("dc.date"),
            getattr(traf, "date", None),
        )
    )
    meta_out.updated = parse_date(
        _first(ld.get("dateModified"), meta.get("article:modified_time"), meta.get("lastmod"))
    )
    if meta_out.updated and meta_out.updated <= meta_out.published:
        meta_out.updated = ""
    meta_out.url = _first(
        _canonical(tree), meta.get("og:url"), _url(ld), getattr(traf, "url", None)
    )
    meta_out.language = _language(tree, meta)
    meta_out.authors = _authors(tree, ld, meta, traf, meta_out.outlet, body)
    return meta_out


# ----------------------------------------------------------------------------- sources
def _json_ld(tree: Any) -> dict[str, Any]:
    """The page's article object in JSON-LD (the first of an article type), or {}."""
    found: list[dict[str, Any]] = []
    for script in tree.xpath('//script[@type="application/ld+json"]'):
        try:
            data = json.loads(script.text_content() or "null")
        except (json.JSONDecodeError, ValueError):
            continue
        found.extend(_objects(data))
    for obj in found:
        kind = obj.get("@type", "")
        kinds = kind if isinstance(kind, list) else [kind]
        if any(isinstance(k, str) and _ARTICLE_TYPES.search(k) for k in kinds) and (
            "headline" in obj or "author" in obj or "datePublished" in obj
        ):
            return obj
    return {}


def _objects(data: Any) -> Iterator[dict[str, Any]]:
    if isinstance(data, list):
        for item in data:
            yield from _objects(item)
    elif isinstance(data, dict):
        yield data
        graph = data.get("@graph")
        if graph is not None:
            yield from _objects(graph)


def _meta_tags(tree: Any) -> dict[str, str]:
    """meta name/property -> content, lowercased names, first one of each kept."""
    found: dict[str, str] = {}
    for tag in tree.xpath("//meta[@content]"):
        name = (tag.get("property") or tag.get("name") or tag.get("itemprop") or "").lower()
        content = " ".join((tag.get("content") or "").split())
        if name and content and name not in found:
            found[name] = content
    return found


def _canonical(tree: Any) -> str:
    for link in tree.xpath('//link[@rel="canonical"][@href]'):
        href = link.get("href", "").strip()
        if href.startswith("http"):
            return str(href)
    return ""


def _url(ld: dict[str, Any]) -> str:
    page = ld.get("mainEntityOfPage")
    if isinstance(page, dict):
        page = page.get("@id") or page.get("url")
    value = page if isinstance(page, str) else ld.get("url")
    return value if isinstance(value, str) and value.startswith("http") else ""


def _language(tree: Any, meta: dict[str, str]) -> str:
    lang = tree.get("lang") or tree.get("xml:lang") or meta.get("og:locale") or ""
    lang = lang.replace("_", "-").split("-")[0].lower()
    return lang if re.fullmatch(r"[a-z]{2,3}", lang) else ""


# ----------------------------------------------------------------------------- fields
def _headline(tree: Any, ld: dict[str, Any], meta: dict[str, str], traf: Any, outlet: str) -> str:
    """The page's first <h1> that reads as a headline (not the logo), else the markup's title
    without the site's name."""
    titles = [
        _clean(t)
        for t in (
            ld.get("headline"),
            meta.get("og:title"),
            meta.get("twitter:title"),
            _first(*(e.text_content() for e in tree.xpath("//head/title"))),
            getattr(traf, "title", None),
        )
        if isinstance(t, str) and t.strip()
    ]
    for h1 in tree.xpath("//h1"):
        text = _clean(h1.text_content())
        if len(text.split()) >= 3 and text.lower() != outlet.lower():
            return text[:300]
    for title in titles:
        parts = [p for p in _TITLE_SEPARATOR.split(title) if p.strip()]
        kept = [p for p in parts if not _is_site(p, outlet) and not parse_date(p)]
        best = max(kept or parts, key=len)
        if len(best.split()) >= 3:
            return best[:300]
    return titles[0][:300] if titles else ""


def _is_site(part: str, outlet: str) -> bool:
    folded = part.strip().lower()
    return bool(outlet) and (folded in outlet.lower() or outlet.lower() in folded)


def _authors(
    tree: Any, ld: dict[str, Any], meta: dict[str, str], traf: Any, outlet: str, body: str
) -> list[str]:
    """Authors from the article's JSON-LD or its author meta tags; else from rel=author links,
    a "By ..." line or trafilatura's guess, each kept only when the page names that person
    before the article's body is under way (a related story's or a commenter's byline comes
    later)."""
    marked = [
        _names(ld.get("author")),
        _split(meta.get("author", "")),
        _split(meta.get("byl", "")),
        _split(meta.get("article:author", "")),
        _split(meta.get("parsely-author", "")),
        _split(meta.get("sailthru.author", "")),
        _split(meta.get("dc.creator", "")),
    ]
    for names in marked:
        people = _people(names, outlet)
        if people:
            return people
    for line in body.split("\n")[:4]:  # a byline the extractor kept as the body's first lines
        own = BYLINE.match(line)
        if own and _people(_split(own.group(1)), outlet):
            return _people(_split(own.group(1)), outlet)
    refused = " ".join(n for names in marked for n in names).lower()  # the outlet, say
    visible = _visible_text(tree)
    head = body.strip().split("\n", 1)[0][:60]
    start = visible.find(head)
    limit = start + 300 if start >= 0 else len(visible) // 3
    guesses = [
        [_clean(a.text_content()) for a in tree.xpath('//a[@rel="author"]')][:3],
        [m.group(1) for m in _VISIBLE_BYLINE.finditer(visible[: max(start, 0)])][:2],
        _split(getattr(traf, "author", None) or ""),
    ]
    for names in guesses:
        people = [
            name
            for name in _people(names, outlet)
            if 0 <= visible.find(name) <= limit and name.lower() not in refused
        ]
        if people:
            return people
    return [n for n in _people(_labelled(tree), outlet) if n.lower() not in refused][:3]


def _labelled(tree: Any) -> list[str]:
    """Names in a labelled field of the page ("<strong>Author</strong> Ben Knight", an info box
    beside the article): the value after an element whose own text is the label."""
    found = []
    for label in tree.xpath("//strong|//dt|//b|//th|//span|//label"):
        own = (label.text or "").strip().rstrip(":").strip().lower()
        if own in _AUTHOR_LABELS:
            after = label.getnext()
            value = (label.tail or "").strip() or (
                after.text_content() if after is not None else ""
            )
            found.extend(_split(value))
    return found


def _names(value: Any) -> list[str]:
    if isinstance(value, str):
        return _split(value)
    if isinstance(value, dict):
        kind = str(value.get("@type", "Person"))
        return _split(str(value.get("name", ""))) if "Organization" not in kind else []
    if isinstance(value, list):
        return [n for item in value for n in _names(item)]
    return []


def _name(value: Any) -> str:
    if isinstance(value, dict):
        return str(value.get("name", ""))
    if isinstance(value, list) and value:
        return _name(value[0])
    return value if isinstance(value, str) else ""


def _split(value: str) -> list[str]:
    value = _BY.sub("", _clean(value))
    return [p for p in _AUTHOR_SPLIT.split(value) if p]


def _people(names: list[str], outlet: str) -> list[str]:
    """Names that read as a person's: not the outlet, no URL, two to five words."""
    people: list[str] = []
    for raw in names:
        name = _BY.sub("", _clean(raw)).strip(" .,")
        words = name.split()
        if not 2 <= len(words) <= 5 or _NOT_A_NAME.search(name) or _STAFF.search(name):
            continue
        if outlet and (_is_site(name, outlet) or name.lower() in outlet.lower()):
            continue
        if not all(w[0].isupper() or w.lower() in ("de", "van", "von", "der", "la") for w in words):
            continue
        if name not in people:
            people.append(name)
    return people


def _visible_text(tree: Any) -> str:
    copy = lxml_html.fromstring(lxml_html.tostring(tree))
    for bad in copy.xpath("//script|//style|//noscript|//template"):
        bad.drop_tree()
    return _clean(" ".join(copy.itertext()))


def _first(*values: Any) -> str:
    for value in values:
        if isinstance(value, str) and value.strip():
            return value.strip()
    return ""


def _clean(value: Any) -> str:
    return " ".join(str(value or "").split())
