"""One story told several times (a wire story reprinted by three outlets with their own page
furniture, one of them with a sentence changed): grouped at ingest, each sentence retrieved
once, cited once with the other outlets named. Articles written for the test."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant import Assistant
from assistant.interfaces.cli import main

from ..conftest import offline_settings

WIRE = [
    "Rescue teams reached the village of Orvik late on Sunday after a landslide cut the only "
    "road to the valley.",
    "Regional governor Helga Strand said 41 people had been taken to hospital in Tromvik.",
    "The landslide followed three days of heavy rain across the northern fjords.",
    "Engineers expect the road to reopen within two weeks, the transport agency said.",
    "Residents were moved to a school in the neighbouring town of Lysaker overnight.",
    "The army sent two helicopters to carry supplies to farms cut off by the mud.",
]


def page(
    outlet: str,
    paragraphs: list[str],
    furniture: str,
    url: str,
    headline: str = "Landslide cuts off Orvik valley",
) -> str:
    credit = f"Additional reporting by the {outlet} newsdesk."  # each outlet's own line
    body = "".join(f"<p>{p}</p>" for p in [*paragraphs, credit])
    return (
        f"<html><head><title>Landslide cuts off Orvik | {outlet}</title>"
        f"<meta property='og:site_name' content='{outlet}'>"
        f"<link rel='canonical' href='{url}'></head><body>"
        f"<nav>{outlet} Home News Sport Weather</nav>"
        f"<article><h1>{headline}</h1><p>By Nordic Press staff</p>{body}"
        f"</article><aside>{furniture}</aside></body></html>"
    )


def test_a_reprinted_story_is_one_story_cited_once_with_its_other_outlets(
    tmp_path: Path,
) -> None:
    changed = [*WIRE]
    changed[1] = "Regional governor Helga Strand said 43 people had been taken to hospital."
    pages = {
        "courier.html": page("Fjord Courier", WIRE, "Most read: Ferry fares rise", "https://c/1"),
        "herald.html": page("North Herald", WIRE, "Sign up for our newsletter", "https://h/1"),
        "daily.html": page("Daily Tide", changed, "Follow us on social media", "https://d/1"),
        "other.html": page(
            "Fjord Courier",
            [
                "A separate landslide blocked a rail line near Bergstad on Monday, the rail "
                "operator said.",
                "No one was hurt, and trains were replaced by buses between Bergstad and Holm.",
            ],
            "Most read: Ferry fares rise",
            "https://c/2",
            headline="Landslide blocks Bergstad rail line",
        ),
    }
    for name, html in pages.items():
        (tmp_path / name).write_text(html, encoding="utf-8")
    assistant = Assistant.open(settings=offline_settings(tmp_path / "index"))
    report = assistant.ingest(sorted(tmp_path.glob("*.html")))
    assert report.ok and len(report.added) == 4, report
    docs = {Path(d.source).name: d for d in assistant.documents()}
    assert docs["courier.html"].story == docs["herald.html"].story == docs["daily.html"].story
    assert docs["other.html"].story != docs["courier.html"].story

    passages = assistant.retrieve("Where were the residents of Orvik moved to?")
    texts = [p.text for p in passages]
    assert len(texts) == len(set(texts))  # each sentence of the story once

    answer = assistant.ask("How long until the road to Orvik reopens?")
    assert "two weeks" in answer.text
    first = answer.citations[0]
    copies = {"Fjord Courier", "North Herald", "Daily Tide"}
    assert first.outlet in copies and set(first.also_in) == copies - {first.outlet}

    # The changed sentence is in one copy only: no "also in" names the copies without it.
    count = assistant.ask("How many people were taken to hospital after the Orvik landslide?")
    for c in count.citations:
        if "43 people" in c.quote:
            assert "Fjord Courier" not in c.also_in and "North Herald" not in c.also_in


def test_a_page_saved_again_at_the_same_canonical_url_replaces_the_first(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first = tmp_path / "landslide.html"
    again = tmp_path / "landslide (1).html"
    first.write_text(page("Fjord Courier", WIRE, "Most read", "https://c/1"), encoding="utf-8")
    updated = [*WIRE, "The road reopened on Friday, earlier than expected."]
    again.write_text(page("Fjord Courier", updated, "Trending", "https://c/1"), encoding="utf-8")
    assistant = Assistant.open(settings=offline_settings(tmp_path / "index"))
    assert assistant.ingest(first).added == [str(first.resolve())]
    assert assistant.ingest(again).updated == [str(again.resolve())]
    (doc,) = assistant.documents()
    assert "reopened on Friday" in doc.text and doc.url == "https://c/1"
    # The text it replaced stays available.
    (earlier,) = assistant.history(doc.source)
    assert "reopened on Friday" not in earlier.text and "two weeks" in earlier.text
    code = main(["documents", "--history", "--index", str(assistant.settings.index_dir)])
    assert code == 0
    assert f"earlier version {earlier.version}" in capsys.readouterr().out


def test_an_answer_citing_several_outlets_names_the_outlet_of_each_claim() -> None:
    from assistant.answer import Answer, AnswerSentence
    from assistant.answer.attribution import attributed
    from assistant.types import Citation

    def cited(n: int, outlet: str) -> Citation:
        return Citation(n=n, quote="q", title="t", source=f"s{n}", start=0, end=1, outlet=outlet)

    first = "The road will reopen within two weeks. [1]"
    second = "It will stay closed for at least a month. [2]"
    answer = Answer(
        text=f"{first} {second}",
        citations=[cited(1, "North Herald"), cited(2, "Daily Tide")],
        abstained=False,
        backend="extractive",
        sentences=[AnswerSentence(first, [1]), AnswerSentence(second, [2])],
    )
    both = attributed(answer)
    assert both.text == f"North Herald: {first} Daily Tide: {second}"
    one = attributed(
        Answer(
            text=first,
            citations=[cited(1, "North Herald")],
            abstained=False,
            backend="extractive",
            sentences=[AnswerSentence(first, [1])],
        )
    )
    assert one.text == first  # one outlet: nothing to tell apart
