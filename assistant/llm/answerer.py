"""Retrieved passages -> a model-written answer whose every sentence cites, and is checked
against, the passages it came from."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator, Mapping, Sequence

from llama_index.core.base.llms.types import ChatMessage, MessageRole

from ..answer import ABSTAIN_TEXT, Answer, AnswerSentence
from ..answer.citations import CitationList, Span
from ..answer.result import renumbered
from ..conversation import History
from ..conversation import condense as offline_condense
from ..errors import LLMError
from ..index import IndexStore
from ..index.embeddings import MiniLMEmbedding
from ..retrieve import Passage
from ..text.lexical import terms
from . import prompts
from .client import ChatModel
from .markers import MarkerStream, split_sentences, strip_markers
from .support import SupportChecker, Verdict, passage_evidence

_ABSTAIN_KEY = re.sub(r"\W", "", ABSTAIN_TEXT.lower())
_HISTORY_TURNS = 6  # earlier turns shown to the model when condensing a follow-up
# Sources shown to the model, the extractive answerer's order (its choice first). A small model
# given all eight retrieved sentences abstained more and took longer to its first token
# (bench/llm_news.py, issue 19).
MAX_SOURCES = 4
_MARKER = re.compile(r"\[(\d+)\]")
# How a model says the sources do not answer, when it does not use the fixed sentence.
_PARAPHRASE = re.compile(
    r"^(?:i'?m sorry,?\s*(?:but\s*)?|unfortunately,?\s*)?"
    r"(?:(?:the|these|this|provided|given)\s+)*"
    r"(?:articles?|sources?|texts?|passages?|context|documents?|information)"
    r"(?:\s+(?:provided|given|above))?\s+"
    r"(?:do(?:es)?n'?t|do(?:es)? not|did not|didn'?t)\s+"
    r"(?:say|mention|state|specify|provide|contain|include|answer|give|tell|indicate|discuss|"
    r"address|have|offer|describe|explain)\b"
    r"|^there (?:is|are) no (?:information|mention|details?|sources?)\b"
    r"|^(?:i\s+)?(?:cannot|can'?t|could not|am unable to|was unable to)\s+"
    r"(?:find|answer|determine|tell)\b"
    r"|^no (?:information|source)\b",
    re.IGNORECASE,
)


def is_abstention(text: str) -> bool:
    """Whether the model's text starts with the fixed abstention sentence, or says in other
    words that the sources do not answer and cites nothing."""
    plain = strip_markers(text).replace("’", "'")
    if re.sub(r"\W", "", plain.lower()).startswith(_ABSTAIN_KEY):
        return True
    return bool(_PARAPHRASE.match(plain)) and not re.search(r"\[\d+\]", text)


def data(text: str) -> str:
    """Article text as inert data: it cannot close or forge the tags that delimit it."""
    return " ".join(text.replace("<", "‹").replace(">", "›").split())


def format_sources(passages: Sequence[Passage]) -> str:
    blocks = []
    for k, p in enumerate(passages, 1):
        lines = [f'<source id="{k}">', f"Article: {data(p.document.title)}"]
        if p.speaker:
            lines.append(f"Speaker of this quote: {data(p.speaker)}")
        lines += [f"Text: {data(p.text)}", "</source>"]
        blocks.append("\n".join(lines))
    return "\n".join(blocks)


def transcript(history: History | None) -> str:
    """The conversation so far as `User:` / `Assistant:` lines (strings are user turns)."""
    lines: list[str] = []
    for item in history or []:
        if isinstance(item, str):
            lines.append(f"User: {item}")
        elif isinstance(item, Mapping):
            content = item.get("content")
            if isinstance(content, str) and item.get("role") in ("user", "assistant"):
                role = "User" if item["role"] == "user" else "Assistant"
                lines.append(f"{role}: {content}")
        elif isinstance(item, Sequence) and item:
            if isinstance(item[0], str):
                lines.append(f"User: {item[0]}")
            if len(item) > 1 and isinstance(item[1], str):
                lines.append(f"Assistant: {item[1]}")
    lines = lines[-_HISTORY_TURNS:]
    return "\n".join(data(line)[:1000] for line in lines)


class LLMAnswerer:
    """Writes the answer with the chat model; citations are the retrieved sentences' spans."""

    def __init__(self, chat: ChatModel, store: IndexStore, embed: MiniLMEmbedding) -> None:
        self.chat = chat
        self.store = store
        self.embed = embed
        self.support = SupportChecker(embed)

    @property
    def name(self) -> str:
        return self.chat.name

    def condense(self, question: str, history: History | None) -> str:
        """The follow-up rewritten by the model as a standalone question; the offline rewrite
        when the model's reply does not look like one (empty, rambling, or about nothing the
        conversation mentions)."""
        conversation = transcript(history)
        if not conversation:
            return question
        prompt = prompts.load("condense").format(history=conversation, question=data(question))
        reply = self.chat.complete([ChatMessage(role=MessageRole.USER, content=prompt)])
        lines = [line.strip() for line in reply.strip().splitlines() if line.strip()]
        first = lines[0] if lines else ""
        rewritten = re.sub(r"^(standalone question|question)\s*:\s*", "", first, flags=re.I)
        rewritten = rewritten.strip().strip('"“”').strip()
        said = set(terms(question + " " + conversation)) - set(terms("User Assistant"))
        related = set(terms(rewritten)) & said
        if (
            not related
            or len(rewritten) > max(500, 4 * len(question))
            or _names_a_speaker_label(question, rewritten)
        ):
            return offline_condense(question, history)
        return rewritten

    def messages(self, question: str, passages: Sequence[Passage]) -> list[ChatMessage]:
        system = prompts.load("system").format(abstain=ABSTAIN_TEXT)
        user = prompts.load("answer").format(sources=format_sources(passages), question=question)
        return [
            ChatMessage(role=MessageRole.SYSTEM, content=system),
            ChatMessage(role=MessageRole.USER, content=user),
        ]

    def stream(self, question: str, passages: Sequence[Passage]) -> Iterator[str | Answer]:
        """Text pieces as the model writes them (markers rewritten), then the checked Answer."""
        started = time.perf_counter()
        passages = list(passages)[:MAX_SOURCES]
        cites = CitationList()
        parser = MarkerStream(len(passages), lambda k: cite_source(cites, passages, k))
        first_token = None
        for piece in self.chat.stream(self.messages(question, passages)):
            out = parser.feed(piece)
            if out:
                first_token = first_token or time.perf_counter()
                yield out
        out = parser.finish()
        if out:
            first_token = first_token or time.perf_counter()
            yield out
        generated = time.perf_counter()
        text = parser.text
        if not text.strip():
            raise LLMError(
                f"the model '{self.chat.model}' at {self.chat.url} returned an empty answer; "
                "set ASSISTANT_MODEL to another model."
            )
        timings = {
            "first_token": round(((first_token or generated) - started) * 1000, 2),
            "generate": round((generated - started) * 1000, 2),
        }
        if is_abstention(text):
            answer = Answer(
                text=strip_markers(text),
                citations=[],
                abstained=True,
                backend=self.name,
                question=question,
                note="the model found no answer in the retrieved passages",
            )
        else:
            answer = self.finish(question, text, passages, parser.used, cites)
        timings["check"] = round((time.perf_counter() - generated) * 1000, 2)
        answer.timings_ms = timings
        yield answer

    def finish(
        self,
        question: str,
        text: str,
        passages: Sequence[Passage],
        used: Mapping[int, list[int]],
        cites: CitationList,
    ) -> Answer:
        """Check every sentence against its cited passages; re-attach, flag, or drop a cited
        passage that adds nothing to the sentence."""
        source_of = {numbers[0]: k for k, numbers in used.items()}
        spans = split_sentences(text)
        claims = [strip_markers(text[s.start : s.end]) for s in spans]
        checked = [i for i, claim in enumerate(claims) if not is_abstention(claim)]
        verdicts = self.support.check(
            [claims[i] for i in checked],
            [[source_of[n] for n in spans[i].citations if n in source_of] for i in checked],
            passage_evidence(self.store, self.embed, passages),
            given=question,
        )
        by_sentence: dict[int, Verdict] = dict(zip(checked, verdicts, strict=True))
        pieces: list[str] = []
        sentences: list[AnswerSentence] = []
        position = 0
        for i, span in enumerate(spans):
            pieces.append(text[position : span.start])
            sentence = text[span.start : span.end]
            numbers = list(span.citations)
            verdict = by_sentence.get(i)
            if verdict is not None and verdict.reattached:
                added = [n for k in verdict.citations for n in cite_source(cites, passages, k)]
                added = list(dict.fromkeys(n for n in added if n not in numbers))
                sentence = _append_markers(sentence, added)
                numbers += added
            if verdict is not None and verdict.unneeded:
                kept = {n for k in verdict.citations if k not in verdict.unneeded for n in used[k]}
                dropped = {n for k in verdict.unneeded for n in used[k]} - kept
                sentence = _without_markers(sentence, dropped)
                numbers = [n for n in numbers if n not in dropped]
            pieces.append(sentence)
            position = span.end
            supported = verdict.supported if verdict is not None else True
            sentences.append(AnswerSentence(sentence, numbers, supported))
        pieces.append(text[position:])
        return renumbered(
            Answer(
                text="".join(pieces),
                citations=cites.citations,
                abstained=False,
                backend=self.name,
                question=question,
                sentences=sentences,
            )
        )


