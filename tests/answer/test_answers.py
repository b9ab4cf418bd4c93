"""End to end on the bundled article: the dev questions, citations and their offsets."""

from __future__ import annotations

from typing import Any

import pytest

from assistant import Answer, Assistant

from ..conftest import BUNDLED, DEV_SEED, ROOT, load_jsonl
from ..helpers import check_offsets

# The shared dev questions, then questions of the same kind written for this project (some of
# them added when the answerer got them wrong: bylines, headlines, when-questions).
SEED = load_jsonl(DEV_SEED) + load_jsonl(ROOT / "tests" / "data" / "more_questions.jsonl")

# Seed questions the offline answerer still gets wrong, and why. Reported, not hidden: the
# evaluation harness counts them, and these tests turn green when they are fixed.
KNOWN_MISSES = {
    "d12": "MiniLM ranks Kamal Alam's 'weaponry' sentence above the S-400 'missile deal'",
    "m13": "word alignment matches 'GDP' with '£4.1 billion': answerability 0.53, not below 0.5",
}


@pytest.mark.parametrize("case", SEED, ids=[c["id"] for c in SEED])
def test_dev_question(
    bundled: Assistant, case: dict[str, Any], request: pytest.FixtureRequest
) -> None:
    if case["id"] in KNOWN_MISSES:
        request.applymarker(pytest.mark.xfail(reason=KNOWN_MISSES[case["id"]], strict=False))
    answer = bundled.ask(case["q"], history=case.get("history"))
    check_offsets(bundled, answer)
    if case.get("abstain"):
        assert answer.abstained, answer.text
        assert answer.citations == []
        assert answer.text.startswith("The articles don't say")
        return
    assert not answer.abstained, answer.text
    assert any(s.lower() in answer.text.lower() for s in case["any"]), answer.text
    supported = [c for c in answer.citations if any(s in c.quote for s in case["support"])]
    assert supported, [c.quote for c in answer.citations]
    # The passage that answers is cited first.
    assert any(s in answer.citations[0].quote for s in case["support"] + case["any"]) or (
        answer.citations[0].quote in answer.text.split("]")[0]
    )


def test_who_warned_names_the_analyst_and_cites_his_words(bundled: Assistant) -> None:
    answer = bundled.ask("Who warned about Russia's reaction?")
    assert "James Hackett" in answer.text
    assert answer.text.index("James Hackett") < 40  # the answer leads with him
    quotes = [c.quote for c in answer.citations]
    assert any("Russia would likely weigh carefully" in q for q in quotes), quotes
    assert any(q.startswith("James Hackett") for q in quotes), quotes
    check_offsets(bundled, answer)
    assert all(c.source == str(BUNDLED.resolve()) for c in answer.citations)
    assert answer.citations[0].title.startswith("Russia And Vladimir Putin")
    assert answer.citations[0].author == "Thomas Mackie"


def test_follow_up_is_read_with_the_history(bundled: Assistant) -> None:
    first = bundled.ask("Who is James Hackett?")
    assert "International Institute for Strategic Studies" in first.text
    follow = bundled.ask("What did he say Russia would do?", history=["Who is James Hackett?"])
    assert "Hackett" in follow.question
    assert "weigh carefully" in follow.text, follow.text
    without = bundled.ask("What did he say Russia would do?")
    assert without.question == "What did he say Russia would do?"


def test_stream_yields_text_then_the_answer(bundled: Assistant) -> None:
    pieces = list(bundled.stream("Who is Kamal Alam?"))
    final = pieces[-1]
    assert isinstance(final, Answer)
    assert "".join(p for p in pieces[:-1] if isinstance(p, str)) == final.text
    assert len(pieces) > 3


def test_timings_and_backend_reported(bundled: Assistant) -> None:
    answer = bundled.ask("Who is Kamal Alam?")
    assert answer.backend == "extractive"
    assert answer.timings_ms["total"] > 0
    assert answer.timings_ms["retrieve"] > 0


def test_when_question_cites_the_dated_sentence_then_the_event(bundled: Assistant) -> None:
    # The date is two sentences after the visit it belongs to; both are cited, date first.
    answer = bundled.ask("When did the Indian experts visit Pakistan?")
    quotes = [c.quote for c in answer.citations]
    assert "April 28 and April 30" in quotes[0], quotes
    assert any(q.startswith("This comes after Indian experts visited Pakistan") for q in quotes)
    check_offsets(bundled, answer)


def test_what_did_x_say_abstains_when_nobody_by_that_name_is_quoted(bundled: Assistant) -> None:
    # The headline names Putin, but no sentence gives his words.
    answer = bundled.ask("What did Putin say about Pakistan?")
    assert answer.abstained and answer.citations == []
    assert (
        answer.text == "The articles don't say what Putin said: they quote no statement by Putin."
    )


