"""Hostile and broken input, on the API and the CLI: every case gets a clear error or a correct
answer, never a traceback; a failed ingest leaves the index as it was; nothing in an article is
executed, and markup from it stays text in answers and citations.

Property-based (hypothesis) with modest example counts, so the suite stays fast.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from assistant import Answer, Assistant, AssistantError
from assistant.ingest import clean_article
from assistant.interfaces.cli import main
from assistant.interfaces.render import answer_html
from assistant.interfaces.uploads import upload_name
from assistant.text.sentences import split_sentences

from ..conftest import ARTICLES, BUNDLED, ROOT, offline_settings
from ..helpers import run_cli, snapshot

SOME = settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
FEW = settings(SOME, max_examples=8)

RTL = "\u05d0\u05d1\u05d2 \u0645\u0646 \u062d\u0630\u0631 \u202e\u202b\u200f\u061c"
# Direction marks, zero-width and odd spaces around a real question.
PADDING = "\u200f\u202b\u202e\u202c\u061c\u200b\u00a0\t \u3000"
CONTROL = "".join(chr(c) for c in [*range(0, 32), 127, *range(0x80, 0xA0)])
questions = st.one_of(
    st.text(max_size=200),
    st.text(alphabet=st.sampled_from(CONTROL + RTL + " ?"), max_size=80),
    st.builds(
        lambda a, b: f"{a} Who warned about Russia's reaction? {b}",
        st.text(alphabet=st.sampled_from(PADDING), max_size=6),
        st.text(alphabet=st.sampled_from(PADDING + "?!"), max_size=6),
    ),
)


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Assistant:
    """An index of its own (holding the bundled article) that these tests may add to."""
    index = tmp_path_factory.mktemp("hostile-index")
    assistant = Assistant.open(settings=offline_settings(index))
    assert assistant.ingest(ARTICLES).ok
    return assistant


def check_answer(assistant: Assistant, answer: Answer) -> None:
    """Citations point at exactly the characters they quote; markup from them stays text."""
    assert answer.abstained == (answer.citations == [])
    for c in answer.citations:
        assert assistant.document(c.source).text[c.start : c.end] == c.quote
    html = answer_html(answer)
    for raw in ("<script", "<img", "<iframe", "<svg", " onerror=", " onclick=", "javascript:"):
        assert raw not in html.lower()


# ---------------------------------------------------------------------- questions
@SOME
@given(question=questions)
def test_any_question_gets_an_answer_or_a_clear_error(hostile: Assistant, question: str) -> None:
    try:
        answer = hostile.ask(question)
    except AssistantError as exc:
        printable = re.sub(r"[\x00-\x1f\x7f-\x9f]", "", question)
        assert not printable.strip() and "empty" in str(exc)
        return
    check_answer(hostile, answer)
    if question.strip(PADDING) == "Who warned about Russia's reaction?":
        assert "James Hackett" in answer.text, answer.text


def test_repeated_question_marks_do_not_change_the_answer(hostile: Assistant) -> None:
    assert "James Hackett" in hostile.ask("Who warned about Russia's reaction?????").text


def test_terminal_escapes_in_a_question_are_not_echoed(hostile: Assistant) -> None:
    answer = hostile.ask("\x1b[31mWho will win the\x07 next football match?\x1b[0m")
    assert answer.abstained
    assert "\x1b" not in answer.text and "\x07" not in answer.text
    assert "Who will win the next football match?" in answer.text
    named = hostile.ask("\x1b[31mWho will win the\x07 next football World Cup?\x1b[0m")
    assert named.text == "The articles don't say: they don't mention “World Cup”.", named.text


def test_a_one_megabyte_question_is_refused_clearly(hostile: Assistant) -> None:
    with pytest.raises(AssistantError, match=r"1,048,576 characters long; the limit is 4,000"):
        hostile.ask("Who warned about Russia? " * 41943 + "x" * 1)
    with pytest.raises(AssistantError, match="limit is 4,000"):
        list(hostile.stream("é" * 1_048_576))


def test_a_question_that_is_not_valid_unicode_is_a_clear_error(hostile: Assistant) -> None:
    with pytest.raises(AssistantError):
        hostile.ask("\ud800 Who warned about Russia's reaction?")


@FEW
@given(question=questions)
def test_cli_ask_never_prints_a_traceback(hostile: Assistant, question: str) -> None:
    assume("\x00" not in question)  # argv cannot hold NUL
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["--index", str(hostile.settings.index_dir), "ask", "--json", question])
    if code == 2:
        assert err.getvalue().startswith("error: ") and err.getvalue().count("\n") == 1
    else:
        assert code == 0 and '"citations"' in out.getvalue(), err.getvalue()


def test_cli_hostile_questions_in_a_real_process(hostile: Assistant, tmp_path: Path) -> None:
    index = hostile.settings.index_dir
    marker = tmp_path / "PWNED"
    question = f"$(touch {marker}); `touch {marker}` | rm -rf / ; <script>alert(1)</script>"
    result = run_cli("ask", question, index=index)
    assert result.returncode == 0 and "Traceback" not in result.stderr
    assert "The articles don't say" in result.stdout
    big = run_cli("ask", "q" * 100_000, index=index)  # argv holds at most 128 kB per argument
    assert big.returncode == 2 and big.stderr.startswith("error: the question is 100,000")
    # A one-megabyte line typed into the chat is refused, and the chat goes on.
    chat = run_cli(
        "chat", index=index, stdin="w" * 1_048_576 + "\nWho warned about Russia's reaction?\n\n"
    )
    assert chat.returncode == 0 and "Traceback" not in chat.stdout + chat.stderr
    assert "error: the question is 1,048,576 characters long" in chat.stdout
    assert "James Hackett" in chat.stdout
    assert not marker.exists()


# ---------------------------------------------------------------------- files
@SOME
@given(data=st.binary(min_size=1, max_size=4000), suffix=st.sampled_from([".txt", ".md", ".html"]))
def test_binary_renamed_as_text_fails_alone_or_reads_as_text(
    hostile: Assistant, tmp_path_factory: pytest.TempPathFactory, data: bytes, suffix: str
) -> None:
    path = tmp_path_factory.mktemp("bin") / f"file{suffix}"
    path.write_bytes(data)
    before = snapshot(hostile)
    report = hostile.ingest(path)
    if report.failed:
        assert report.failed[0][0] == str(path) and report.failed[0][1]
        assert snapshot(hostile) == before
        return
    if report.duplicates:  # the same bytes came up in an earlier example
        assert snapshot(hostile) == before
        return
    doc = hostile.document(path)
    assert doc.text.strip() and all(ch.isprintable() or ch in "\n\t" for ch in doc.text)


def test_png_renamed_txt_is_refused_and_changes_nothing(hostile: Assistant, tmp_path: Path) -> None:
    path = tmp_path / "photo.txt"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + os.urandom(3000))
    before = snapshot(hostile)
    report = hostile.ingest(path)
    assert "not a text file" in report.failed[0][1]
    assert snapshot(hostile) == before


PAYLOADS = [
    "<script>document.title='PWNED'</script>",
    "<img src=x onerror=\"alert('PWNED')\">",
    "<a href=\"javascript:alert('PWNED')\">click here</a>",
    '<div onclick="steal()" onmouseover="steal()">hover</div>',
    "<iframe src=\"javascript:alert('PWNED')\"></iframe>",
    "<svg onload=alert('PWNED')><circle/></svg>",
    "<style>body{background:url(javascript:alert('PWNED'))}</style>",
    "<!-- <script>alert('PWNED')</script> -->",
    "<object data=\"javascript:alert('PWNED')\"></object>",
    "<form action=\"javascript:alert('PWNED')\"><input value=PWNED></form>",
    "<noscript><p>PWNED</p></noscript>",
    "<template><p>PWNED</p></template>",
]


@settings(SOME, max_examples=10)
@given(
    payloads=st.lists(st.sampled_from(PAYLOADS), min_size=1, max_size=6),
    depth=st.integers(min_value=0, max_value=2000),
)
def test_html_with_scripts_handlers_and_links_keeps_only_its_text(
    hostile: Assistant, tmp_path_factory: pytest.TempPathFactory, payloads: list[str], depth: int
) -> None:
    body = "".join(payloads)
    page = (
        "<html><head><title>Quill council</title><script>alert('PWNED')</script></head><body>"
        + "<div>" * depth
        + f"<p>The Zorbian council met in Quill on Tuesday to vote on the dam.</p>{body}"
        + "<p>Mayor Ottilie Brandt opened the meeting at nine o'clock.</p>"
        + "</div>" * depth
        + "</body></html>"
    )
    path = tmp_path_factory.mktemp("html") / "page.html"
    # A line of its own per page, or a page seen before is "unchanged" under another name.
    path.write_text(page.replace("</body>", f"<p>Filed as {path.parent.name}.</p></body>"))
    report = hostile.ingest(path)
    assert report.ok, report.failed
    doc = hostile.document(path)
    assert "PWNED" not in doc.text and "javascript" not in doc.text
    assert "onerror" not in doc.text and "onclick" not in doc.text and "<" not in doc.text
    assert "The Zorbian council met in Quill on Tuesday" in doc.text
    # (Every example adds a near-twin page, so which one is cited is not asserted here.)
    check_answer(hostile, hostile.ask("Who opened the meeting of the Zorbian council?"))


def test_markup_inside_a_text_article_stays_text_in_answers(
    hostile: Assistant, tmp_path: Path
) -> None:
    path = tmp_path / "markup.txt"
    path.write_text(
        "Festival report\nThe Varn festival <script>alert(1)</script> drew 12,000 visitors.\n"
        'Organiser Piet Dahl said the <img src=x onerror="alert(2)"> stage was rebuilt.\n'
        "Tickets were sold at [the site](javascript:alert(3)) and at the gate.\n"
    )
    assert hostile.ingest(path).ok
    doc = hostile.document(path)
    assert "<script>alert(1)</script>" in doc.text  # a .txt article is text, kept as written
    answer = hostile.ask("How many visitors did the Varn festival draw?")
    assert "12,000" in answer.text
    assert any("<script>" in c.quote for c in answer.citations)
    check_answer(hostile, answer)
    html = answer_html(answer)
    assert "&#60;script&#62;alert" in html


@SOME
@given(text=st.text(min_size=1, max_size=2000), kind=st.sampled_from([".txt", ".md", ".html"]))
def test_random_text_cleans_and_splits_with_exact_offsets(text: str, kind: str) -> None:
    try:
        article = clean_article(text, source="x", kind=kind)
    except AssistantError as exc:
        assert "no article" in str(exc)
        return
    assert "\r" not in article.text and "\x00" not in article.text
    for s in split_sentences(article.text):
        chunk = article.text[s.start : s.end]
        assert chunk and chunk == chunk.strip() and "\n" not in chunk
        if s.speaker_start >= 0:
            assert 0 <= s.speaker_start < s.speaker_end <= len(article.text)


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("many-sentences", "Abc def. " * 100_000),
        ("dots", "." * 1_000_000 + " The end."),
        ("no-break", "word " * 200_000),
        ("brackets.md", "[" * 1_000_000 + " text"),
        ("links.md", "[a](" * 250_000 + " text"),
        ("quote", "He said: “" + "word " * 200_000),
    ],
)
def test_enormous_single_lines_clean_and_split(name: str, text: str) -> None:
    # Once quadratic (minutes per case); how long it takes is for bench/, not an assertion.
    article = clean_article(text, source=name, kind=".md" if name.endswith(".md") else ".txt")
    sentences = split_sentences(article.text)
    assert sentences and all(article.text[s.start : s.end].strip() for s in sentences)


def test_enormous_single_line_file_is_ingested_and_answered(
    hostile: Assistant, tmp_path: Path
) -> None:
    path = tmp_path / "one-line.txt"
    filler = "lorem ipsum dolor sit amet " * 40_000  # ~1 MB without a sentence break
    path.write_text(f"The Brisk lighthouse was painted red by Jonas Weber. {filler}")
    assert hostile.ingest(path).ok
    answer = hostile.ask("Who painted the Brisk lighthouse red?")
    assert "Jonas Weber" in answer.text
    check_answer(hostile, answer)


# ---------------------------------------------------------------------- file names
NAMES = [
    "$(touch PWNED).txt",
    "`touch PWNED`.txt",
    "a; touch PWNED #.txt",
    "a | touch PWNED & b.txt",
    'it\'s "quoted" & <tagged>.txt',
    "-rf.txt",
    "--index=evil.txt",
    "new\nline.txt",
    "ünïcödé \u202egnp.txt",
]


def test_file_names_with_shell_metacharacters_are_only_names(
    hostile: Assistant, tmp_path: Path
) -> None:
    folder = tmp_path / "names"
    folder.mkdir()
    for i, name in enumerate(NAMES):
        (folder / name).write_text(f"Note {i}\nThe note number {i} was filed by clerk Ida Moss.\n")
    report = hostile.ingest(folder)
    assert report.ok and len(report.added) == len(NAMES)
    assert sorted(Path(p).name for p in report.added) == sorted(NAMES)
    result = run_cli("ingest", *(str(folder / n) for n in NAMES), index=hostile.settings.index_dir)
    assert result.returncode == 0, result.stderr
    assert f"0 added, 0 updated, {len(NAMES)} unchanged, 0 failed" in result.stdout
    for place in (tmp_path, folder, ROOT, Path.cwd()):
        assert not (place / "PWNED").exists()


def test_dotdot_paths_name_the_file_they_reach(hostile: Assistant, tmp_path: Path) -> None:
    (tmp_path / "inner").mkdir()
    target = tmp_path / "story.txt"
    target.write_text("Dotdot news\nThe ferry to Lumo was cancelled by the harbour master.\n")
    report = hostile.ingest(tmp_path / "inner" / ".." / "story.txt")
    assert report.added == [str(target.resolve())]
    missing = hostile.ingest(tmp_path / "inner" / ".." / ".." / "nope" / "x.txt")
    assert "no such file or folder" in missing.failed[0][1]


@SOME
@given(name=st.text(min_size=0, max_size=120))
def test_upload_names_stay_inside_the_uploads_folder(tmp_path_factory, name: str) -> None:
    folder = tmp_path_factory.mktemp("uploads").resolve()
    safe = upload_name(name)
    assert safe and "/" not in safe and "\\" not in safe and not safe.startswith(".")
    assert (folder / safe).resolve().parent == folder
    assert all(ch.isalnum() or ch in "-_." for ch in safe) and safe.isascii()


def test_hostile_upload_names_cannot_escape(tmp_path: Path) -> None:
    for name in ["../../etc/passwd.txt", "..\\..\\boot.ini", "/abs/olute.md", "..", ".env"]:
        safe = upload_name(name)
        assert ".." not in safe.split(".")[0] and "/" not in safe
        assert (tmp_path / safe).resolve().parent == tmp_path.resolve()


def test_failed_ingest_of_every_kind_leaves_the_index_unchanged(
    hostile: Assistant, tmp_path: Path
) -> None:
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "empty.txt").write_text("  \n")
    (bad / "latin1.txt").write_bytes("Caf\xe9 au lait.".encode("latin-1"))
    (bad / "nul.md").write_bytes(b"text\x00more")
    (bad / "markup.html").write_text("<script>alert(1)</script><style>p{}</style>")
    (bad / "slides.pdf").write_bytes(b"%PDF-1.4")
    before = snapshot(hostile)
    report = hostile.ingest([bad, tmp_path / "missing.txt"])
    assert len(report.failed) == 6 and not report.added
    assert snapshot(hostile) == before
    reopened = Assistant.open(settings=hostile.settings)
    assert snapshot(reopened) == before
    shutil.rmtree(bad)
    assert BUNDLED.exists()


@settings(SOME, max_examples=10)
@given(
    stem=st.text(
        alphabet=st.sampled_from("$()`;|&<>'\"*?!#~ \\.-_abcé\u202e"), min_size=1, max_size=30
    )
)
def test_web_uploads_with_hostile_names_land_inside_the_uploads_folder(
    hostile: Assistant, tmp_path_factory: pytest.TempPathFactory, stem: str
) -> None:
    from assistant.interfaces.web import WebChat

    assume(stem not in (".", ".."))
    folder = tmp_path_factory.mktemp("upload")
    source = folder / f"{stem}.txt"
    source.write_text(f"Upload news\nThe bridge at Ferro was closed by engineer {folder.name}.\n")
    uploads = Path(hostile.settings.index_dir) / "uploads"
    status, _, _ = WebChat(hostile).upload([str(source)])
    assert "na-ok" in status and "<script" not in status
    landed = [p for p in uploads.iterdir() if folder.name in p.read_text()]
    assert len(landed) == 1 and landed[0].parent == uploads
    assert all(ch.isalnum() or ch in "-_." for ch in landed[0].name)
    assert not (Path.cwd() / "PWNED").exists() and not (folder / "PWNED").exists()


def test_cli_question_that_is_not_utf8_is_a_one_line_error(hostile: Assistant) -> None:
    index = str(hostile.settings.index_dir).encode()
    result = subprocess.run(
        [sys.executable.encode(), b"-m", b"assistant.cli", b"--index", index, b"ask", b"\xff?"],
        capture_output=True,
        cwd=ROOT,
        timeout=300,
    )
    assert result.returncode == 2 and b"Traceback" not in result.stderr
    assert result.stderr.startswith(b"error: ") and result.stderr.count(b"\n") == 1
