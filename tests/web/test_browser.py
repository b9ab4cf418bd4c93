"""The web chat in a real browser: Debian's headless Chromium driven by Playwright.

Screenshots land in tests/artifacts/ (not committed). `.ci/run` installs Chromium.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Dialog, Locator, Page, Route, expect, sync_playwright

from assistant import Assistant
from bench.fake_openai import FakeOpenAI, Reply, citing

from ..conftest import ROOT
from ..helpers import running_app
from .test_ui import HARBOUR, WARNED

pytestmark = [
    pytest.mark.browser,
    # Gradio's queue calls pandas APIs that pandas 3 deprecates; not ours to fix.
    pytest.mark.filterwarnings(
        "ignore:.*(no_silent_downcasting|copy keyword).*:DeprecationWarning"
    ),
]

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = ROOT / "tests" / "artifacts"
DONE = ".na-answer:not(.na-streaming), .na-error"
# A .txt article is shown as written, so its markup must come out as text.
LAMP = """the lamp <img src=x onerror="window.__xss='img';alert(1)"> was replaced in 1998"""
XSS_TXT = (
    "Lighthouse notes <script>window.__xss = 'title'</script>\n\n"
    f"The lighthouse keeper Bartholomew Finch said {LAMP} after a storm.\n"
    "Finch added that <script>window.__xss='body'</script> "
    "[visitors](javascript:window.__xss='link') may climb the tower on Sundays.\n"
)
# In an .html article the payload is escaped markup, which cleaning turns back into text.
FERRY_TITLE = "Harbour &lt;script&gt;window.__xss='h-title'&lt;/script&gt; report"
XSS_HTML = (
    f"<html><head><title>{FERRY_TITLE}</title></head><body><h1>{FERRY_TITLE}</h1>\n"
    "<p>The ferry captain Ottoline Varga said "
    "&lt;img src=x onerror=\"window.__xss='h-img';alert(2)\"&gt; "
    "the crossing will take forty minutes.</p></body></html>\n"
)
QUESTION = (
    "<img src=x onerror=\"window.__xss='question'\"><script>window.__xss='q'</script> "
    "When may visitors climb the tower?"
)

if not CHROMIUM.exists():
    pytest.skip(
        "needs Debian's Chromium: apt-get install -y chromium (.ci/run does)",
        allow_module_level=True,
    )


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Assistant]]:
    with running_app(tmp_path_factory.mktemp("browser-index")) as running:
        yield running


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def llm_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, FakeOpenAI]]:
    """The app answering with a (scripted, local) language model."""
    server = FakeOpenAI(models=["gpt-4o-mini"])
    settings = {"llm": "openai", "openai_base_url": server.url, "request_timeout": 5.0}
    try:
        with running_app(tmp_path_factory.mktemp("llm-index"), **settings) as (url, _):
            yield url, server
    finally:
        server.close()


@pytest.fixture
def dialogs() -> list[str]:
    """Messages of any alert/confirm/prompt the page opened."""
    return []


@pytest.fixture
def page(browser: Browser, app: tuple[str, Assistant], dialogs: list[str]) -> Iterator[Page]:
    page = open_page(browser, app[0], dialogs)
    yield page
    page.context.close()


def open_page(browser: Browser, url: str, dialogs: list[str]) -> Page:
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()

    def dismiss(dialog: Dialog) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", dismiss)
    # Nothing but the app itself: a page that reaches the internet fails here.
    page.route("**/*", _local_only)
    page.goto(url)
    expect(page.locator("#documents")).to_contain_text("indexed")
    return page


def _local_only(route: Route) -> None:
    if route.request.url.startswith(("http://127.0.0.1", "data:", "blob:")):
        route.continue_()
    else:
        route.abort()


def ask(page: Page, question: str) -> None:
    done = page.locator(DONE).count()
    box = page.locator("#question textarea")
    box.fill(question)
    box.press("Enter")
    expect(page.locator(DONE)).to_have_count(done + 1, timeout=30_000)


def last_answer(page: Page) -> Locator:
    return page.locator(DONE).last


def upload(page: Page, *files: Path) -> None:
    page.locator("#upload input[type=file]").set_input_files([str(f) for f in files])
    expect(page.locator("#upload-status li")).to_have_count(len(files), timeout=60_000)


def screenshot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_example_question_shows_answer_and_highlighted_source(
    page: Page, app: tuple[str, Assistant]
) -> None:
    expect(page.locator("#backend")).to_contain_text("offline extractive")
    expect(page.locator("#documents")).to_contain_text("Russia And Vladimir Putin")

    page.get_by_role("button", name=WARNED).click()
    expect(page.locator(DONE)).to_have_count(1, timeout=30_000)
    answer = last_answer(page)
    expect(answer).to_contain_text("James Hackett")
    expect(answer).to_contain_text("[1]")
    expected = app[1].ask(WARNED)
    marks = answer.locator("mark.na-highlight")
    expect(marks).to_have_text([c.quote for c in expected.citations])
    # The highlight sits inside its paragraph, under the article's title and author.
    citation = answer.locator(".na-citation").first
    expect(citation).to_contain_text("Thomas Mackie")
    expect(citation.locator(".na-context")).to_contain_text(expected.citations[0].context)
    screenshot(page, "answer-with-sources")

    page.locator("#clear").click()
    expect(page.locator(DONE)).to_have_count(0)


def test_upload_an_article_then_ask_about_it(page: Page, tmp_path: Path) -> None:
    article = tmp_path / "harbour works.txt"
    article.write_text(HARBOUR)
    # A longer article first, so indexing takes long enough to watch its progress.
    long = tmp_path / "long.txt"
    long.write_text(
        "Council minutes\n\n"
        + "\n".join(f"Item {i} of the agenda concerned road number {i * 7}." for i in range(150))
    )
    page.locator("#upload input[type=file]").set_input_files([str(long), str(article)])
    expect(page.locator("#upload-status")).to_contain_text("Indexing long.txt", timeout=20_000)
    expect(page.locator("#upload-status")).to_contain_text("files")
    screenshot(page, "upload-progress")
    expect(page.locator("#upload-status li")).to_have_count(2, timeout=60_000)
    expect(page.locator("#upload-status")).to_contain_text("added harbour-works.txt")
    expect(page.locator("#documents")).to_contain_text("Harbour works begin in Port Ellery")

    ask(page, "When will the new pier open?")
    answer = last_answer(page)
    expect(answer.locator("mark.na-highlight").first).to_contain_text(
        "the new pier would open in the spring of 2027"
    )
    expect(answer).to_contain_text("Harbour works begin in Port Ellery")
    screenshot(page, "uploaded-article")


def test_markup_in_articles_and_questions_shows_as_text_and_never_runs(
    page: Page, dialogs: list[str], tmp_path: Path
) -> None:
    (tmp_path / "lighthouse.txt").write_text(XSS_TXT)
    (tmp_path / "ferry.html").write_text(XSS_HTML)
    upload(page, tmp_path / "lighthouse.txt", tmp_path / "ferry.html")
    expect(page.locator("#documents")).to_contain_text(
        "Lighthouse notes <script>window.__xss = 'title'</script>"
    )
    expect(page.locator("#documents")).to_contain_text(
        "Harbour <script>window.__xss='h-title'</script> report"
    )

    ask(page, "When was the lamp replaced?")
    expect(last_answer(page)).to_contain_text(LAMP)
    ask(page, "How long will the crossing take, according to Ottoline Varga?")
    expect(last_answer(page)).to_contain_text("""<img src=x onerror="window.__xss='h-img';""")
    ask(page, QUESTION)
    expect(page.locator(".na-question").last).to_have_text(QUESTION)
    page.wait_for_timeout(500)  # give any injected handler its chance to fire

    assert page.evaluate("window.__xss") is None
    assert dialogs == []
    assert page.locator("#chat img[src=x], #documents img, #chat script").count() == 0
    # The check can see a payload that runs: markup really inserted as HTML sets the flag.
    page.evaluate(
        """document.body.insertAdjacentHTML('beforeend', '<img src=x onerror="window.__xss=1">')"""
    )
    page.wait_for_function("window.__xss === 1")
    screenshot(page, "markup-shown-as-text")


