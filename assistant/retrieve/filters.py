"""Which articles a question is asked of: published in a window of dates, by an outlet, by an
author. Used by retrieval; an article without a date is never inside a date window."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from ..errors import AssistantError
from ..index import StoredDocument
from ..ingest.dates import parse_date
from ..text.lexical import fold


@dataclass(frozen=True)
class Filters:
    since: str = ""  # ISO dates, inclusive
    until: str = ""
    outlet: str = ""
    author: str = ""

    @classmethod
    def of(
        cls,
        since: str | date | None = None,
        until: str | date | None = None,
        outlet: str | None = None,
        author: str | None = None,
    ) -> Filters | None:
        """The filters asked for (None when none is); a date that cannot be read is an error
        naming it."""
        first, last = _iso(since, "since"), _iso(until, "until")
        if first and last and first > last:
            raise AssistantError(f"since {first} is after until {last}; swap them.")
        made = cls(first, last, (outlet or "").strip(), (author or "").strip())
        return made if any((made.since, made.until, made.outlet, made.author)) else None

    def keeps(self, doc: StoredDocument) -> bool:
        if (self.since or self.until) and not doc.published:
            return False
        if self.since and doc.published < self.since:
            return False
        if self.until and doc.published > self.until:
            return False
        if self.outlet and fold(self.outlet).lower() not in fold(doc.outlet).lower():
            return False
        return not self.author or fold(self.author).lower() in fold(doc.author).lower()

    def documents(self, documents: Mapping[str, StoredDocument]) -> frozenset[str]:
        """The doc_ids of the documents these filters keep."""
        return frozenset(i for i, d in documents.items() if self.keeps(d))


def _iso(value: str | date | None, name: str) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, date):
        return value.isoformat()
    found = parse_date(value)
    if not found:
        raise AssistantError(
            f"{name}: cannot read {value!r} as a date; write it as 2024-03-12 or 12 March 2024."
        )
    return found


def merged(given: Filters | None, read: Filters | None) -> Filters | None:
    """The filters asked for explicitly, with what the question's own words add where they
    say nothing (an explicit `since=` wins over "in March")."""
    if given is None or read is None:
        return given or read
    return Filters(
        given.since or read.since,
        given.until or read.until,
        given.outlet or read.outlet,
        given.author or read.author,
    )
