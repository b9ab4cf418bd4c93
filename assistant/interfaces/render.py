"""HTML for the web chat: answers, their sources and the article list. Pure functions.

Everything that comes from an article or a user goes through `escape`, which makes it inert as
HTML *and* as Markdown (the chat renders Markdown), so `<script>`, `<img onerror=...>`,
`[text](javascript:...)` or `**` in an article show as the characters they are.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from ..answer import Answer, AnswerSentence
from ..index import StoredDocument
from ..ingest import IngestReport
from ..ingest.dates import human
from ..ingest.fetch import is_url
from ..types import Citation

# Characters HTML, Markdown, the chat's LaTeX or autolinking could read as syntax, as decimal
# entities (the chat's Markdown renderer shows hex ones like &#x27; literally).
_ENTITIES = {c: f"&#{ord(c)};" for c in "&<>\"'\\`*_{}[]()#+-.!|~$:="}
_SPECIAL = re.compile("[" + re.escape("".join(_ENTITIES)) + "]")
_MARKER = re.compile(r"&#91;(\d+)&#93;")
# How much of a long paragraph to show on each side of the cited words.
CONTEXT_CHARS = 320


def escape(text: str) -> str:
    """`text` as HTML that displays exactly `text`, whether or not Markdown runs over it.

    Line breaks become `<br>`: a blank line would end the chat's HTML block and hand the rest
    of a message to Markdown."""
    escaped = _SPECIAL.sub(lambda m: _ENTITIES[m.group(0)], text)
    return escaped.replace("\r\n", "\n").replace("\n", "<br>")


def _markers(escaped: str) -> str:
    """Style the citation markers [n] of an escaped answer; the text stays `[n]`."""
    return _MARKER.sub(r'<span class="na-ref">&#91;\1&#93;</span>', escaped)


def backend_label(backend: str) -> str:
    """`extractive`, or `provider:model` for a language model."""
    if backend == "extractive":
        return "offline extractive (answers quote the articles; no model)"
    provider, _, model = backend.partition(":")
    return f"language model {model} ({provider})" if model else f"language model {backend}"


def backend_html(backend: str) -> str:
    return f'<div class="na-backend">Answering with: <b>{escape(backend_label(backend))}</b></div>'


def question_html(question: str) -> str:
    return f'<div class="na-question">{escape(question)}</div>'


def partial_html(text: str) -> str:
    """An answer while it streams in."""
    return f'<div class="na-answer na-streaming">{_markers(escape(text))}▌</div>'


def error_html(message: str) -> str:
    return f'<div class="na-error">⚠ {escape(message)}</div>'


def answer_text_html(answer: Answer) -> str:
    """The answer text, escaped, with unsupported sentences marked where they occur."""
    unsupported = [s for s in answer.sentences if not s.supported]
    if not unsupported:
        return _markers(escape(answer.text))
    parts: list[str] = []
    cursor = 0
    for sentence in unsupported:
        at = answer.text.find(sentence.text, cursor)
        if at < 0:
            continue
        parts.append(_markers(escape(answer.text[cursor:at])))
        parts.append(_unsupported(sentence))
        cursor = at + len(sentence.text)
    parts.append(_markers(escape(answer.text[cursor:])))
    return "".join(parts)


def _unsupported(sentence: AnswerSentence) -> str:
    return (
        '<span class="na-unsupported" title="Not supported by the cited passages">'
        f"{_markers(escape(sentence.text))}"
        '<span class="na-flag"> ⚠ not supported by the articles</span></span>'
    )


def answer_html(answer: Answer) -> str:
    """One chat reply: the answer, any note, and its sources under it."""
    classes = "na-answer na-abstained" if answer.abstained else "na-answer"
    parts = [f'<div class="{classes}">', f'<div class="na-text">{answer_text_html(answer)}</div>']
    if answer.note:
        parts.append(f'<div class="na-note">{escape(answer.note)}</div>')
    if answer.citations:
        parts.append(sources_html(answer.citations))
    parts.append("</div>")
    return "".join(parts)


def sources_html(citations: Sequence[Citation]) -> str:
    items = "".join(citation_html(c) for c in citations)
    return f'<div class="na-sources"><div class="na-sources-title">Sources</div>{items}</div>'


def byline(outlet: str, published: str, author: str) -> str:
    """ "BBC News · 10 April 2020 · by Jane Doe": what the article's metadata gives of these."""
    parts = [outlet, human(published), f"by {author}" if author else ""]
    return " · ".join(p for p in parts if p)