def test_two_browser_sessions_do_not_see_each_others_chat(
    browser: Browser, page: Page, app: tuple[str, Assistant]
) -> None:
    ask(page, "Who is Kamal Alam?")
    other = browser.new_context().new_page()
    other.route("**/*", _local_only)
    other.goto(app[0])
    expect(other.locator("#documents")).to_contain_text("indexed")
    expect(other.locator(".na-question")).to_have_count(0)
    other.context.close()


def test_a_language_model_answer_marks_its_unsupported_sentence(
    browser: Browser, llm_app: tuple[str, FakeOpenAI], dialogs: list[str]
) -> None:
    url, server = llm_app
    s400 = "India’s 2016 £4.1 billion"
    server.enqueue(
        Reply(
            citing(
                "India signed the S-400 missile deal in 2016 [{{" + s400 + "}}]. "
                "The S-400 deal was cancelled in 2019 [{{" + s400 + "}}]."
            )
        )
    )
    page = open_page(browser, url, dialogs)
    expect(page.locator("#backend")).to_contain_text("gpt-4o-mini")
    ask(page, "In which year was India's S-400 deal signed?")
    answer = last_answer(page)
    expect(answer.locator(".na-unsupported")).to_have_count(1)
    expect(answer.locator(".na-unsupported")).to_contain_text("cancelled in 2019")
    expect(answer.locator(".na-unsupported")).to_contain_text("not supported by the articles")
    expect(answer.locator(".na-unsupported")).not_to_contain_text("signed the S-400")
    expect(answer.locator("mark.na-highlight").first).to_contain_text(s400)
    screenshot(page, "llm-unsupported-sentence")
    page.context.close()


def test_the_question_box_waits_while_an_answer_streams(
    browser: Browser, llm_app: tuple[str, FakeOpenAI], dialogs: list[str]
) -> None:
    """A second question cannot be sent mid-stream (it would race the first for the chat's
    history); once the answer is in, the follow-up is read with the first turn."""
    url, server = llm_app
    hold = threading.Event()
    alam = "Kamal Alam, a Pakistan"
    server.enqueue(Reply(citing("Kamal Alam is a Pakistan analyst [{{" + alam + "}}]."), hold=hold))
    server.enqueue(Reply(citing("He works at RUSI [{{" + alam + "}}].")))
    page = open_page(browser, url, dialogs)
    box = page.locator("#question textarea")
    box.fill("Who is Kamal Alam?")
    box.press("Enter")
    expect(page.locator(".na-streaming")).to_have_count(1, timeout=30_000)
    expect(box).to_be_disabled()
    expect(page.locator("#ask")).to_be_disabled()
    expect(page.get_by_role("button", name=WARNED)).to_be_disabled()
    hold.set()
    expect(page.locator(DONE)).to_have_count(1, timeout=30_000)
    expect(box).to_be_enabled()
    ask(page, "Where does he work?")
    expect(last_answer(page)).to_contain_text("RUSI")
    follow_up = server.requests[-1].body["messages"]
    assert any("Who is Kamal Alam?" in str(m.get("content")) for m in follow_up)
    page.context.close()
