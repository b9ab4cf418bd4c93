"""'What did X say about Y?' over an article that names X in many sentences: X's words about Y
are found and quoted even when eight sentences naming X rank above them for the whole question.
The article is written for the test."""

from __future__ import annotations

from pathlib import Path

from assistant import Assistant

from ..helpers import check_offsets, ingest_text

HARBOUR = "\n\n".join(
    (
        "Storm damage closes Vik harbour quay",
        "The storm that struck Vik on Sunday night tore away forty metres of the old "
        "harbour quay, harbour master Marta Lindqvist said on Monday.",
        "Marta Lindqvist said the fishing fleet had moved away from the quay to the "
        "north basin before the wind rose.",
        "Lindqvist, who has run the harbour for twelve years, said she had never seen "
        "waves break over the quay.",
        "Marta Lindqvist told the council that two crane operators had stayed on the "
        "quay all night.",
        "The ferry company said its boats would dock at Sandnes until further notice.",
        "Marta Lindqvist said the harbour office had called in divers from Bergen to "
        "inspect the piles under the quay.",
        "Marta Lindqvist also said insurance assessors would visit the quay on Wednesday.",
        "Mayor Ola Dahl said the town would ask the county for emergency funds.",
        "Marta Lindqvist said volunteers had cleared the debris from the quay by noon.",
        "Marta Lindqvist said she was grateful to the fishermen who helped secure the "
        "boats along the quay.",
        "Lindqvist said on Monday afternoon: “We lost the quay, but we lost no one.”",
        "“Our engineers tell me the quay will not be rebuilt before the summer holidays.”",
        "The council meets on Thursday to discuss the emergency funds.",
    )
)


def test_her_words_about_the_topic_are_quoted_though_they_do_not_name_her(
    fresh: Assistant, tmp_path: Path
) -> None:
    ingest_text(fresh, tmp_path / "harbour.txt", HARBOUR)
    answer = fresh.ask("What did Marta Lindqvist say about rebuilding the quay?")
    assert not answer.abstained, answer.text
    # led by her words on it (a quote paragraph carrying on from hers), cited exactly
    first = answer.citations[answer.sentences[0].citations[0] - 1]
    assert "rebuilt before the summer holidays" in first.quote, answer.text


def test_someone_elses_words_are_not_hers(fresh: Assistant, tmp_path: Path) -> None:
    ingest_text(fresh, tmp_path / "harbour.txt", HARBOUR)
    answer = fresh.ask("What did the mayor say?")
    assert "emergency funds" in answer.text, answer.text
    assert "Lindqvist" not in answer.text, answer.text


FERRY = "\n\n".join(
    (
        "Vik ferry timetable cut for the winter",
        "The Vik ferry will sail twice a day instead of five times from November, the "
        "operator said on Tuesday.",
        "The Post and Herald, the town's newspaper, has covered the service since 1990.",
        "“The cut will cost the island's shops most of their winter trade, and nobody asked "
        "them,” said Per Holm, a transport reporter at the Post and Herald.",
        "Mayor Ola Dahl said the council would ask the operator to keep a third sailing.",
        "The harbour office said the quay works would finish in March.",
    )
)


def test_a_speaker_asked_for_by_role_is_found_beside_the_words(
    fresh: Assistant, tmp_path: Path
) -> None:
    # The question names him by his newspaper and job, the article by his name and job after
    # the quote; and "Post and Herald" is one paper, not two people.
    ingest_text(fresh, tmp_path / "ferry.txt", FERRY)
    answer = fresh.ask("What did the Post and Herald's transport reporter say about the cut?")
    assert not answer.abstained, answer.text
    assert "winter trade" in answer.text, answer.text
    assert "Ola Dahl" not in answer.text, answer.text
    check_offsets(fresh, answer)


def test_no_words_beside_a_mention_still_abstains(fresh: Assistant, tmp_path: Path) -> None:
    # The paper is named, but no sentence near its name gives anyone's words about the quay.
    ingest_text(fresh, tmp_path / "ferry.txt", FERRY)
    answer = fresh.ask("What did the harbour master say about the quay works?")
    assert answer.abstained, answer.text
