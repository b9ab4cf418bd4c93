"""Word alignment (assistant/answer/align.py) with the real embedding model: the sentence that
answers matches the question's words better than one that only shares its topic."""

from __future__ import annotations

from pathlib import Path

from assistant import Assistant
from assistant.answer.align import MAX_WINDOW_CHARS, Window, align

from ..conftest import offline_settings


def windows(text: str, sentences: list[str], context: bool = False) -> list[Window]:
    out = []
    for s in sentences:
        start = text.index(s)
        end = start + len(s)
        out.append(
            Window("doc", text, start, end, 0 if context else start, len(text) if context else end)
        )
    return out


def test_the_answering_sentence_aligns_better_than_a_topical_one(bundled: Assistant) -> None:
    season = "Cam Newton had one of his best seasons, throwing for 3,837 yards and 35 touchdowns."
    play = "Newton completed a 45-yard pass to Ted Ginn Jr. on the Denver 35-yard line."
    text = f"{season} {play}"
    topical, answering = align(
        bundled.embed,
        "Who was on the receiving end of a long pass from Newton?",
        windows(text, [season, play]),
    )
    assert answering.sentence > topical.sentence


def test_a_sentence_is_read_with_its_neighbours(bundled: Assistant) -> None:
    before = "Amara Okafor left the central bank in 2019."
    sentence = "She then worked as an adviser to the World Bank in Washington."
    text = f"{before} {sentence}"
    (alone,) = align(
        bundled.embed, "Where did Okafor work after the central bank?", windows(text, [sentence])
    )
    (read,) = align(
        bundled.embed,
        "Where did Okafor work after the central bank?",
        windows(text, [sentence], context=True),
    )
    assert read.window > alone.window  # the window holds "Okafor" and "central bank"
    assert abs(read.sentence - alone.sentence) < 0.2  # the sentence's own words, in context


def test_long_windows_and_many_passages_of_one_document(bundled: Assistant) -> None:
    sentences = [f"Sentence number {i} tells of the harbour and its {i} ships." for i in range(60)]
    text = " ".join(sentences)
    assert len(text) > MAX_WINDOW_CHARS
    spans = windows(text, sentences, context=True)  # every window is the whole long text
    got = align(bundled.embed, "How many ships were in the harbour?", spans)
    assert len(got) == len(spans)
    assert all(0.0 < a.sentence <= a.window <= 1.0 for a in got)


def test_an_article_is_answered_by_the_sentence_that_answers(tmp_path: Path) -> None:
    article = tmp_path / "minister.txt"
    article.write_text(
        "New finance minister takes office\n\n"
        "Amara Okafor left the central bank in 2019 after a dispute over interest rates.\n\n"
        "On Monday she was sworn in as finance minister, promising to cut inflation within "
        "two years.\n\n"
        "The opposition said her appointment was a reward for loyalty, not for skill.\n",
        encoding="utf-8",
    )
    assistant = Assistant(offline_settings(tmp_path / "index"))
    assistant.ingest(article)
    answer = assistant.ask("When was Okafor sworn in?")
    assert not answer.abstained, answer.text
    assert answer.citations[0].quote.startswith("On Monday she was sworn in")


def test_a_text_read_again_gives_the_same_vectors_and_the_cache_stays_bounded() -> None:
    """Questions about one article read the same stretches again: the second read is the first
    one's vectors, and what is kept stays under its bound, the latest text kept."""
    from assistant.index.embeddings import MiniLMEmbedding

    texts = [
        f"Sentence number {i} of the article says that the talks went on for {i} days."
        for i in range(12)
    ]
    fresh = MiniLMEmbedding(token_cache_pieces=0)  # keeps nothing: every read runs the model
    bounded = MiniLMEmbedding(token_cache_pieces=60)
    first = bounded.token_vectors(texts[:1])[0]
    for text in texts:
        last = bounded.token_vectors([text])[0]
        assert 0 < bounded.cached_pieces() <= 60
    again = bounded.token_vectors(texts[-1:])[0]
    assert again.vectors is last.vectors  # kept, not run again
    reference = fresh.token_vectors(texts[-1:])[0]
    assert again.pieces == reference.pieces
    assert (again.vectors == reference.vectors).all()
    assert (again.spans == reference.spans).all()
    assert fresh.cached_pieces() == 0
    # The first text was dropped to make room, and reads the same when read again.
    assert (bounded.token_vectors(texts[:1])[0].vectors == first.vectors).all()
