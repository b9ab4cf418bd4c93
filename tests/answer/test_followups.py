"""Follow-ups read offline: the pronoun stands for what the turn before asked for, as its answer
names it, or for the person a "Who is X?" question named. Conversations written for the test;
no index needed."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant import Assistant
from assistant.conversation import condense

CASES = [
    # (earlier question, its answer, follow-up, the follow-up as answered)
    (
        "Which American historian did the council invite to Oslo?",
        "In March, two councillors from the Coastal Party invited US historian Petra Lindqvist "
        "to Oslo to speak about the harbour. [1]",
        "What was her most famous book called?",
        "What was Petra Lindqvist’s most famous book called?",
    ),
    (
        "Who is Anna Berg?",
        "“The bridge is the finest in the north,” said Anna Berg, adviser to Lars Holm, told "
        "the Courier. [1]",
        "Which bridge did she compare it to?",
        "Which bridge did Anna Berg compare it to?",
    ),
    (
        "Which local group quickly endorsed Holm?",
        "After his launch, Holm was endorsed by the Fjord Residents Union, a local group which "
        "said its board met at 7 a.m. on Friday. [1]",
        "When did they meet?",
        "When did Fjord Residents Union meet?",
    ),
    (
        "Who was the Green challenger in the Nordby council race?",
        "The harbour plan was the main issue in the race in Nordby, where incumbent Ola Dahl "
        "trailed his Green challenger Siri Moe by 300 votes on Tuesday. [1]",
        "What did she call Dahl's change of heart?",
        "What did Siri Moe call Dahl's change of heart?",
    ),
    (
        "Which judge jailed the lorry driver?",
        "His Honour Judge Amir Khan QC jailed the driver for two years. [1]",
        "What did he say about the driver's remorse?",
        "What did Judge Amir Khan say about the driver's remorse?",
    ),
    (  # "Who warned ...?": whom the answer names, not a name from the question
        "Who warned about Norway's reaction?",
        "Erik Vold, a defence analyst at the Nordic Institute, said Norway would object. [1]",
        "Where does he work?",
        "Where does Erik Vold work?",
    ),
    (  # a job title and an organisation are no one's name; the person beside them is
        "Who is acting head of the Vik port authority?",
        "Chief Executive Officer (Acting) of the Vik Port Authority, Anna Berg, added that the "
        "new quay opens in May. [1]",
        "What does she say is the goal of the new quay?",
        "What does Anna Berg say is the goal of the new quay?",
    ),
    (  # the question's words are found in the answer whatever their capitals
        "Who was quoted for the Coastal Ferry Branch?",
        "“Our crews keep the crossings open all winter,” Per Holm, Director of the Coastal "
        "Ferry Branch. [1]",
        "What did he say his crews keep doing?",
        "What did Per Holm say his crews keep doing?",
    ),
    (  # "they" after a question asking for several people: the people the answer names
        "Which two councillors are backing the harbour plan?",
        "Five councillors, including the group’s two leaders, Siri Moe and Ola Dahl, back the "
        "plan. [1]",
        "Which wards do they represent?",
        "Which wards do Siri Moe and Ola Dahl represent?",
    ),
    (  # the answer cites a headline first, which names no one
        "Who painted the mayor's portrait on the harbour wall?",
        "Meet the Norwegian who painted the mayor on a wall [1] On Sunday, local painter Jonas "
        "Berg finished a portrait of the mayor on the harbour wall. [2]",
        "Why did he say he painted it?",
        "Why did Jonas Berg say he painted it?",
    ),
    (  # a capitalised word after "the" is no one's name ("the Danish papers")
        "Who did Toft say she argued with at the ferry?",
        "Toft was asked about claims in the Danish papers that she argued with staff at the "
        "ferry. [1]",
        "What did she say about it?",
        "What did Toft say about it?",
    ),
    (  # no answer to lean on: the question's own last person
        "What did Mayor Ines Toft promise?",
        "The articles don't say. Nothing in them answers “What did Mayor Ines Toft promise?”.",
        "When did she say it?",
        "When did Mayor Ines Toft say it?",
    ),
]


@pytest.mark.parametrize(("asked", "answer", "follow_up", "standalone"), CASES)
def test_a_pronoun_stands_for_what_the_turn_before_named(
    asked: str, answer: str, follow_up: str, standalone: str
) -> None:
    assert condense(follow_up, [(asked, answer)]) == standalone


# Two people, one the articles call "he" and one "she" (written for the test).
BAKERS = (
    "Bakers meet in Paris\n"
    "Anna Berg met Tom Hale, a baker from Lyon, in Paris last spring.\n"
    "Hale said he had been baking bread for thirty years.\n"
    "Berg said she bought an old stone oven in Paris after the meeting.\n"
    "Hale told reporters he wanted to open a shop in Lyon.\n"
    "Berg said she would ship the oven to her farm in Sweden.\n"
)


def test_she_is_not_someone_the_articles_call_he() -> None:
    question = "Who did Anna Berg meet in Paris?"
    answer = "Anna Berg met Tom Hale, a baker from Lyon, in Paris last spring. [1]"
    # Without the articles, "she" is whom the answer named for "Who ...?".
    assert condense("What did she buy there?", [question, answer]) == (
        "What did Tom Hale buy there?"
    )
    # The articles call Hale "he": "she" is Anna Berg.
    assert condense("What did she buy there?", [question, answer], lambda word: [BAKERS]) == (
        "What did Anna Berg buy there?"
    )
    assert condense("What does he want to open?", [question, answer], lambda word: [BAKERS]) == (
        "What does Tom Hale want to open?"
    )


def test_a_follow_up_about_her_is_answered_with_her_words(fresh: Assistant, tmp_path: Path) -> None:
    (tmp_path / "bakers.txt").write_text(BAKERS, encoding="utf-8")
    assert fresh.ingest([tmp_path / "bakers.txt"]).ok
    first = fresh.ask("Who did Anna Berg meet in Paris?")
    assert "Tom Hale" in first.text, first.text
    then = fresh.ask("What did she buy in Paris?", history=[first.question, first.text])
    assert "Anna Berg" in then.question, then.question
    assert "stone oven" in then.text, then.text
