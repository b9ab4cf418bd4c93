"""Page furniture that trafilatura keeps, found by three signals, and the standfirst it drops.

- A line that reads as furniture wherever it stands: a photo credit, a copyright notice, a
  "Read more" / "Lesen Sie auch" header, a login or comment notice, a table-of-contents or
  category label, an advertising or affiliate notice (`FURNITURE_LINE`).
- A line that comes from a page element whose class or id names furniture (share, related,
  newsletter, comments, cookie, breadcrumb, sidebar, author box, ...), when that element holds a
  small part of the article (so an article body that a theme marks "share" is kept).
- A short line that trafilatura's precision mode leaves out, unless it reads as prose.

The standfirst (the sentence or two under the headline) sits outside the article container on
many sites and is dropped by the extraction; it is the prose element between the page's <h1>
and the article's first paragraph.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator
from functools import lru_cache
from itertools import pairwise
from typing import Any

# Whole lines that are furniture wherever they stand; each alternative is short by its bounds.
FURNITURE_LINE = re.compile(
    r"^(?:"
    # photo credits and captions' credits
    r"(?:fot\.|foto|fotos|photo|photos|bild|bilder|titelbild|image|images|picture|credits?|"
    r"cr[ée]dits? photos?|imagen|immagine|zdj[eę]cie)(?: illustrative)?\s?[:.]\s.{0,120}|"
    r"(?:©|\(c\)|copyright)\s.{0,300}|.{0,200}\s©\s?[^.!?]{0,60}|"
    # "read more" headers, in a few languages
    r"(?:read|see) (?:more|also)\b.{0,200}|"
    r"(?:more|also read|watch|video|videos|photos|gallery|listen|podcast|weiterlesen)"
    r"\s?:\s.{0,200}|"
    r"related(?: articles?| stories| content| posts?| coverage| news)?\s?:.{0,200}|"
    r"(?:lesen sie|lies) (?:auch|mehr|hier)\b.{0,200}|(?:auch|mehr) lesen\b.{0,200}|"
    r"mehr zum thema\b.{0,200}|"
    r"weitere (?:artikel|beiträge|themen|news|nachrichten|informationen|infos|aktuelle themen)\b"
    r".{0,120}|"
    r"(?:das|dieses?) (?:thema )?könnte (?:dich|sie|euch) (?:auch )?interessieren.{0,120}|"
    r"(?:le|te) (?:puede|podría) interesar.{0,200}|lee (?:también|además).{0,200}|"
    r"(?:leer|ver) más\b.{0,200}|(?:à )?lire (?:aussi|également).{0,200}|voir aussi\b.{0,200}|"
    r"leggi anche\b.{0,200}|czytaj (?:też|także|więcej)\b.{0,200}|zobacz (?:też|także)\b.{0,200}|"
    r"leia (?:também|mais)\b.{0,200}|"
    r"(?:you (?:may|might) also like|more (?:stories|on this|from)|ähnliche (?:artikel|beiträge)|"
    r"articles similaires|sur le même sujet|artículos relacionados|noticias relacionadas|"
    r"articoli correlati)\b.{0,120}|"
    # login and comment notices
    r".{0,40}\b(?:you must|you need to|please) (?:be )?(?:logged in|log in|sign in)\b.{0,80}|"
    r".{0,40}\b(?:you are|sie sind|du bist) (?:\w+ )?not? (?:logged in|eingeloggt|angemeldet)\b"
    r".{0,60}|"
    r".{0,40}\b(?:du musst|sie müssen|bitte) (?:\w+ )?(?:eingeloggt|angemeldet|einloggen|anmelden)"
    r"\b.{0,80}|"
    r"(?:kommentare?|comments?)(?: insgesamt)?\s?:?\s?\(?\d*\)?|"
    r".{0,40}\b(?:vous devez être connecté|debes iniciar sesión|inicia sesión para)\b.{0,80}|"
    r"(?:leave a (?:comment|reply)|post a comment|write a comment|(?:einen )?kommentar schreiben|"
    r"schreibe einen kommentar|laisser un commentaire|deja un comentario|lascia un commento|"
    r"napisz komentarz)\b.{0,60}|"
    r"(?:your email address will not be published|ihre e-mail-adresse wird nicht veröffentlicht|"
    r"required fields are marked|erforderliche felder sind mit)\b.{0,120}|"
    # share buttons and page tools, alone on their line
    r"(?:(?:share|teilen|tweet|pin|e-?mail|print|drucken|facebook|twitter|whatsapp|linkedin|"
    r"pinterest|xing|telegram|reddit|flipboard|copy link|link kopieren|partager|compartir|"
    r"condividi|udostępnij)(?: (?:this|on|via|auf|sur|en|su|na))?\W*){1,8}|"
    r"(?:back to top|nach oben|zurück zur übersicht|back to news|retour en haut)\W*|"
    # appeals for members and donations
    r".{0,120}\b(?:support (?:us|our journalism)|become a (?:member|subscriber|supporter)|"
    r"donate now|jetzt spenden|unterstützen sie (?:uns|unseren journalismus)|wesprzyj nas|"
    r"hazte miembro|soutenez-nous|sostienici)\b.{0,120}|"
    # newsletter and cookie notices
    r"(?:sign up|subscribe|melden sie sich|abonnieren sie|inscrivez-vous|suscr[ií]bete|iscriviti)"
    r"\b.{0,60}\bnewsletter\b.{0,80}|"
    r".{0,100}\b(?:we use cookies|wir verwenden cookies|"
    r"diese (?:website|seite) (?:verwendet|nutzt) cookies|this (?:web)?site uses cookies|"
    r"utilizamos cookies|nous utilisons des cookies|utilizziamo (?:i )?cookie)\b.{0,300}|"
    # tables of contents, category labels, page-update lines
    r"(?:inhaltsverzeichnis|table of contents|contents|índice|sommaire|indice|spis treści)|"
    r"(?:category|categories|kategorie|kategorien|rubrik|filed under|posted in|tags?|"
    r"schlagwörter|schlagworte|stichwörter|mots-clés|palabras clave|categoría|catégorie|"
    r"etiquetas)\s?:.{0,120}|"
    r".{0,40}\b(?:category|kategorie)\s?:.{0,60}|"
    r"(?:last modified|last updated|letzte änderung|zuletzt aktualisiert|zuletzt geändert).{0,60}|"
    # advertising, affiliate and feed notices
    r"advertisement|anzeige|werbung|publicidad|publicité|sponsored(?: content)?|"
    r".{0,160}\baffiliate[- ]?links?\b.{0,160}|"
    r".{0,80}\b(?:rss|feed|newsletter)\b.{0,40}\b(?:abonnieren|subscribe)\b.{0,40}"
    r")$",
    re.IGNORECASE,
)

# Words of a class or id that name a furniture container (matched as whole words of it:
# "m-shared-nav" is no "share").
FURNITURE_WORDS = frozenset(
    [
        "share",
        "sharing",
        "social",
        "related",
        "newsletter",
        "promo",
        "subscribe",
        "subscription",
        "recommended",
        "recommendations",
        "tags",
        "comment",
        "comments",
        "kommentar",
        "kommentare",
        "cookie",
        "cookies",
        "consent",
        "disclaimer",
        "breadcrumb",
        "breadcrumbs",
        "toc",
        "sidebar",
        "authorbox",
        "bio",
        "popup",
        "modal",
        "paywall",
        "outbrain",
        "taboola",
        "readmore",
    ]
)
# A container holding more than this share of the extracted text is the article's own (a theme
# that marks the post "share" or "comment-body"), not furniture.
MAX_CONTAINER_SHARE = 0.5
# Words of a class or id that mark the standfirst.
_LEAD_WORDS = frozenset(
    [
        "lead",
        "intro",
        "standfirst",
        "teaser",
        "excerpt",
        "deck",
        "chapo",
        "summary",
        "abstract",
        "subtitle",
        "subheadline",
        "dek",
        "perex",
        "lede",
        "sapo",
        "entradilla",
        "bajada",
        "sumario",
        "vorspann",
        "anriss",
        "introduction",
    ]
)
_NOT_STANDFIRST = frozenset(
    [
        "figure",
        "figcaption",
        "aside",
        "form",
        "nav",
        "footer",
        "a",
        "button",
        "label",
        "select",
        "option",
    ]
)
_NOT_STANDFIRST_WORDS = FURNITURE_WORDS | {"caption", "widget"}
_NOT_INSIDE_STANDFIRST = frozenset(
    ["figure", "figcaption", "img", "picture", "video", "form", "textarea"]
)
_MARKUP = re.compile(r"<\w[^>]*>")
_STANDFIRST_TAGS = frozenset(["p", "h2", "div", "span", "strong"])
_BLOCKS = frozenset(["p", "div", "li", "ul", "ol", "h2", "h3", "table"])
_SENTENCE_END = re.compile(r"[.!?:…][\"”’')»«]*$")
_CAMEL = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])")
_NOT_LETTERS = re.compile(r"[^A-Za-z]+")
_SPACE = re.compile(r"\s+")


def squeeze(text: str) -> str:
    """Text without whitespace: how a line is found in the page whatever spacing either has."""
    return _SPACE.sub("", text)


@lru_cache(maxsize=4096)
def words(value: str) -> frozenset[str]:
    """ "TestReport__AuthorBox ez-toc" -> test, report, author, box, authorbox, ez, toc, ..."""
    camel = [w.lower() for w in _CAMEL.findall(value)]
    parts = [p.lower() for p in _NOT_LETTERS.split(value) if p]
    return frozenset((*camel, *parts, *(a + b for a, b in pairwise(camel))))


def _marked(element: Any, vocabulary: frozenset[str]) -> bool:
    names = element.get("class"), element.get("id")
    return any(name and not words(name).isdisjoint(vocabulary) for name in names)


def container_text(tree: Any, text_chars: int) -> str:
    """The squeezed text of the page's furniture containers (each at most MAX_CONTAINER_SHARE of
    `text_chars`), joined by NUL: a line found in it came from one of them."""
    found: list[str] = []
    stack = [tree]
    while stack:
        element = stack.pop()
        if not isinstance(element.tag, str):
            continue
        if element.tag not in ("html", "body") and _marked(element, FURNITURE_WORDS):
            text = squeeze("".join(element.itertext()))
            if text and len(text) <= MAX_CONTAINER_SHARE * text_chars:
                found.append(text)
                continue  # its descendants' text is in it
        stack.extend(reversed(element))
    return "\0".join(found)


def standfirst(tree: Any, lines: list[str]) -> str | None:
    """The prose element between the headline (the last <h1> before the article's first
    paragraph) and that paragraph, when the extracted `lines` lack it: 60 to 800 characters
    ending like a sentence (40 when its class names a lead), little of it links, in no figure,
    aside, form or furniture container, sharing with the <h1> an ancestor that holds no more
    than about the article (not the page wrapper around a sidebar's teaser)."""
    headlines = [squeeze(" ".join(h1.itertext())).lower() for h1 in tree.iter("h1")]
    probe = next(
        (
            squeeze(line)[:20]
            for line in lines[:4]
            if len(line) >= 60 and not any(squeeze(line).lower() in h for h in headlines)
        ),
        None,
    )
    if not probe:
        return None
    elements: list[Any] = []
    starts: list[int] = []  # offset in the squeezed page text where each text node starts
    owners: list[int] = []  # the element that holds it
    flat: list[str] = []
    offset = 0
    for element in tree.iter():
        if not isinstance(element.tag, str):
            continue
        elements.append(element)
        if element.text:
            text = squeeze(element.text)
            starts.append(offset)
            owners.append(len(elements) - 1)
            flat.append(text)
            offset += len(text)
    at = "".join(flat).find(probe)
    if at < 0:
        return None
    first = owners[bisect.bisect_right(starts, at) - 1]
    h1 = next((i for i in range(first - 1, -1, -1) if elements[i].tag == "h1"), -1)
    if h1 < 0:
        return None
    body = squeeze("\n".join(lines))
    h1_ancestors = set(elements[h1].iterancestors())
    for element in elements[h1 + 1 : first]:
        lead = _standfirst_text(element)
        if lead is None:
            continue
        common = next((a for a in element.iterancestors() if a in h1_ancestors), None)
        if common is None or len(squeeze("".join(common.itertext()))) > 3 * len(body) + 500:
            continue
        return None if squeeze(lead) in body else lead
    return None


def _standfirst_text(element: Any) -> str | None:
    lead = _marked(element, _LEAD_WORDS)
    if not lead and (
        element.tag not in _STANDFIRST_TAGS
        or any(isinstance(d.tag, str) and d.tag in _BLOCKS for d in element.iterdescendants())
    ):
        return None
    for holder in _self_and_ancestors(element):
        if holder.tag in _NOT_STANDFIRST or _marked(holder, _NOT_STANDFIRST_WORDS):
            return None
    text = " ".join("".join(element.itertext()).split())
    if not (40 if lead else 60) <= len(text) <= 800 or not _SENTENCE_END.search(text):
        return None
    for inner in element.iterdescendants():  # a video player's or a picture's block
        if isinstance(inner.tag, str) and (
            inner.tag in _NOT_INSIDE_STANDFIRST or _marked(inner, _NOT_STANDFIRST_WORDS)
        ):
            return None
    if _MARKUP.search(text):
        return None
    links = sum(len("".join(a.itertext())) for a in element.iter("a"))
    return None if links > 0.3 * len(text) else text


def _self_and_ancestors(element: Any) -> Iterator[Any]:
    yield element
    yield from element.iterancestors()
