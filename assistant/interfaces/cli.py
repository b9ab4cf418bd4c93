"""The `assistant` command: a thin shell over the `Assistant` API."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from pydantic import ValidationError

from ..answer import Answer
from ..conversation import History
from ..errors import AssistantError
from ..service import Assistant
from .render import byline


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="assistant", description="Ask questions about news articles; answers cite the text."
    )
    parser.add_argument(
        "--index", metavar="DIR", help="index folder (default: ASSISTANT_INDEX_DIR)"
    )
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser(
        "ingest",
        help="add or update articles: .txt, .md, .html files or folders, feeds, http(s) URLs",
    )
    p.add_argument("paths", nargs="+", metavar="PATH_OR_URL")

    p = sub.add_parser("ask", help="answer one question")
    p.add_argument("question")
    p.add_argument(
        "--history",
        action="append",
        default=[],
        metavar="Q",
        help="an earlier question of the same chat (repeat, oldest first)",
    )
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--since", metavar="DATE", help="only articles published on or after DATE")
    p.add_argument("--until", metavar="DATE", help="only articles published on or before DATE")
    p.add_argument("--outlet", help="only articles from this outlet (e.g. Reuters)")
    p.add_argument("--author", help="only articles by this author")

    sub.add_parser("chat", help="chat in the terminal")

    p = sub.add_parser("serve", help="start the web chat")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=7860)

    p = sub.add_parser("documents", help="list the indexed articles")
    p.add_argument(
        "--history", action="store_true", help="also each article's earlier, replaced versions"
    )

    p = sub.add_parser("eval", help="score the answers on a gold question file (.jsonl)")
    p.add_argument("file", metavar="FILE.jsonl")
    p.add_argument("--json", action="store_true", help="print the scores as one JSON object")
    p = sub.add_parser(
        "doctor", help="check the index (Chroma and BM25 agree, no half-ingested document); repair"
    )
    p.add_argument("--check", action="store_true", help="only report; change nothing")
    p.add_argument("--json", action="store_true", help="print the report as one JSON object")
    for name in ("ingest", "ask", "chat", "serve", "documents", "eval", "doctor"):
        sub.choices[name].add_argument(
            "--index", metavar="DIR", default=argparse.SUPPRESS, help="index folder"
        )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return _run(args)
    except AssistantError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except ValidationError as exc:
        print(f"error: {settings_problem(exc)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0


def settings_problem(exc: ValidationError) -> str:
    """One line naming the bad setting's variable and what it must be."""
    first = exc.errors()[0]
    name = str(first["loc"][0]) if first["loc"] else "?"
    variable = f"ASSISTANT_{name.upper()}"
    return f"bad setting {variable}={first.get('input')!r}: {first['msg']}; fix it or unset it."


def _open(args: argparse.Namespace) -> Assistant:
    return Assistant.open(Path(args.index) if args.index else None)


def _run(args: argparse.Namespace) -> int:
    if args.command == "doctor":
        return _doctor(args)
    if args.command == "serve":
        from .web import serve

        serve(_open(args), host=args.host, port=args.port)
        return 0
    assistant = _open(args)
    if args.command == "ingest":
        # A bar on a terminal only: logs and pipes get the file-by-file lines below.
        report = assistant.ingest(args.paths, progress=_ingest_bar if _tty() else None)
        for path in report.added:
            print(f"added      {path}")
        for path in report.updated:
            print(f"updated    {path}")
        for path in report.unchanged:
            print(f"unchanged  {path}")
        for path, twin in report.duplicates:
            print(f"duplicate  {path} (same text as {twin}; not indexed twice)")
        for path, reason in report.failed:
            print(f"failed     {path}: {reason}", file=sys.stderr)
        print(report.summary())
        return 0 if report.ok else 1
    if args.command == "ask":
        limits = {k: getattr(args, k) for k in ("since", "until", "outlet", "author")}
        if args.json:
            answer = assistant.ask(args.question, history=args.history, **limits)
            print(json.dumps(answer.to_dict(), ensure_ascii=False))
        else:
            print_streamed(assistant, args.question, args.history, **limits)
        return 0
    if args.command == "documents":
        for doc in assistant.documents():
            line = byline(doc.outlet, doc.published, doc.author)
            print(f"{doc.title}" + (f"\n    {line}" if line else "") + f"\n    {doc.source}")
            for earlier in assistant.history(doc.source) if args.history else []:
                print(
                    f"    earlier version {earlier.version}, replaced {earlier.replaced_at}: "
                    f"“{earlier.title}”, {len(earlier.text.split())} words"
                )
        return 0
    if args.command == "chat":
        return _chat(assistant)
    if args.command == "eval":
        return _eval(assistant, args.file, args.json)
    raise AssertionError(args.command)


