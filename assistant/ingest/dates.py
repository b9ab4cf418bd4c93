"""Dates as the ingest stores them (ISO `YYYY-MM-DD`) and as a reader sees them (8 March 2021)."""

from __future__ import annotations

import re
from datetime import date

MONTHS = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)
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
