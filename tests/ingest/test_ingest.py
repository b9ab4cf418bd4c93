"""Ingest: cleaning, idempotence, replacement, and bad input that leaves the index as it was."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from assistant import Assistant, AssistantError
from assistant.ingest import build_nodes, doc_id_for, read_article

from ..conftest import BUNDLED, ROOT, offline_settings
from ..helpers import ingest_text, snapshot


def test_bundled_article_is_cleaned_with_metadata(bundled: Assistant) -> None:
    doc = bundled.document(BUNDLED)
    assert doc.title == "Russia And Vladimir Putin Could Back Pakistan And ‘Turn’ On India"
    assert doc.author == "Thomas Mackie"
    assert "No comments" not in doc.text and "Post a Comment" not in doc.text
    assert doc.text.endswith("threat to the motherland.”")
    assert len(doc.sha256) == 64


def test_reingesting_unchanged_changes_nothing(fresh: Assistant, tmp_path: Path) -> None:
    article = tmp_path / "a.txt"
    shutil.copy(BUNDLED, article)
    assert fresh.ingest(article).added == [str(article.resolve())]
    before = snapshot(fresh)
    again = fresh.ingest([article, tmp_path])
    assert again.added == [] and again.updated == [] and len(again.unchanged) == 2
    assert snapshot(fresh) == before
    # The same content under another name is not indexed twice.
    twin = tmp_path / "copy.txt"
    shutil.copy(BUNDLED, twin)
    assert fresh.ingest(twin).duplicates == [(str(twin.resolve()), str(article.resolve()))]
    assert snapshot(fresh) == before


def test_a_large_folder_is_indexed_whole_with_duplicates_found_across_batches(
    fresh: Assistant, tmp_path: Path
) -> None:
    """More files than one embedding batch holds: every file is indexed and answerable, and a
    copy is caught whether its original sits in the same batch or an earlier one."""
    batch = fresh.settings.ingest_batch
    folder = tmp_path / "harbours"
    folder.mkdir()
    count = batch * 2 + 5
    for i in range(count):
        (folder / f"{i:03d}.txt").write_text(
            f"Harbour {i}\nThe harbour of Port{i}ville was closed by warden Officer{i}son.\n"
        )
    (folder / "000_copy.txt").write_text((folder / "000.txt").read_text())  # same batch
    (folder / "zzz-copy.txt").write_text((folder / "001.txt").read_text())  # a later batch
    calls: list[tuple[int, int, str]] = []
    report = fresh.ingest(folder, progress=lambda *call: calls.append(call))
    assert len(report.added) == count and report.failed == []
    # Progress counts finished files: it never goes back, and moves a batch at a time.
    finished = [done for done, _, _ in calls]
    assert finished == sorted(finished) and calls[-1] == (count + 2, count + 2, "done")
    assert any(batch <= done < count for done in finished)
    assert sorted(copy for copy, _ in report.duplicates) == [
        str((folder / "000_copy.txt").resolve()),
        str((folder / "zzz-copy.txt").resolve()),
    ]
    assert fresh.store.table.size == fresh.store.nodes.count() == count * 2
    for i in (0, batch + 1, count - 1):
        answer = fresh.ask(f"Who closed the harbour of Port{i}ville?")
        assert f"Officer{i}son" in answer.text
        assert answer.citations[0].source == str((folder / f"{i:03d}.txt").resolve())


def test_changed_file_replaces_its_old_nodes(fresh: Assistant, tmp_path: Path) -> None:
    article = tmp_path / "note.txt"
    article.write_text("Harbour report\nThe harbour of Tarsk was closed on Monday by the mayor.\n")
    fresh.ingest(article)
    first = fresh.ask("Who closed the harbour of Tarsk?")
    assert "mayor" in first.text
    article.write_text(
        "Harbour report\nThe harbour of Tarsk was reopened on Friday by the port authority.\n"
        "Fishing boats returned the same evening.\n"
    )
    report = fresh.ingest(article)
    assert report.updated == [str(article.resolve())]
    docs, table_size, chroma_count = snapshot(fresh)
    assert len(docs) == 1 and table_size == chroma_count == 3
    answer = fresh.ask("Who reopened the harbour of Tarsk?")
    assert "port authority" in answer.text
    assert all("mayor" not in c.quote for c in answer.citations)
    # A new process sees the same index.
    reopened = Assistant.open(settings=fresh.settings)
    assert snapshot(reopened) == snapshot(fresh)


def test_html_and_markdown_are_cleaned(fresh: Assistant, tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    page.write_text(
        "<html><head><title>Dam opens in Velkor</title><script>var x = 'SECRET';</script>"
        "<style>p {color: red}</style></head><body><nav>Home | World</nav>"
        "<h1>Dam opens in Velkor</h1><p>by Ana Ruiz</p>"
        "<p>The Velkor dam opened on Tuesday &amp; will power 40,000 homes.</p>"
        '<p onclick="alert(1)">Engineer Lena Holm said the turbines were <b>tested</b> twice.</p>'
        "<footer>No comments: Post a Comment</footer></body></html>",
        encoding="utf-8",
    )
    notes = tmp_path / "notes.md"
    notes.write_text("# Bridge news\n\nThe **Ostra bridge** was [repainted](http://x) in May.\n")
    report = fresh.ingest([page, notes])
    assert report.ok and len(report.added) == 2
    doc = fresh.document(page)
    assert doc.title == "Dam opens in Velkor" and doc.author == "Ana Ruiz"
    assert "SECRET" not in doc.text and "color" not in doc.text and "Home | World" not in doc.text
    assert "& will power 40,000 homes" in doc.text
    assert "<b>" not in doc.text and "alert" not in doc.text and "No comments" not in doc.text
    md = fresh.document(notes)
    assert md.title == "Bridge news"
    assert "The Ostra bridge was repainted in May." in md.text
    answer = fresh.ask("How many homes will the Velkor dam power?")
    assert "40,000" in answer.text


def test_web_page_title_and_byline_as_news_sites_write_them(
    fresh: Assistant, tmp_path: Path
) -> None:
    page = tmp_path / "jets.html"
    page.write_text(
        "<html><head><title>Pakistan receives JF-17 jets | World News</title></head><body>"
        "<h1>Pakistan receives JF-17 jets</h1><p>By Sarah Khan, Defence Correspondent</p>"
        "<p>Pakistan's air force received its first JF-17 Block III jets on Tuesday.</p>"
        "</body></html>",
        encoding="utf-8",
    )
    logo = tmp_path / "dam.html"  # the site's name is the page's <h1>; the headline is not
    logo.write_text(
        "<html><head><title>Velkor dam opens - Daily Courier</title></head><body>"
        "<h1>Daily Courier</h1><p>Written by Ana Ruiz</p>"
        "<p>The Velkor dam opened on Tuesday and will power 40,000 homes.</p></body></html>",
        encoding="utf-8",
    )
    assert fresh.ingest([page, logo]).ok
    jets, dam = fresh.document(page), fresh.document(logo)
    assert (jets.title, jets.author) == ("Pakistan receives JF-17 jets", "Sarah Khan")
    assert (dam.title, dam.author) == ("Velkor dam opens", "Ana Ruiz")
    answer = fresh.ask("Who wrote the article about the JF-17 jets?")
    assert answer.text.startswith("“Pakistan receives JF-17 jets” was written by Sarah Khan")
    assert answer.citations[0].quote == "By Sarah Khan, Defence Correspondent"


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("empty.txt", b"   \n\n", "empty"),
        ("latin1.txt", "Caf\xe9 news in Paris today.".encode("latin-1"), "UTF-8"),
        ("binary.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 20, "not a text file"),
        ("slides.pdf", b"%PDF-1.4 fake", "unsupported file type"),
        ("only-markup.html", b"<html><script>x()</script><style>p{}</style></html>", "no article"),
    ],
)
def test_bad_file_fails_alone_and_leaves_index_as_it_was(
    bundled: Assistant, tmp_path: Path, name: str, content: bytes, message: str
) -> None:
    bad = tmp_path / name
    bad.write_bytes(content)
    good = tmp_path / "good.txt"
    good.write_text("Lake news\nThe lake of Morvan froze for the first time in 1962.\n")
    index = tmp_path / "index"
    shutil.copytree(bundled.settings.index_dir, index)
    assistant = Assistant.open(settings=offline_settings(index))
    before = snapshot(assistant)
    report = assistant.ingest([bad, good])
    assert [p for p, _ in report.failed] == [str(bad)]
    assert message in report.failed[0][1]
    assert report.added == [str(good.resolve())]
    docs, size, count = snapshot(assistant)
    assert set(docs) == set(before[0]) | {str(good.resolve())}
    assert size == count == before[1] + 2  # its title line and its sentence
    only_bad = assistant.ingest([bad])
    assert not only_bad.ok and snapshot(assistant) == (docs, size, count)


def test_missing_path_and_folder_of_unsupported_files(fresh: Assistant, tmp_path: Path) -> None:
    report = fresh.ingest([tmp_path / "nope.txt"])
    assert report.failed == [(str(tmp_path / "nope.txt"), report.failed[0][1])]
    assert "no such file or folder" in report.failed[0][1]
    folder = tmp_path / "mixed"
    folder.mkdir()
    (folder / "scan.png").write_bytes(b"\x89PNG")
    (folder / "story.txt").write_text("Rail news\nThe new line to Dovik opened in March.\n")
    report = fresh.ingest(folder)
    assert report.added == [str((folder / "story.txt").resolve())]
    assert len(report.failed) == 1 and "unsupported file type '.png'" in report.failed[0][1]
    empty = tmp_path / "empty-folder"
    empty.mkdir()
    assert "holds no files" in fresh.ingest(empty).failed[0][1]


def test_unwritable_index_folder_is_a_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(AssistantError, match=r"not writable.*--index DIR"):
        Assistant.open(settings=offline_settings(blocker / "index"))


@pytest.mark.parametrize(
    ("question", "message"),
    [("", "empty"), ("   \n\t", "empty"), ("x" * 4001, "limit is 4,000")],
)
def test_bad_questions_get_clear_errors(bundled: Assistant, question: str, message: str) -> None:
    with pytest.raises(AssistantError, match=message):
        bundled.ask(question)


def test_empty_index_says_so(fresh: Assistant) -> None:
    answer = fresh.ask("Who warned about Russia's reaction?")
    assert answer.abstained and answer.citations == []
    assert "ingest" in answer.note


def test_interrupted_ingest_is_rolled_back_on_open(fresh: Assistant, tmp_path: Path) -> None:
    article = tmp_path / "a.txt"
    shutil.copy(BUNDLED, article)
    fresh.ingest(article)
    before = snapshot(fresh)
    # Nodes of a version whose document record was never committed, as a crash leaves them.
    other = tmp_path / "b.txt"
    other.write_text("Crash news\nThe server crashed while indexing this article.\n")
    art = read_article(other)
    nodes = build_nodes(art, doc_id_for(art.source), art.sha256[:12])
    for node, vector in zip(nodes, fresh.embed.encode([n.text for n in nodes]), strict=True):
        node.embedding = vector.tolist()
    fresh.store.vector_store.add(list(nodes))
    reopened = Assistant.open(settings=fresh.settings)
    assert snapshot(reopened) == before
    assert reopened.store.repairs and "interrupted" in reopened.store.repairs[0]


def test_summary_of_several_articles_and_of_the_one_asked_about(
    fresh: Assistant, tmp_path: Path
) -> None:
    dam = tmp_path / "dam.txt"
    dam.write_text(
        "Velkor dam opens\nby Ana Ruiz\nThe Velkor dam opened on Tuesday and will power 40,000 "
        "homes.\nEngineer Lena Holm, who led the build, said the turbines were tested twice.\n",
        encoding="utf-8",
    )
    assert fresh.ingest([BUNDLED, dam]).ok
    both = fresh.ask("Summarize the articles")
    assert [c.title for c in both.citations] == [
        "Russia And Vladimir Putin Could Back Pakistan And ‘Turn’ On India",
        "Velkor dam opens",
    ]
    assert "“Velkor dam opens”: The Velkor dam opened on Tuesday" in both.text, both.text
    one = fresh.ask("Summarize the article about the dam")
    assert {c.title for c in one.citations} == {"Velkor dam opens"}
    assert one.citations[0].quote.startswith("The Velkor dam opened on Tuesday")


def test_which_article_says_something_and_when_each_was_published(
    fresh: Assistant, tmp_path: Path
) -> None:
    page = tmp_path / "jets.html"
    page.write_text(
        "<html><head><title>Pakistan receives JF-17 jets | World News</title></head><body>"
        "<h1>Pakistan receives JF-17 jets</h1><p>By Sarah Khan</p><time>12 March 2024</time>"
        "<p>Pakistan's air force received its first JF-17 Block III jets on Tuesday.</p>"
        "<p>The jets were built jointly with China at the aeronautical complex in Kamra.</p>"
        "</body></html>",
        encoding="utf-8",
    )
    assert fresh.ingest([BUNDLED, page]).ok
    china = fresh.ask("Which article mentions China?")
    assert [c.title for c in china.citations] == ["Pakistan receives JF-17 jets"]
    assert "jointly with China" in china.citations[0].quote
    assert fresh.ask("Which article mentions Brazil?").abstained
    # A topic of several words is mentioned by a sentence holding most of them: not by the Russia
    # article's "certain arms" for "jet engines of a certain make".
    jets = fresh.ask("Which articles mention Block III jets?")
    assert [c.title for c in jets.citations] == ["Pakistan receives JF-17 jets"], jets.text
    assert fresh.ask("Does the article mention the engines of a certain make?").abstained
    dated = fresh.ask("When was the article about the jets published?")
    # The page's <time> is markup, not article text: the date is the document's field.
    assert fresh.document(page).published == "2024-03-12"
    assert dated.text == (
        "“Pakistan receives JF-17 jets” was published on 12 March 2024, by its page."
    )
    assert not dated.abstained and not dated.citations
    undated = fresh.ask("When was the Russia article published?")
    assert undated.abstained and undated.text.endswith("was published: it gives no date.")


def test_a_wire_story_in_markdown(fresh: Assistant) -> None:
    """Italic byline, a dateline opening the first paragraph, people reported in the ways wire
    copy reports them ("..., regional president X told reporters", "Prime Minister X said")."""
    story = ROOT / "tests" / "data" / "floods.md"
    assert fresh.ingest([story]).ok
    doc = fresh.document(story)
    assert doc.author == "Marco Rossi" and "*" not in doc.text
    quoted = [c.quote for c in fresh.ask("Who is quoted in the article?").citations]
    assert quoted == [
        "regional president Stefano Bonaccini",
        "Prime Minister Giorgia Meloni",
        "Luca Mercalli, president of the Italian Meteorological Society",
        "Farmers' association Coldiretti",
    ], quoted
    # The headline names the floods, the dateline under it says when.
    when = fresh.ask("When did the floods happen?")
    assert when.citations[0].quote.startswith("ROME, May 17 (Reuters)"), when.text
    dated = fresh.ask("When was it published?")
    assert dated.citations[0].quote == "ROME, May 17 (Reuters)", dated.text


def test_names_typed_without_their_accents_are_found(fresh: Assistant, tmp_path: Path) -> None:
    """People type "Erdogan" and "Gdansk" on an English keyboard: the article's "Erdoğan" and
    "Gdańsk" are the same words to search, to who-said-what and to the support check."""
    ingest_text(
        fresh,
        tmp_path / "corridor.txt",
        "Turkey and Poland agree a Baltic grain corridor\n"
        "ANKARA, June 3 - Turkish President Recep Tayyip Erdoğan met Polish trade officials in "
        "Gdańsk on Tuesday to sign the corridor agreement.\n"
        "Erdoğan said: “The corridor will carry Ukrainian grain to the Baltic before autumn.”\n"
        "Łukasz Kowalski, a freight analyst at the Szczecin Maritime Institute, warned that the "
        "port of Świnoujście lacks the silos the plan needs.\n",
    )
    said = fresh.ask("What did Erdogan say?")
    assert not said.abstained, said.text
    assert "“The corridor will carry" in said.citations[0].quote, said.text
    met = fresh.ask("Where did Erdogan meet the trade officials?")
    assert "Gdańsk" in met.citations[0].quote, met.text
    analyst = fresh.ask("Who is Lukasz Kowalski?")
    assert analyst.citations[0].quote.startswith("Łukasz Kowalski, a freight analyst"), analyst.text
    port = fresh.ask("Which port lacks silos according to Kowalski?")
    assert "Świnoujście" in port.citations[0].quote, port.text


def test_a_where_question_is_not_answered_by_the_place_it_names(
    fresh: Assistant, tmp_path: Path
) -> None:
    """ "Where in Cornwall ...?" asks for somewhere in Cornwall: "Tourism in Cornwall ..." names
    no such place and is not cited beside the sentence that does."""
    ingest_text(
        fresh,
        tmp_path / "storm.txt",
        "Storm floods towns across Cornwall\n"
        "Heavy rain and gales battered Cornwall on Sunday, the Met Office said.\n"
        "Tourism in Cornwall is expected to suffer for weeks as roads stay closed.\n"
        "Most of the damage was centred on Bude, where the River Neet burst its banks.\n"
        "Rescue crews from Plymouth evacuated forty homes overnight.\n",
    )
    answer = fresh.ask("Where in Cornwall was the damage worst?")
    assert [c.quote for c in answer.citations] == [
        "Most of the damage was centred on Bude, where the River Neet burst its banks."
    ], answer.text


def test_which_team_is_answered_by_a_name_the_question_lacks(
    fresh: Assistant, tmp_path: Path
) -> None:
    """ "Which team ...?" asks for a team's name: the season's "numerous records from teams" names
    only the league the question names, and is not cited beside the team that did it."""
    ingest_text(
        fresh,
        tmp_path / "league.txt",
        "Northern League season ends with records\n"
        "The Northern League season featured numerous records from teams and players.\n"
        "The Harbour Hawks became the first team to finish the season with only one loss, at "
        "15-1.\nTheir coach, Dana Reyes, was named coach of the year.\n",
    )
    answer = fresh.ask("Which team in the Northern League had a 15-1 record?")
    assert [c.quote[:22] for c in answer.citations] == ["The Harbour Hawks beca"], answer.text


def test_what_year_is_answered_by_a_year_not_a_month(fresh: Assistant, tmp_path: Path) -> None:
    ingest_text(
        fresh,
        tmp_path / "bridge.txt",
        "Kelso bridge reopens to traffic\n"
        "The Kelso bridge reopened to traffic in May after two years of repairs.\n"
        "Engineers replaced the deck and strengthened the piers.\n"
        "The stone bridge was opened in 1887 and is the oldest crossing on the river.\n",
    )
    year = fresh.ask("In what year was the Kelso bridge opened?")
    assert [c.quote[:30] for c in year.citations] == ["The stone bridge was opened in"], year.text
    # "When ...?" may be answered by a month.
    when = fresh.ask("When did the bridge reopen?")
    assert "in May" in when.citations[0].quote, when.text


def test_how_long_and_how_much_want_a_duration_and_a_sum(fresh: Assistant, tmp_path: Path) -> None:
    ingest_text(
        fresh,
        tmp_path / "bridge.txt",
        "Kelso bridge reopens to traffic\n"
        "The Kelso bridge reopened to traffic on Monday after repairs.\n"
        "The closure lasted months, forcing drivers onto a long detour.\n"
        "Engineers replaced 40 of the bridge's 120 deck panels during the repairs.\n"
        "The council paid £4 million for the work.\n"
        "At 240 metres, the bridge is the longest in the county.\n",
    )
    # "months" is a duration though it has no digits; "40 of 120 panels" is none; a length
    # answers "How long is ...?".
    span = fresh.ask("How long is the bridge?")
    assert span.citations[0].quote.startswith("At 240 metres"), span.text
    closed = fresh.ask("How long was the bridge closed?")
    assert closed.citations[0].quote.startswith("The closure lasted months"), closed.text
    # A count of panels is no cost: better no answer than that one.
    cost = fresh.ask("How much did the repairs cost?")
    assert not any("panels" in c.quote for c in cost.citations), cost.text
    assert "40 of the bridge" in fresh.ask("How many panels were replaced?").text


def test_what_month_and_what_day_want_a_month_and_a_day(fresh: Assistant, tmp_path: Path) -> None:
    ingest_text(
        fresh,
        tmp_path / "bridge.txt",
        "Kelso bridge reopens to traffic\n"
        "The Kelso bridge reopened to traffic in 2024 after two years of repairs.\n"
        "The first cars crossed on a Tuesday in May, led by the mayor.\n"
        "The stone bridge was opened in 1887 and is the oldest crossing on the river.\n",
    )
    for question in (
        "What month did the bridge reopen?",
        "What day of the week did the bridge reopen?",
    ):
        answer = fresh.ask(question)
        assert answer.citations[0].quote.startswith("The first cars crossed on a Tuesday in May"), (
            question,
            answer.text,
        )


def test_a_web_page_with_a_labelled_date_and_an_organisation_quoted(fresh: Assistant) -> None:
    """A headline ending in a year is no date line ("... from 2035"); "Published 28 March 2023"
    is, without its label. "Transport & Environment" is one speaker, not "Transport" (which
    would make the transport minister's words theirs) and "Environment". A heading is answered by
    what it heads."""
    assert fresh.ingest([ROOT / "tests" / "data" / "petrol-ban.html"]).ok
    dated = fresh.ask("When was it published?")
    assert dated.citations[0].quote == "28 March 2023", dated.text
    quoted = [c.quote for c in fresh.ask("Who is quoted in the article?").citations]
    assert quoted == [
        "German transport minister Volker Wissing",
        "Environmental group Transport & Environment",
    ], quoted
    # A heading inside the article is answered by what it heads, not by itself.
    after = fresh.ask("What happens next?")
    assert [c.quote for c in after.citations][:2] == [
        "Carmakers must cut emissions by 55% by 2030.",
        "The Commission will review progress in 2026.",
    ], after.text
    warned = fresh.ask("What did Transport & Environment warn?")
    assert [c.quote[:35] for c in warned.citations] == ["Environmental group Transport & Env"], (
        warned.text
    )


def test_an_organisation_asked_by_its_acronym(fresh: Assistant) -> None:
    """ "What did the WHO say?" is answered by what "The World Health Organization said"."""
    assert fresh.ingest([ROOT / "tests" / "data" / "heatwave.md"]).ok
    said = fresh.ask("What did the WHO say?")
    assert not said.abstained, said.text
    assert said.citations[0].quote.startswith("The World Health Organization said"), said.text
    assert fresh.ask("What did the UN say?").abstained  # no one of that name is quoted
    # A Markdown subheading is answered by the section under it.
    why = fresh.ask("Why is it happening?")
    assert why.citations[0].quote.startswith("Scientists say a high-pressure system"), why.text
