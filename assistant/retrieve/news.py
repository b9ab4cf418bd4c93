"""Questions about time and sources, read before retrieval: "What's the latest on X?",
"What happened in March 2020?", "... last week?", "What did Reuters report about X?".

Each becomes the question about X alone plus what limits or orders the articles it is asked of:
a date window, an outlet, or "newest first". An outlet is recognised only when an indexed
article is from it, so "What did Putin say?" stays a question about Putin.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, timedelta

from ..answer import Answer, AnswerSentence
from ..ingest.dates import human
from ..text.lexical import fold
from ..text.vocabulary import MONTHS
from . import Passage
from .filters import Filters

# How much less similar to the question than the closest passage a passage may be and still
# count as being about the same thing, for "the latest" (cosine).
CLOSE = 0.1
_LATEST = re.compile(
    r"^\s*(?:what(?:'s|’s|\s+is)\s+the\s+(?:latest|newest|most\s+recent)(?:\s+news)?\s+"
    r"(?:on|about|with|in|regarding)\s+|(?:give\s+me\s+|tell\s+me\s+)?the\s+latest\s+"
    r"(?:news\s+)?(?:on|about)\s+|what(?:'s|’s|\s+is)\s+new\s+(?:on|about|with)\s+)"
    r"(?P<topic>[^?]+?)\s*\??\s*$",
    re.IGNORECASE,
)
_MONTH = "|".join(MONTHS)
# "in March 2020", "during April", "in 2019", "last week", "last month", "this year"
_WINDOW = re.compile(
    rf"\s*\b(?:in|during|over|throughout)\s+(?P<month>{_MONTH})(?:\s+(?P<year>(?:19|20)\d\d))?\b"
    rf"|\s*\b(?:in|during)\s+(?P<only_year>(?:19|20)\d\d)\b"
    # "last week", not "the last week of the season", "its last year", "this year's show"
    r"|\s*(?<!the\s)(?<!its\s)(?<!his\s)(?<!her\s)(?<!their\s)\b(?P<last>last|this|past)\s+"
    r"(?P<unit>week|month|year)\b(?!['’]s|\s+of\b)",
    re.IGNORECASE,
)
# Questions about the news of a time ("What happened in March 2020?"), whose month or year is
# when the articles were published; in others ("How many were sent in June?") it is a date in
# the story. "last week", "this month" are publication windows in any question.
_ABOUT_THE_NEWS = re.compile(
    r"^\s*(?:what\s+(?:else\s+)?happened|what\s+(?:was|were)\s+(?:reported|in\s+the\s+news)|"
    r"(?:any|the)\s+news|what(?:'s|’s|\s+is|\s+was)\s+new|"
    r"what\s+(?:did|do)\s+the\s+(?:articles|news|papers|outlets)\s+(?:say|report))\b",
    re.IGNORECASE,
)
_HAPPENED = re.compile(
    r"^\s*what\s+(?:else\s+)?happened\s+(?:with|to|at|in|on|about)\s+(?P<topic>[^?]+?)\s*\??\s*$",
    re.IGNORECASE,
)
_REPORTED_BY = (
    r"(?:did|does|do|has|have)\s+(?:the\s+)?(?P<outlet>{outlets})\s+"
    r"(?:report|say|write|publish|cover|tell\s+us)(?:ed)?\s*(?:about|on)?\s*"
)
_ACCORDING = r"\s*,?\s*(?:according\s+to|in|from)\s+(?:the\s+)?(?P<outlet>{outlets})(?:'s|’s)?\b"


@dataclass(frozen=True)
class NewsQuestion:
    question: str  # what is searched and answered
    filters: Filters | None
    latest: bool = False  # answer from the newest articles on the topic, and say how recent


def read(
    question: str,
    outlets: Iterable[str],
    today: date | None = None,
    published: Iterable[str] = (),
) -> NewsQuestion:
    """The question with its time and source words turned into filters; a window in which no
    article of `published` (the indexed articles' dates) falls is read as a date in the story,
    and left in the question."""
    today = today or date.today()
    latest = _LATEST.match(question)
    if latest:  # the newest article's own lead answers it
        return NewsQuestion(f"Summarize the article about {latest.group('topic')}", None, True)
    since = until = outlet = ""
    known = sorted({o for o in outlets if o}, key=len, reverse=True)
    if known:
        names = "|".join(re.escape(o) for o in known)
        said = re.search(_REPORTED_BY.format(outlets=names), question, re.IGNORECASE)
        if said:
            outlet = said.group("outlet")
            rest = question[said.end() :].strip(" ?")
            question = f"Summarize the articles about {rest}" if rest else "Summarize the articles"
        else:
            per = re.search(_ACCORDING.format(outlets=names) + r"\s*\??\s*$", question, re.I)
            if per:
                outlet = per.group("outlet")
                question = question[: per.start()].rstrip(" ,") + "?"
    window = _WINDOW.search(question)
    if window and not window.group("last") and not _ABOUT_THE_NEWS.match(question):
        window = None  # "sent in June": a date in the story, not when it was published
    if window:
        since, until = _window(window, today)
        if not any(since <= day <= until for day in published):
            window, since, until = None, "", ""
    if window:
        question = (question[: window.start()] + question[window.end() :]).strip()
        question = re.sub(r"\s+\?$", "?", question)
        happened = _HAPPENED.match(question)
        if happened:  # what the articles of that time say about it: their leads
            question = f"Summarize the articles about {happened.group('topic')}"
    filters = Filters.of(since or None, until or None, _canonical(outlet, known) or None)
    return NewsQuestion(question, filters)


def _window(match: re.Match[str], today: date) -> tuple[str, str]:
    if match.group("month"):
        month = MONTHS.index(match.group("month").lower()) + 1
        year = int(match.group("year") or (today.year if month <= today.month else today.year - 1))
        last = calendar.monthrange(year, month)[1]
        return date(year, month, 1).isoformat(), date(year, month, last).isoformat()
    if match.group("only_year"):
        year = int(match.group("only_year"))
        return f"{year}-01-01", f"{year}-12-31"
    unit, which = match.group("unit").lower(), match.group("last").lower()
    if which == "this":
        start = {
            "week": today - timedelta(days=today.weekday()),
            "month": today.replace(day=1),
            "year": today.replace(month=1, day=1),
        }[unit]
        return start.isoformat(), today.isoformat()
    days = {"week": 7, "month": 31, "year": 366}[unit]
    return (today - timedelta(days=days)).isoformat(), today.isoformat()


def _canonical(outlet: str, known: list[str]) -> str:
    return next((o for o in known if fold(o).lower() == fold(outlet).lower()), outlet)


def as_of(published: str, outlet: str, today: date | None = None) -> str:
    """ "As of 5 April 2024, Harbour Gazette reports:" and, when that is over a month before
    today, a first sentence saying the newest article is old."""
    today = today or date.today()
    if not published:
        return "The articles on this give no date, so none can be called the latest."
    who = outlet or "the newest article"
    lead = f"As of {human(published)}, {who} reports:"
    age = (today - date.fromisoformat(published)).days
    if age > 31:
        lead = f"The newest article on this is from {human(published)}, {age} days ago. {lead}"
    return lead


def newest_first(passages: list[Passage]) -> list[Passage]:
    """For "What's the latest on X?": the passages of the newest dated article among those
    about as close to the question as the closest one; all of them when none is dated."""
    best = max(p.dense for p in passages)
    close = [p for p in passages if p.dense >= best - CLOSE and p.document.published]
    if not close:
        return passages
    newest = max(p.document.published for p in close)
    return [p for p in passages if p.document.published == newest] or passages


def led_by(answer: Answer, lead: str) -> Answer:
    """The answer opened by `lead` ("As of 5 April 2024, ... reports:"), unless it abstains."""
    if not lead or answer.abstained:
        return answer
    return replace(
        answer,
        text=f"{lead} {answer.text}",
        sentences=[AnswerSentence(lead, []), *answer.sentences],
    )
