"""The learned answer selector (assistant/answer/selector.py): what a user would notice of it.

Short articles written for these tests; the model is the one shipped in assistant/models/selector/.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from assistant import Assistant
from assistant.answer.selector import (
    MODEL_DIR,
    AnswerSelector,
    Candidate,
    pair_text,
    shared_selector,
)

from ..conftest import offline_settings

BRIDGE = (
    "A new bridge for Millbrook\n"
    "by Dana Reyes\n"
    "The town council of Millbrook met on Monday to talk about the new bridge over the river. "
    "Council members said the bridge over the river had been discussed for years. "
    "The bridge was designed by the engineer Tomas Varga, who also built the station. "
    "Construction will cost 12 million dollars and should end in 2027. "
    "Residents asked for a footpath on both sides."
)


@pytest.fixture(scope="module")
def selector() -> AnswerSelector:
    return shared_selector()


def test_model_ships_with_the_package_and_loads_without_network(selector: AnswerSelector) -> None:
    assert selector.available
    size_mb = (MODEL_DIR / "model.onnx").stat().st_size / 1e6
    assert 5 < size_mb < 60
    card = (MODEL_DIR / "CARD.md").read_text()
    assert "python -m bench.train_selector" in card
    assert selector.score("Who?", ["Someone."]).shape == (1,)


def test_the_sentence_that_answers_beats_one_that_only_shares_its_words(
    selector: AnswerSelector,
) -> None:
    question = "Who designed the new bridge over the river?"
    scores = selector.score(
        question,
        [
            Candidate(
                "Council members said the bridge over the river had been discussed for years."
            ),
            Candidate(
                "The bridge was designed by the engineer Tomas Varga, who also built the station."
            ),
            Candidate("Residents asked for a footpath on both sides."),
        ],
    )
    assert int(np.argmax(scores)) == 1
    assert scores[1] > max(scores[0], scores[2]) + 0.2


def test_a_question_the_sentences_do_not_answer_scores_low_everywhere(
    selector: AnswerSelector,
) -> None:
    sentences = [s + "." for s in BRIDGE.split("\n", 2)[2].split(". ") if s]
    scores = selector.score("What did the mayor say about the flood insurance?", sentences)
    answered = selector.score("How much will the bridge cost?", sentences)
    assert scores.max() < answered.max()
    assert sentences[int(np.argmax(answered))].startswith("Construction will cost")


def test_the_candidate_is_read_first_and_its_neighbours_after() -> None:
    text = pair_text(Candidate(" It opened  in 2020. ", before="The museum is new.", after="Go."))
    assert text == "It opened in 2020. [SEP] The museum is new. Go."
    assert pair_text("Alone.") == "Alone."


def test_scores_barely_depend_on_what_is_scored_with_them(selector: AnswerSelector) -> None:
    # Dynamic int8 quantisation scales activations per batch, so a batch moves scores a little;
    # never the order.
    question = "How much will the bridge cost?"
    pair = ["Construction will cost 12 million dollars.", "Residents asked for a footpath."]
    together = selector.score(question, pair)
    alone = np.array([selector.score(question, [c])[0] for c in pair])
    assert np.allclose(together, alone, atol=0.3)
    assert together[0] > together[1] and alone[0] > alone[1]
    assert np.array_equal(together, selector.score(question, pair))  # the same batch: the same


def test_a_missing_model_leaves_the_answerer_working(tmp_path: Path) -> None:
    missing = AnswerSelector(tmp_path / "nothing-here")
    assert not missing.available
    assistant = Assistant.open(settings=offline_settings(tmp_path / "index"))
    assistant.extractive.ranker.selector = missing
    (tmp_path / "bridge.txt").write_text(BRIDGE, encoding="utf-8")
    assert assistant.ingest([tmp_path / "bridge.txt"]).ok
    answer = assistant.ask("Who designed the new bridge?")
    assert "Tomas Varga" in answer.text


def test_asked_through_the_assistant_the_answering_sentence_is_cited_first(
    tmp_path: Path,
) -> None:
    assistant = Assistant.open(settings=offline_settings(tmp_path / "index"))
    (tmp_path / "bridge.txt").write_text(BRIDGE, encoding="utf-8")
    assert assistant.ingest([tmp_path / "bridge.txt"]).ok
    answer = assistant.ask("Who designed the new bridge over the river?")
    assert not answer.abstained
    assert "Tomas Varga" in answer.citations[0].quote
