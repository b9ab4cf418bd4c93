"""Dates as the ingest stores them (ISO `YYYY-MM-DD`) and as a reader sees them (8 March 2021)."""

from __future__ import annotations

import re
from datetime import date, timedelta

from ..text.vocabulary import MONTHS, WEEKDAYS

_MONTH = {m: i for i, m in enumerate(MONTHS, start=1)} | {
    m[:3]: i for i, m in enumerate(MONTHS, start=1)
}
_MONTH["sept"] = 9
_ISO = re.compile(r"\b((?:1[89]|20)\d\d)-(\d\d)-(\d\d)")
_MONTH_NAME = r"(jan|feb|mar|apr|may|jun|jul|aug|sept?|oct|nov|dec)[a-z]*\.?"
# "8 March 2021", "March 8, 2021", "Mar. 8 2021", "Updated 11:05 GMT, Mon 8 March 2021".
_ORDINAL = r"(\d{1,2})(?:st|nd|rd|th)?"
_DAY_MONTH_YEAR = re.compile(rf"\b{_ORDINAL}\s+{_MONTH_NAME},?\s+(\d{{4}})\b", re.I)
_MONTH_DAY_YEAR = re.compile(rf"\b{_MONTH_NAME}\s+{_ORDINAL},?\s+(\d{{4}})\b", re.I)
# 19.01.2020 or 19/01/2020 (day first, as outside the US; a month above 12 swaps them).
_NUMERIC = re.compile(r"\b(\d{1,2})[./](\d{1,2})[./]((?:1[89]|20)\d\d)\b")


def parse_date(text: str) -> str:
    """The first calendar date written in `text` as ISO `YYYY-MM-DD`, or "" when none is."""
    found: list[tuple[int, date]] = []
    for match in _ISO.finditer(text):
        found += _valid(match.start(), int(match[1]), int(match[2]), int(match[3]))
    for match in _DAY_MONTH_YEAR.finditer(text):
        found += _valid(match.start(), int(match[3]), _MONTH[match[2].lower()], int(match[1]))
    for match in _MONTH_DAY_YEAR.finditer(text):
        found += _valid(match.start(), int(match[3]), _MONTH[match[1].lower()], int(match[2]))
    for match in _NUMERIC.finditer(text):
        day, month = int(match[1]), int(match[2])
        if month > 12 >= day:
            day, month = month, day
        found += _valid(match.start(), int(match[3]), month, day)
    return min(found)[1].isoformat() if found else ""


def _valid(at: int, year: int, month: int, day: int) -> list[tuple[int, date]]:
    try:
        return [(at, date(year, month, day))]
    except ValueError:
        return []


def human(iso: str) -> str:
    """`2021-03-08` as "8 March 2021" ("" stays "")."""
    if not iso:
        return ""
    day = date.fromisoformat(iso[:10])
    return f"{day.day} {MONTHS[day.month - 1].capitalize()} {day.year}"


# "on Tuesday", "last Tuesday", "next Friday", "yesterday", "last month", "next year",
# "last March": said relative to the day the article was published.
_RELATIVE = re.compile(
    r"\b(?:(?P<dir>last|next|this|this\s+coming|this\s+past)\s+)?"
    rf"(?P<what>{'|'.join(WEEKDAYS)}|{'|'.join(MONTHS)}|week|month|year|weekend)\b"
    r"|\b(?P<day>yesterday|today|tonight|tomorrow)\b",
    re.IGNORECASE,
)


def relative_dates(text: str, published: str) -> list[tuple[int, int, str]]:
    """The relative dates in `text` ("on Tuesday", "last month"), each as (start, end, the
    date it means), read against the article's `published` ISO date ([] without one). A
    weekday alone is the latest such day on or before publication, as news writes it."""
    if not published:
        return []
    anchor = date.fromisoformat(published[:10])
    found = []
    for match in _RELATIVE.finditer(text):
        meant = _resolve(match, anchor, text)
        if meant:
            found.append((match.start(), match.end(), meant))
    return found


def _resolve(match: re.Match[str], anchor: date, text: str) -> str:
    day = (match.group("day") or "").lower()
    if day:
        shift = {"yesterday": -1, "today": 0, "tonight": 0, "tomorrow": 1}[day]
        return _long(anchor + timedelta(days=shift))
    what = match.group("what").lower()
    way = " ".join((match.group("dir") or "").lower().split())
    if what in WEEKDAYS:
        back = (anchor.weekday() - WEEKDAYS.index(what)) % 7
        if way in ("next", "this coming"):
            return _long(anchor + timedelta(days=(7 - back) % 7 or 7))
        if way == "last" and back == 0:
            back = 7
        return _long(anchor - timedelta(days=back))
    if what in MONTHS:
        if not way or way == "this":  # "in March" names a month, not a relative date
            return ""
        month = MONTHS.index(what) + 1
        year = (
            anchor.year - (month >= anchor.month)
            if way != "next"
            else anchor.year + (month <= anchor.month)
        )
        return f"{what.capitalize()} {year}"
    if not way:
        return ""
    step = {"last": -1, "this past": -1, "next": 1, "this coming": 1, "this": 0}[way]
    if what in ("week", "weekend"):
        monday = anchor - timedelta(days=anchor.weekday()) + timedelta(weeks=step)
        start = monday + timedelta(days=5) if what == "weekend" else monday
        return f"the {what} of {human(start.isoformat())}"
    if what == "month":
        month_index = anchor.year * 12 + anchor.month - 1 + step
        return f"{MONTHS[month_index % 12].capitalize()} {month_index // 12}"
    return str(anchor.year + step)


def _long(day: date) -> str:
    return f"{WEEKDAYS[day.weekday()].capitalize()}, {human(day.isoformat())}"