def test_what_did_x_say_gives_only_their_words(bundled: Assistant) -> None:
    answer = bundled.ask("What did Mohammad Faisal say?")
    quotes = [c.quote for c in answer.citations]
    assert quotes[0].startswith("Pakistan’s ministry of foreign affairs, Mohammad Faisal"), quotes
    assert all("Faisal" in q or q.startswith("“Our armed forces") for q in quotes), quotes
    # A speaker already introduced is named again by name, not by the whole title.
    assert "Mohammad Faisal said: “Our armed forces" in answer.text, answer.text


def test_what_did_x_say_gives_all_their_statements_in_order(bundled: Assistant) -> None:
    """Kanwal Sibal is reported once and quoted twice, over two paragraphs."""
    answer = bundled.ask("What did Kanwal Sibal say?")
    quotes = [c.quote for c in answer.citations]
    assert len(quotes) == 3, quotes
    assert quotes[0].startswith("Kanwal Sibal, India’s former foreign secretary")
    assert "Neemrana has had a tough time" in quotes[1]
    assert "I didn't go" in quotes[2]


def test_what_did_x_and_y_say_cites_each_of_them(bundled: Assistant) -> None:
    answer = bundled.ask("What did Kamal Alam and James Hackett say about India?")
    quotes = [c.quote for c in answer.citations]
    assert any(q.startswith("Kamal Alam, a Pakistan analyst") for q in quotes), quotes
    assert any(q.startswith("James Hackett, defence analyst") for q in quotes), quotes
    nobody = bundled.ask("What did Putin and Modi say about Pakistan?")
    assert nobody.abstained and nobody.text.endswith("no statement by Putin or Modi.")


def test_yes_no_question_is_not_answered_by_a_sentence_that_does_not_settle_it(
    bundled: Assistant,
) -> None:
    answer = bundled.ask("Did India cancel the S-400 deal?")
    assert not answer.abstained
    assert answer.text.startswith(
        "The articles don't say so directly (the closest passages don't mention “cancel”):"
    ), answer.text
    assert answer.sentences[0].citations == []
    settled = bundled.ask("Was the S-400 deal signed in 2016?")
    assert settled.text.startswith("India’s 2016"), settled.text


def test_who_is_x_leads_with_the_sentence_that_says_who_they_are(bundled: Assistant) -> None:
    # His later quote matches the question only through its speaker; the sentence naming him
    # with his office is the answer.
    answer = bundled.ask("Who is Mohammad Faisal?")
    assert answer.text.startswith("Pakistan’s ministry of foreign affairs, Mohammad Faisal"), (
        answer.text
    )
    assert answer.citations[0].quote.startswith("Pakistan’s ministry of foreign affairs")


def test_where_question_is_not_answered_by_a_possessive(bundled: Assistant) -> None:
    # "because of India’s potential reaction" names no place; the visit to Pakistan does.
    answer = bundled.ask("Where did the Indian experts go?")
    assert answer.text.startswith("This comes after Indian experts visited Pakistan"), answer.text
    check_offsets(bundled, answer)


def test_yes_no_hedge_names_only_the_words_the_passages_lack(bundled: Assistant) -> None:
    # Not the opening "Has", nor "weapons" (the passage says "weaponry").
    answer = bundled.ask("Has India bought weapons from the West?")
    assert answer.text.startswith(
        "The articles don't say so directly (the closest passages don't mention “bought”):"
    ), answer.text
    assert "weaponry" in answer.citations[0].quote


def test_follow_up_pronouns_stand_for_what_the_conversation_named(bundled: Assistant) -> None:
    # "he": the person the answer before named (the question named none).
    first = bundled.ask("Who warned about Russia's reaction?")
    history = [
        {"role": "user", "content": "Who warned about Russia's reaction?"},
        {"role": "assistant", "content": first.text},
    ]
    works = bundled.ask("Where does he work?", history=history)
    assert works.question == "Where does James Hackett work?"
    assert "International Institute for Strategic Studies" in works.citations[0].quote
    # "they": the group the question before asked about, not the last name in it.
    met = bundled.ask(
        "What did they discuss?", history=["When did the Indian experts visit Pakistan?"]
    )
    assert met.question == "What did the Indian experts discuss?"
    assert "bilateral ties" in met.text, met.text
    # ... and not one the question names already.
    heard = bundled.ask("Did Russia listen to them?", history=["What did India plead with Russia?"])
    assert heard.question == "Did Russia listen to India?"
    # "it": what the question before was about.
    worth = bundled.ask("How much was it worth?", history=[("Tell me about the S-400 deal", "")])
    assert worth.question == "How much was the S-400 deal worth?"
    assert "£4.1 billion" in worth.text, worth.text
    # An "it" that is the article is left for the article's date.
    dated = bundled.ask("When was it published?", history=[("Tell me about the S-400 deal", "")])
    assert dated.question == "When was it published?" and "gives no date" in dated.text
    # An "it" that stands for nothing is left alone.
    true = bundled.ask("Is it true that Russia could back Pakistan?", history=["What is Track II?"])
    assert true.question == "Is it true that Russia could back Pakistan?"