def _without_markers(sentence: str, numbers: set[int]) -> str:
    """`sentence` without the `[n]` markers of these citation numbers."""
    if not numbers:
        return sentence
    return re.sub(
        r"\[(\d+)\]", lambda m: "" if int(m.group(1)) in numbers else m.group(0), sentence
    )


def cite_source(cites: CitationList, passages: Sequence[Passage], k: int) -> list[int]:
    """Citation numbers for source k: its words, then, for a quote whose speaker is named in an
    earlier sentence ("He stated: ..." a paragraph up), the words that say whose they are."""
    p = passages[k - 1]
    numbers = [cites.cite(Span(p.document, p.start, p.end))]
    if p.quoted:
        speaker = cites.cite(Span(p.document, p.speaker_start, p.speaker_end))
        if speaker not in numbers:
            numbers.append(speaker)
    return numbers


def _append_markers(sentence: str, numbers: list[int]) -> str:
    """`sentence` with `[n]` markers before its closing punctuation."""
    markers = "".join(f"[{n}]" for n in numbers)
    body = sentence.rstrip()
    end = len(body)
    while end > 0 and body[end - 1] in ".!?…\"”’')":
        end -= 1
    return f"{body[:end]} {markers}{body[end:]}"


# The transcript's speaker labels: a rewrite that puts one where a pronoun was ("What did the
# assistant say ...?") read the transcript, not the conversation.
_ROLES = re.compile(r"\b(?:the\s+)?(?:assistant|user)\b", re.IGNORECASE)


def _names_a_speaker_label(question: str, rewritten: str) -> bool:
    """The model's standalone question names the transcript's "assistant" or "user" where the
    follow-up did not ("What did she say ...?" -> "What did the assistant say ...?")."""
    return bool(_ROLES.search(rewritten)) and not _ROLES.search(question)
