"""RSS and Atom feeds -> the articles their entries link to.

A feed names articles; its summaries are not the articles. Each entry's link is fetched and
read as a page, with the entry's date as the published date when the page gives none. What an
ingest took from a feed is remembered under `<index>/feeds/`, so running the same feed again
fetches only entries that are new or whose date changed.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from time import strftime
from typing import Any

import feedparser

from ..errors import AssistantError

FEED_SUFFIXES = (".xml", ".rss", ".atom")


@dataclass(frozen=True)
class Entry:
    link: str
    title: str
    published: str  # ISO date, "" when the entry gives none
    stamp: str  # what tells a changed entry: its updated or published time as given


def read_feed(raw: bytes, label: str) -> list[Entry]:
    """The entries of a feed that link to an article; raises AssistantError when `raw` is no
    feed."""
    parsed: Any = feedparser.parse(raw)
    if not parsed.entries:
        problem = getattr(parsed, "bozo_exception", None)
        why = f" ({problem})" if problem else ""
        raise AssistantError(
            f"{label}: not an RSS or Atom feed with entries{why}; check the feed's address."
        )
    entries: list[Entry] = []
    seen: set[str] = set()
    for item in parsed.entries:
        link = str(item.get("link", "")).strip()
        if not link or link in seen:
            continue
        seen.add(link)
        # dict.get: feedparser's own get maps a missing "updated" to "published", with a warning.
        when = dict.get(item, "published_parsed") or dict.get(item, "updated_parsed")
        stamp = str(dict.get(item, "updated") or dict.get(item, "published") or "")
        entries.append(
            Entry(
                link=link,
                title=" ".join(str(item.get("title", "")).split()),
                published=strftime("%Y-%m-%d", when) if when else "",
                stamp=stamp,
            )
        )
    if not entries:
        raise AssistantError(f"{label}: the feed's entries link to no article.")
    return entries


class FeedMemory:
    """Which entries of a feed an ingest took, and as of which stamp."""

    def __init__(self, index_dir: Path, feed: str) -> None:
        key = hashlib.sha256(feed.encode("utf-8")).hexdigest()[:24]
        self.path = index_dir / "feeds" / f"{key}.json"
        self.feed = feed
        try:
            self.taken: dict[str, str] = json.loads(self.path.read_text(encoding="utf-8"))[
                "entries"
            ]
        except (OSError, ValueError, KeyError):
            self.taken = {}

    def is_new(self, entry: Entry) -> bool:
        return self.taken.get(entry.link) != entry.stamp

    def remember(self, entry: Entry) -> None:
        self.taken[entry.link] = entry.stamp

    def save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temp = self.path.with_suffix(".part")
        temp.write_text(json.dumps({"feed": self.feed, "entries": self.taken}), encoding="utf-8")
        temp.replace(self.path)