def test_summary_is_the_articles_lead(bundled: Assistant) -> None:
    for question in (
        "Summarize the article",
        "What is this article about?",
        "Give me three key facts.",
        "What are the key takeaways?",
        "Give me the highlights",
    ):
        answer = bundled.ask(question)
        assert not answer.abstained, answer.text
        quotes = [c.quote for c in answer.citations]
        # The standfirst and the first sentences after it: not the headline, not the byline.
        assert quotes[0].startswith("RUSSIA could back Pakistan and turn on India"), quotes
        assert quotes[1].startswith("India has repeatedly pleaded with Russia"), quotes
        assert not any(q.startswith("by Thomas Mackie") for q in quotes)
        check_offsets(bundled, answer)


def test_who_is_quoted_lists_the_people_as_the_article_introduces_them(
    bundled: Assistant,
) -> None:
    answer = bundled.ask("Who is quoted in the article?")
    quotes = [c.quote for c in answer.citations]
    assert quotes == [
        "Kamal Alam, a Pakistan analyst at the Royal United Services Institute (RUSI) think tank",
        "James Hackett, defence analyst with the International Institute for Strategic Studies "
        "think tank",
        "One source",
        "Another source",
        "Kanwal Sibal, India’s former foreign secretary",
        "Pakistan’s ministry of foreign affairs, Mohammad Faisal",
    ], quotes
    check_offsets(bundled, answer)
    analysts = bundled.ask("List the analysts mentioned.")
    assert [c.quote.split(",")[0] for c in analysts.citations] == ["Kamal Alam", "James Hackett"]


def test_a_question_naming_what_no_article_mentions_says_so_first(bundled: Assistant) -> None:
    # The closest passage is about Russia, not Kashmir: the answer must not pass for one.
    answer = bundled.ask("What is Russia's position on Kashmir?")
    assert answer.text.startswith("The articles don't mention “Kashmir”; the closest passages:"), (
        answer.text
    )
    assert answer.sentences[0].citations == [] and answer.citations
    # No passage is likely to answer: the abstention names what the articles never mention.
    visit = bundled.ask("When did Modi visit Moscow?")  # Moscow is in the article, Modi is not
    assert visit.abstained
    assert visit.text == "The articles don't say: they don't mention “Modi”.", visit.text
    # Names the article has, in another form ("Pakistani" / "Pakistan") or as the headline's,
    # are no such names.
    for question in (
        "What do Pakistani officials want India to do?",
        "What did Putin sign?",
        "WHO WARNED ABOUT RUSSIA'S REACTION?",  # capitals throughout name nothing
    ):
        assert "don't mention" not in bundled.ask(question).text, question


def test_does_the_article_mention_x_is_answered_yes_with_the_sentence_or_no(
    bundled: Assistant,
) -> None:
    yes = bundled.ask("Does the article mention Track II diplomacy?")
    assert yes.text.startswith("Yes: Track II diplomacy, otherwise known as"), yes.text
    assert yes.citations[0].quote.startswith("Track II diplomacy, otherwise known as")
    named = bundled.ask("Is Kanwal Sibal mentioned?")
    assert named.citations[0].quote.startswith("Kanwal Sibal, India’s former foreign secretary")
    no = bundled.ask("Does the article mention Ukraine?")
    assert no.abstained and no.citations == []
    assert no.text == "No: the articles don't mention “Ukraine”.", no.text


def test_how_many_is_not_answered_by_a_year_a_sum_or_a_model_name(bundled: Assistant) -> None:
    # "India's 2016 £4.1 billion ($5.5 billion) S-400 ... deal" holds digits but counts nothing.
    units = bundled.ask("How many S-400 units has India received?")
    assert units.abstained, units.text
    # "the two nuclear-armed states", next to the experts' visit, counts states, not experts.
    experts = bundled.ask("How many experts visited Pakistan?")
    assert experts.abstained, experts.text
    # ... while a sum still answers "how much".
    cost = bundled.ask("How much was the S-400 deal worth?")
    assert "£4.1 billion" in cost.citations[0].quote, cost.text


def test_what_else_after_all_was_quoted_says_there_is_nothing_more(bundled: Assistant) -> None:
    # The answer before quoted both of Hackett's sentences: the articles do quote him, only
    # nothing more.
    works = bundled.ask("Where does James Hackett work?")
    assert len([c for c in works.citations if "Russia" in c.quote]) == 2, works.text
    history = [("Where does James Hackett work?", works.text)]
    more = bundled.ask("What else did he say?", history=history)
    assert more.abstained and more.citations == []
    assert more.text == "The articles quote nothing more by James Hackett than the answers above."
