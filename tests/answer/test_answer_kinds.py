"""What kind of thing a question asks for, and answers that hold one (assistant/answer/kinds.py),
on articles written for these tests."""

from __future__ import annotations

from pathlib import Path

from assistant import Assistant

from ..helpers import ingest_text

FERRY = (
    "Ferry crash inquiry opens\n"
    "The ferry company paid £300,000 to the families of the injured last year.\n"
    "The inquiry into the Harwell ferry crash opened on Tuesday at 9:30 a.m. in the town hall.\n"
    "The ferry's captain, 58, told the inquiry the engines failed without warning.\n"
    "A deckhand who jumped overboard was pulled from the water by a fishing boat.\n"
    "The county is launching a two-year review of ferry safety after the crash.\n"
)


def test_how_old_wants_an_age_not_a_time_of_day(fresh: Assistant, tmp_path: Path) -> None:
    ingest_text(fresh, tmp_path / "ferry.txt", FERRY)
    captain = fresh.ask("How old is the ferry's captain?")
    assert not captain.abstained, captain.text
    assert captain.citations[0].quote.startswith("The ferry's captain, 58"), captain.text
    # No age is given for the deckhand: "at 9:30 a.m." and "two-year" are no answer.
    deckhand = fresh.ask("How old was the deckhand who jumped overboard?")
    assert not any("9:30" in c.quote or "two-year" in c.quote for c in deckhand.citations), (
        deckhand.text
    )


def test_how_much_is_spent_wants_a_sum(fresh: Assistant, tmp_path: Path) -> None:
    ingest_text(fresh, tmp_path / "ferry.txt", FERRY)
    # "spending" asks for money as "spend" does; the review's "two-year" is no sum.
    review = fresh.ask("How much is the county spending on the ferry safety review?")
    assert not any("two-year" in c.quote for c in review.citations), review.text
    paid = fresh.ask("How much did the ferry company pay to the families?")
    assert "£300,000" in paid.text, paid.text


def test_saying_yes_to_something_is_no_question_about_words(
    fresh: Assistant, tmp_path: Path
) -> None:
    ingest_text(
        fresh,
        tmp_path / "pool.txt",
        "Marlow votes for a new pool\n"
        "Marlow approved a new public swimming pool in Thursday's referendum, with 62% of "
        "voters in favour.\n"
        "The council will start building next spring.\n",
    )
    answer = fresh.ask("What did Marlow voters say yes to in the referendum?")
    assert not answer.abstained, answer.text
    assert "swimming pool" in answer.text, answer.text


def test_a_quote_run_on_into_the_next_paragraph_is_still_the_speakers(
    fresh: Assistant, tmp_path: Path
) -> None:
    ingest_text(
        fresh,
        tmp_path / "harbour.txt",
        "Harbour plan approved\n"
        "The council approved the harbour plan on Monday after a long debate.\n"
        "Former mayor Ruth Olsen told the meeting: “This plan has been ten years in the making.”\n"
        "“That is why we must finish the sea wall before the winter storms arrive.”\n"
        "Councillor Per Dahl said the budget for the plan was too small.\n",
    )
    # News names the speaker once and runs the statement on: the second paragraph is hers.
    olsen = fresh.ask("What did Ruth Olsen say must be finished before the winter storms?")
    assert not olsen.abstained, olsen.text
    assert "sea wall" in olsen.citations[0].quote, olsen.text
    # ...and no one else's: Per Dahl spoke after it.
    dahl = fresh.ask("What did Per Dahl say about the sea wall?")
    assert all("sea wall" not in c.quote for c in dahl.citations), dahl.text


def test_the_answer_leads_with_the_words_that_answer(fresh: Assistant, tmp_path: Path) -> None:
    ingest_text(
        fresh,
        tmp_path / "rescue.txt",
        "Fishing boat crew rescued\n"
        "Coastguards rescued seven fishermen from a sinking trawler off Harwick on 14 March 2024.\n"
        "The rescue was led by lifeboat coxswain Mara Lind, who has served for twenty years.\n"
        "The trawler's owner said repairs would cost £80,000.\n"
        "The crew were taken to hospital because they were cold.\n",
    )
    for question, words in (
        ("How many fishermen were rescued?", "seven fishermen"),
        ("Who led the rescue?", "Mara Lind"),
        ("How much would the repairs cost?", "£80,000"),
        ("When were the fishermen rescued?", "14 March 2024"),
    ):
        answer = fresh.ask(question)
        assert answer.direct == words, (question, answer.text)
        assert answer.text.startswith(f"{words} [1]."), answer.text
        # The words are the cited sentence's own: the first citation quotes them.
        assert words in answer.citations[0].quote
        assert answer.to_dict()["direct"] == words
    # "Who is X?" asks what X is, and "why" for a reason: no words to lead with.
    for question in ("Who is Mara Lind?", "Why were the crew taken to hospital?"):
        answer = fresh.ask(question)
        assert answer.direct == "" and not answer.text.startswith("Mara Lind ["), answer.text


def test_what_did_the_director_say_finds_the_speaker_by_their_role(
    fresh: Assistant, tmp_path: Path
) -> None:
    ingest_text(
        fresh,
        tmp_path / "museum.txt",
        "Harbour museum to reopen\n"
        "The harbour museum has been closed since the storm damaged its roof last winter.\n"
        "“We will open the doors again in May, with the old boats back on show,” said Leigh Moss "
        "who is the Harbour Museum director.\n"
        "The mayor, Tom Reed, said the council would pay for the new roof.\n",
    )
    # The question names her by her role, which the text gives after her name.
    director = fresh.ask("What did the museum director say about reopening?")
    assert not director.abstained, director.text
    assert "open the doors again in May" in director.citations[0].quote, director.text
    # Her words are not the mayor's.
    mayor = fresh.ask("What did the mayor say about the roof?")
    assert all("open the doors" not in c.quote for c in mayor.citations), mayor.text


def test_how_many_is_answered_by_the_figure_before_the_noun_asked(
    fresh: Assistant, tmp_path: Path
) -> None:
    ingest_text(
        fresh,
        tmp_path / "eureka.txt",
        "Brain study times the eureka moment\n"
        "Neuroscientists in Oslo studied the moment a decision feels certain.\n"
        "To find out, the researchers invited nine people to press a button whenever a light "
        "changed colour.\n"
        "The findings were published in a journal on Friday.\n",
    )
    # The sentence shares few of the question's words, but holds the figure it asks for.
    answer = fresh.ask("How many people took part in the experiment?")
    assert not answer.abstained, answer.text
    assert answer.text.startswith("nine people [1]."), answer.text
    assert "nine people" in answer.citations[0].quote
