"""Citation markers in a model's answer, rewritten while it streams.

Models cite in many ways: [1], [1, 2], [1][2], 【1】, 【1†source】, [Source 1], [sources 1-3].
`MarkerStream` turns each marker into `[n]` markers numbered in order of first use (the numbers
of the final citation list) and drops markers that point at no source, holding back only the
few characters of a marker that is still open.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from ..text.sentences import ABBREVIATIONS

_OPEN = {"[": "]", "【": "】", "［": "］"}  # full-width brackets, as models write them
_LONGEST = 40  # an "opened marker" longer than this is ordinary text
_ITEM = (
    r"(?:(?:sources?|src|refs?|references?|passages?|docs?|documents?|citations?)\s*)?"
    r"[#^]?\s*\d{1,3}"
)
_BODY = re.compile(
    rf"^\s*{_ITEM}(?:\s*(?:,|;|and|&|-|–|—|to)\s*{_ITEM})*\s*$",
    re.IGNORECASE,
)
_NUMBER_OR_RANGE = re.compile(
    r"(\d{1,3})(?:\s*(?:-|–|—|to)\s*(?:[a-z]+\s*)?(\d{1,3}))?", re.IGNORECASE
)
_PUNCT_AFTER = set(".,;:!?)…")
_CANONICAL = re.compile(r"\[(\d+)\]")


def marker_numbers(body: str) -> list[int] | None:
    """The source numbers a marker's inside names, or None when it is not a citation marker."""
    body = body.split("†", 1)[0]  # 【3†source】
    if not _BODY.match(body):
        return None
    numbers: list[int] = []
    for m in _NUMBER_OR_RANGE.finditer(body):
        first = int(m.group(1))
        last = int(m.group(2)) if m.group(2) else first
        if last < first or last - first > 10:
            last = first
        for n in range(first, last + 1):
            if n not in numbers:
                numbers.append(n)
    return numbers


class MarkerStream:
    """Feed it the model's text piece by piece; it returns the text to show, markers rewritten.

    `cite(k)` is called for source k (1-based) the first time a marker names it and returns the
    citation numbers to print for it (a quote's, then its speaker's). `text` is everything
    returned so far.
    """

    def __init__(self, sources: int, cite: Callable[[int], list[int]]) -> None:
        self.sources = sources
        self._cite = cite
        self._numbers: dict[int, list[int]] = {}
        self._buffer = ""  # an opened marker not yet closed
        self._pending_space = ""  # whitespace held back in case a dropped marker follows
        self._after_drop = False
        self.dropped: list[str] = []  # markers that pointed at no source
        self.text = ""

    @property
    def used(self) -> dict[int, list[int]]:
        """Source number -> its citation numbers (a quote's, then its speaker's), in order of
        first use."""
        return {k: list(numbers) for k, numbers in self._numbers.items()}

    def feed(self, chunk: str) -> str:
        out: list[str] = []
        for ch in chunk:
            if self._buffer:
                self._buffer += ch
                closer = _OPEN[self._buffer[0]]
                if ch == closer:
                    out.append(self._close_marker())
                elif ch == "\n" or len(self._buffer) > _LONGEST or ch in _OPEN:
                    literal, self._buffer = self._buffer[:-1], ""
                    out.append(self._emit(literal))
                    out.append(self.feed(ch))
            elif ch in _OPEN:
                self._buffer = ch
            else:
                out.append(self._emit(ch))
        return "".join(out)

    def finish(self) -> str:
        """The rest of the text, once the model has finished."""
        literal, self._buffer = self._buffer, ""
        out = self._emit(literal) if literal else ""
        self._pending_space = ""
        return out

    def _close_marker(self) -> str:
        marker, self._buffer = self._buffer, ""
        numbers = marker_numbers(marker[1:-1])
        if numbers is None:
            return self._emit(marker)
        printed = []
        for k in numbers:
            if not 1 <= k <= self.sources:
                continue
            if k not in self._numbers:
                self._numbers[k] = self._cite(k)
            printed += [n for n in self._numbers[k] if n not in printed]
        if not printed:
            self.dropped.append(marker)
            self._after_drop = True
            return ""
        return self._emit("".join(f"[{n}]" for n in printed))

    def _emit(self, text: str) -> str:
        if not text:
            return ""
        if self._after_drop:
            self._after_drop = False
            if text[0].isspace() or text[0] in _PUNCT_AFTER:
                self._pending_space = ""
        body = text.rstrip()
        if not body:  # only whitespace: hold it
            self._pending_space += text
            return ""
        lead = self._pending_space if self.text else ""
        if not self.text:
            body = body.lstrip()
        out = lead + body
        self._pending_space = text[len(text.rstrip()) :]
        self.text += out
        return out


@dataclass(frozen=True)
class SentenceSpan:
    """One sentence of an answer: `text[start:end]`, with the citation numbers it carries."""

    start: int
    end: int
    citations: list[int]


_END = re.compile(r"[.!?…]+[\"”’')\]]*(?:\s*\[\d+\])*")


def split_sentences(text: str) -> list[SentenceSpan]:
    """Sentences of an answer whose markers are `[n]`; a marker after the full stop stays with
    the sentence before it."""
    spans: list[SentenceSpan] = []
    start = 0
    for line_match in re.finditer(r"[^\n]+", text):
        line_start, line = line_match.start(), line_match.group(0)
        start = line_start
        for m in _END.finditer(line):
            end = m.end()
            rest = line[end:]
            if rest and not rest[0].isspace():
                continue
            following = rest.lstrip()
            if following and following[0].islower():
                continue
            before = re.search(r"([\w.]*)[.!?…]$", line[: m.start() + 1])
            word = before.group(1).lower() if before else ""
            if m.group(0).startswith(".") and (
                word in ABBREVIATIONS or (len(word) == 1 and word.isalpha())
            ):
                continue
            _add(spans, text, start, line_start + end)
            start = line_start + end
        _add(spans, text, start, line_start + len(line))
    return spans


def _add(spans: list[SentenceSpan], text: str, start: int, end: int) -> None:
    piece = text[start:end]
    stripped = piece.strip()
    if not stripped or not re.search(r"\w", _CANONICAL.sub("", stripped)):
        # a marker alone on its line or after the full stop: give it to the sentence before
        if spans and _CANONICAL.search(stripped):
            last = spans[-1]
            more = [int(n) for n in _CANONICAL.findall(stripped) if int(n) not in last.citations]
            trail = len(piece) - len(piece.rstrip())
            spans[-1] = SentenceSpan(last.start, end - trail, last.citations + more)
        return
    lead = len(piece) - len(piece.lstrip())
    trail = len(piece) - len(piece.rstrip())
    numbers: list[int] = []
    for n in _CANONICAL.findall(stripped):
        if int(n) not in numbers:
            numbers.append(int(n))
    spans.append(SentenceSpan(start + lead, end - trail, numbers))


def strip_markers(text: str) -> str:
    """The sentence without its `[n]` markers."""
    return re.sub(r"\s+([.,;:!?])", r"\1", _CANONICAL.sub("", text)).strip()
