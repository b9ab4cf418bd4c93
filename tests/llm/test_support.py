"""The support check on the bundled article's sentences, with the real MiniLM model."""

from __future__ import annotations

import pytest

from assistant import Assistant
from assistant.llm.support import Evidence, SupportChecker, facts, missing_facts, passage_evidence
from assistant.retrieve import Passage

S400 = "India’s 2016 £4.1 billion"
KAMAL = "Kamal Alam, a Pakistan analyst"
HACKETT_QUOTE = "Russia would likely weigh carefully"


def find(assistant: Assistant, fragment: str) -> Passage:
    return next(p for p in assistant.retrieve(fragment) if fragment in p.text)


@pytest.fixture(scope="module")
def evidence(bundled: Assistant) -> list[Evidence]:
    passages = [find(bundled, f) for f in (S400, KAMAL, HACKETT_QUOTE)]
    return passage_evidence(bundled.store, bundled.embed, passages)


@pytest.fixture(scope="module")
def checker(bundled: Assistant) -> SupportChecker:
    return SupportChecker(bundled.embed)


def test_facts_are_numbers_dates_names_and_claim_words() -> None:
    found = facts("The S-400 deal between India and Russia was not cancelled in May 2019.")
    assert {"400", "2019", "may", "india", "russia", "not", "cancelled"} <= set(found)
    assert "the" not in found and "s" not in found


def test_shared_words_do_not_make_a_changed_fact_supported() -> None:
    passage = (
        "India’s 2016 £4.1 billion ($5.5 billion) S-400 surface-to-air missile deal was signed"
    )
    assert missing_facts("The S-400 deal was cancelled in 2019.", passage) == ["2019", "cancelled"]
    assert missing_facts("India signed the S-400 deal in 2016.", passage) == []
    assert missing_facts("The deal was not signed.", passage) == ["not"]
    assert missing_facts("The deal wasn’t signed.", passage) == ["not"]


@pytest.mark.parametrize(
    ("sentence", "source", "supported"),
    [
        ("India signed a $5.5 billion deal for the S-400 missile system in 2016.", 1, True),
        ("The S-400 deal was cancelled in 2019.", 1, False),
        ("India signed the S-400 deal in 2018.", 1, False),
        ("Kamal Alam is a Pakistan analyst at the Royal United Services Institute.", 2, True),
        ("Kanwal Sibal is a Pakistan analyst at the Royal United Services Institute.", 2, False),
        (
            "James Hackett said Russia would likely weigh carefully deeper ties with Pakistan.",
            3,
            True,
        ),
        ("Kamal Alam is a Pakistan analyst.", 3, False),
    ],
)
def test_cited_sentence(
    checker: SupportChecker,
    evidence: list[Evidence],
    sentence: str,
    source: int,
    supported: bool,
) -> None:
    (verdict,) = checker.check([sentence], [[source]], evidence)
    assert verdict.supported is supported, verdict
    assert verdict.citations == [source]
    assert not verdict.reattached


def test_the_speaker_of_a_quote_counts_as_part_of_the_passage(
    checker: SupportChecker, evidence: list[Evidence]
) -> None:
    assert evidence[2].text.startswith("James Hackett")
    (verdict,) = checker.check(
        ["Hackett warned that Russia would weigh carefully"], [[3]], evidence
    )
    assert verdict.supported


def test_an_uncited_sentence_gets_the_passage_that_clearly_supports_it(
    checker: SupportChecker, evidence: list[Evidence]
) -> None:
    uncited = [
        "Kamal Alam works at the Royal United Services Institute.",
        "The S-400 deal was cancelled in 2019.",
        "Pakistan.",
    ]
    verdicts = checker.check(uncited, [[], [], []], evidence)
    assert verdicts[0].supported and verdicts[0].reattached and verdicts[0].citations == [2]
    assert not verdicts[1].supported and verdicts[1].citations == []
    assert not verdicts[2].supported and verdicts[2].citations == []


def test_a_name_the_question_gives_is_no_new_claim(
    checker: SupportChecker, evidence: list[Evidence]
) -> None:
    question = "Which London think tank does Kamal Alam work for?"
    sentence = "The London think tank Kamal Alam works for is the Royal United Services Institute."
    (alone,) = checker.check([sentence], [[2]], evidence)
    assert not alone.supported and "london" in alone.missing, alone
    (asked,) = checker.check([sentence], [[2]], evidence, given=question)
    assert asked.supported, asked
    # a name the question does not give is still a claim the passage must hold
    other = "The London think tank Kanwal Sibal works for is the Royal United Services Institute."
    (changed,) = checker.check([other], [[2]], evidence, given=question)
    assert not changed.supported and "kanwal" in changed.missing, changed


@pytest.mark.parametrize(
    "sentence",
    [
        # A cause the passage never gives, in words close to it in meaning (MiniLM 0.79).
        "Kamal Alam thinks Russia may restrict the weapons it offers Pakistan because it "
        "distrusts the generals who run the country.",
        # A plan the passage never mentions, with no number or name to give it away.
        "Kamal Alam thinks Russia may restrict the weapons it offers Pakistan and wants to sell "
        "more submarines and fighter jets to it.",
    ],
)
def test_a_claim_the_passage_never_makes_is_flagged_though_close_in_meaning(
    checker: SupportChecker, evidence: list[Evidence], sentence: str
) -> None:
    (verdict,) = checker.check([sentence], [[2]], evidence)
    assert not verdict.supported, verdict
    assert verdict.missing == []  # no missing fact: the learned weighing decides
    # The same claim without the invention is supported.
    (kept,) = checker.check(
        [
            "Kamal Alam thinks Russia may restrict the weapons it offers Pakistan, but this could "
            "change if India keeps buying equipment from the West."
        ],
        [[2]],
        evidence,
    )
    assert kept.supported, kept