def print_streamed(
    assistant: Assistant, question: str, history: History, **limits: str | None
) -> Answer:
    """Print the answer as it is written, then its checks and sources; return it."""
    shown: list[str] = []
    answer: Answer | None = None
    for piece in assistant.stream(question, history=history, **limits):
        if isinstance(piece, Answer):
            answer = piece
        else:
            shown.append(piece)
            print(piece, end="", flush=True)
    assert answer is not None
    print()
    if "".join(shown).strip() != answer.text.strip():
        # Citations re-attached or a fallback took over after streaming: show the final text.
        print(f"Final answer: {answer.text}")
    details = format_answer(answer).split("\n", 1)
    if len(details) > 1:
        print(details[1])
    return answer


_QUOTE_MARKS = "“\"‘'«„"


def format_answer(answer: Answer) -> str:
    lines = [answer.text]
    unsupported = [s.text for s in answer.sentences if not s.supported]
    for text in unsupported:
        lines.append(f"  (not supported by the cited passages: {text})")
    if answer.note:
        lines.append(f"  ({answer.note})")
    for c in answer.citations:
        # The exact span, in quotation marks unless it brings its own.
        shown = c.quote if c.quote[:1] in _QUOTE_MARKS else f"“{c.quote}”"
        line = byline(c.outlet, c.published, c.author)
        also = f" · also in: {', '.join(c.also_in)}" if c.also_in else ""
        about = (f"{c.title} · {line}" if line else c.title) + also
        lines.append(f"[{c.n}] {shown}\n    {about} ({c.source}, chars {c.start}-{c.end})")
        if c.dates:
            lines.append(f"    dates: {'; '.join(c.dates)}")
    return "\n".join(lines)


def _doctor(args: argparse.Namespace) -> int:
    """Check (and unless --check, repair) the index; exit 0 when healthy or repaired."""
    from ..index.doctor import doctor
    from ..settings import Settings

    settings = Settings()
    if args.index:
        settings = settings.model_copy(update={"index_dir": Path(args.index)})
    report = doctor(settings, repair=not args.check)
    if args.json:
        print(json.dumps(report.to_dict(), ensure_ascii=False))
    else:
        print("\n".join(report.lines()))
    return 0 if report.healthy or report.repaired else 1


def _bar(done: int, total: int, label: str = "") -> None:
    """A one-line progress bar on stderr."""
    bar = "#" * (25 * done // total) + "." * (25 - 25 * done // total)
    end = "\n" if done == total else ""
    print(f"\r[{bar}] {done}/{total} {label}\033[K", end=end, file=sys.stderr, flush=True)


def _ingest_bar(done: int, total: int, path: str) -> None:
    _bar(done, total, "" if done == total else Path(path).name[:40])


def _tty() -> bool:
    return sys.stderr.isatty()


def _eval(assistant: Assistant, file: str, as_json: bool) -> int:
    from .evaluate import evaluate, format_report, load_gold

    cases = load_gold(file)

    report = evaluate(assistant, cases, file=file, progress=_bar)
    if as_json:
        print(json.dumps(report.to_dict(), ensure_ascii=False))
    else:
        print(format_report(report))
    return 0


def _chat(assistant: Assistant) -> int:
    # (question, answer): the person a follow-up's "he" stands for may be named only in the
    # answer before it ("Who warned about Russia's reaction?").
    history: list[tuple[str, str]] = []
    print(f"Ask about the articles ({assistant.backend}). Empty line or Ctrl-D to quit.")
    while True:
        try:
            question = input("> ")
        except EOFError:
            print()
            return 0
        if not question.strip():
            return 0
        try:
            answer = print_streamed(assistant, question, history)
        except AssistantError as exc:
            print(f"error: {exc}")
            continue
        history.append((question, answer.text))


if __name__ == "__main__":
    sys.exit(main())
