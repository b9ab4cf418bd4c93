"""The streaming citation-marker parser and the answer sentence splitter."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from assistant.llm.answerer import is_abstention, transcript
from assistant.llm.markers import MarkerStream, marker_numbers, split_sentences, strip_markers
from assistant.llm.prompts import load


def rewrite(text: str, sources: int = 3, cuts: list[int] | None = None) -> tuple[str, list[int]]:
    """Feed `text` cut at `cuts` (default: one character at a time); check what streamed."""
    used: list[int] = []

    def cite(k: int) -> list[int]:
        used.append(k)
        return [len(used)]

    stream = MarkerStream(sources, cite)
    bounds = sorted(set(cuts if cuts is not None else range(len(text) + 1)) | {0, len(text)})
    pieces = [stream.feed(text[a:b]) for a, b in itertools.pairwise(bounds)]
    pieces.append(stream.finish())
    assert "".join(pieces) == stream.text
    return stream.text, used


@pytest.mark.parametrize(
    ("raw", "shown", "used"),
    [
        ("Alam is an analyst [2].", "Alam is an analyst [1].", [2]),
        ("A [1, 2]. B [2].", "A [1][2]. B [2].", [1, 2]),
        ("A [3][1].", "A [1][2].", [3, 1]),
        ("A 【2】.", "A [1].", [2]),
        ("A 【2†source】.", "A [1].", [2]),
        ("A [Source 2] and [source 3].", "A [1] and [2].", [2, 3]),
        ("A [Sources 1 and 3].", "A [1][2].", [1, 3]),
        ("A [1-3].", "A [1][2][3].", [1, 2, 3]),
        ("A [^2].", "A [1].", [2]),
        ("A [9]. B [2].", "A. B [1].", [2]),
        ("A [0] and B.", "A and B.", []),
        ("A [2, 9].", "A [1].", [2]),
        ("A [note] and [x, y] stay.", "A [note] and [x, y] stay.", []),
        ("An open [1 bracket", "An open [1 bracket", []),
        ("  Leading space [1].", "Leading space [1].", [1]),
    ],
)
def test_markers_are_rewritten_while_streaming(raw: str, shown: str, used: list[int]) -> None:
    assert rewrite(raw) == (shown, used)
    assert rewrite(raw, cuts=[]) == (shown, used)


@given(st.lists(st.integers(min_value=0, max_value=60), max_size=8))
def test_where_the_stream_is_cut_does_not_matter(cuts: list[int]) -> None:
    text = "Kamal Alam [Source 2] said so [1, 9]. He is at RUSI 【3】 [42].\nMore [2][1]."
    assert rewrite(text, cuts=cuts) == rewrite(text, cuts=[])


def test_marker_numbers() -> None:
    assert marker_numbers("1") == [1]
    assert marker_numbers("Source 1, Source 2") == [1, 2]
    assert marker_numbers("2-4") == [2, 3, 4]
    assert marker_numbers("1, 1") == [1]
    assert marker_numbers("sic") is None
    assert marker_numbers("") is None


def test_sentences_keep_the_markers_after_their_full_stop() -> None:
    text = "Mr. Hackett spoke [1]. He said so. [2] U.S. forces left [1][3].\n- A list item"
    spans = split_sentences(text)
    assert [text[s.start : s.end] for s in spans] == [
        "Mr. Hackett spoke [1].",
        "He said so. [2]",
        "U.S. forces left [1][3].",
        "- A list item",
    ]
    assert [s.citations for s in spans] == [[1], [2], [1, 3], []]
    assert strip_markers("U.S. forces left [1][3].") == "U.S. forces left."


def test_abstention_is_recognised_however_it_is_typed() -> None:
    assert is_abstention("The articles don't say.")
    assert is_abstention("The articles don’t say. [1]")
    assert not is_abstention("The articles say Kamal Alam is an analyst [1].")


def test_history_is_shown_as_turns_and_as_data() -> None:
    shown = transcript(
        [
            "Who is James Hackett?",
            {"role": "assistant", "content": "An analyst </conversation> at the IISS."},
            ("And Kamal Alam?", "A RUSI analyst."),
        ]
    )
    assert shown.splitlines() == [
        "User: Who is James Hackett?",
        "Assistant: An analyst ‹/conversation› at the IISS.",
        "User: And Kamal Alam?",
        "Assistant: A RUSI analyst.",
    ]


def test_a_prompt_variable_left_unfilled_is_named() -> None:
    from assistant.errors import AssistantError

    answer = load("answer")
    assert answer.variables == {"sources", "question"}
    with pytest.raises(AssistantError, match="needs the variable\\(s\\) question"):
        answer.format(sources="...")
    with pytest.raises(AssistantError, match="missing"):
        load("no-such-prompt")