def citation_html(c: Citation) -> str:
    """Title, outlet, date and author, and the cited words highlighted in their paragraph."""
    line = byline(c.outlet, c.published, c.author)
    if c.also_in:
        line = " · ".join(p for p in (line, "also in: " + ", ".join(c.also_in)) if p)
    author = f' <span class="na-author">{escape(line)}</span>' if line else ""
    before, quote, after = split_context(c)
    return (
        f'<div class="na-citation" data-n="{c.n}">'
        f'<div class="na-cite-head"><span class="na-ref">&#91;{c.n}&#93;</span> '
        f'<span class="na-title">{escape(c.title)}</span>{author}</div>'
        f'<div class="na-context">{escape(before)}<mark class="na-highlight">{escape(quote)}'
        f"</mark>{escape(after)}</div>"
        + (f'<div class="na-dates">{escape("; ".join(c.dates))}</div>' if c.dates else "")
        + f'<div class="na-where">{escape(_file_name(c.source))}, characters {c.start}–{c.end}'
        "</div></div>"
    )


def split_context(c: Citation, limit: int = CONTEXT_CHARS) -> tuple[str, str, str]:
    """(text before, cited words, text after) within the citation's paragraph."""
    lo, hi = c.start - c.context_start, c.end - c.context_start
    if not c.context or lo < 0 or hi > len(c.context) or c.context[lo:hi] != c.quote:
        return "", c.quote, ""
    before, after = c.context[:lo], c.context[hi:]
    if len(before) > limit:
        cut = before.find(" ", len(before) - limit)
        before = "…" + before[cut + 1 if cut >= 0 else len(before) - limit :]
    if len(after) > limit:
        cut = after.rfind(" ", 0, limit)
        after = after[: cut if cut > 0 else limit] + "…"
    return before, c.quote, after


def documents_html(documents: Iterable[StoredDocument]) -> str:
    rows = [
        f'<li class="na-doc"><span class="na-title">{escape(d.title)}</span>'
        + (
            f' <span class="na-author">{escape(line)}</span>'
            if (line := byline(d.outlet, d.published, d.author))
            else ""
        )
        + f'<div class="na-where">{escape(_file_name(d.source))}</div></li>'
        for d in documents
    ]
    if not rows:
        return '<div class="na-docs na-empty">No articles yet: upload some below.</div>'
    count = f'<div class="na-count">{len(rows)} indexed</div>'
    return f'<div class="na-docs">{count}<ul>{"".join(rows)}</ul></div>'


def ingest_html(report: IngestReport, refused: Sequence[tuple[str, str]] = ()) -> str:
    """What an upload did, file by file; `refused` are files the UI turned away itself."""
    lines = [
        *(("na-ok", f"added {_file_name(p)}") for p in report.added),
        *(("na-ok", f"updated {_file_name(p)}") for p in report.updated),
        *(("na-ok", f"already indexed: {_file_name(p)}") for p in report.unchanged),
        *(
            ("na-ok", f"already indexed as {_file_name(t)}: {_file_name(p)}")
            for p, t in report.duplicates
        ),
        *(("na-error", f"{_file_name(p)}: {why}") for p, why in [*refused, *report.failed]),
    ]
    if not lines:
        return '<div class="na-status">No files were uploaded.</div>'
    items = "".join(f'<li class="{cls}">{escape(text)}</li>' for cls, text in lines)
    return f'<ul class="na-status">{items}</ul>'


def _file_name(source: str) -> str:
    if is_url(source):
        return source
    return source.replace("\\", "/").rsplit("/", 1)[-1]


CSS = """
.na-backend { font-size: 0.95em; opacity: 0.85; }
.na-answer .na-text { line-height: 1.5; }
.na-ref { font-weight: 600; color: #2255aa; white-space: nowrap; }
.na-abstained .na-text { font-style: italic; }
.na-note { margin-top: 0.4em; font-size: 0.9em; opacity: 0.8; }
.na-unsupported { background: #fde2e2; text-decoration: underline wavy #c0392b; }
.na-flag { color: #c0392b; font-size: 0.85em; font-weight: 600; }
.na-sources { margin-top: 0.8em; border-top: 1px solid #ccc; padding-top: 0.5em; }
.na-sources-title { font-weight: 600; font-size: 0.9em; text-transform: uppercase; opacity: 0.7; }
.na-citation { margin: 0.5em 0; }
.na-cite-head { font-size: 0.95em; }
.na-title { font-weight: 600; }
.na-author { font-style: italic; opacity: 0.85; }
.na-context { margin: 0.3em 0 0.1em 0; padding: 0.4em 0.6em; border-left: 3px solid #e0b000;
  background: rgba(127, 127, 127, 0.08); font-size: 0.92em; line-height: 1.45; }
mark.na-highlight { background: #ffe066; color: #111; padding: 0 1px; }
.na-where { font-size: 0.8em; opacity: 0.65; }
.na-error { color: #b00020; font-weight: 600; }
.na-docs ul { padding-left: 1.1em; margin: 0.3em 0; }
.na-doc { margin-bottom: 0.4em; }
.na-count { font-size: 0.85em; opacity: 0.7; }
.na-status { padding-left: 1.1em; }
.na-status .na-ok { color: #1e7b34; }
"""
