"""Does a cited passage support an answer sentence? Facts first, then words and meaning.

A sentence is supported by its cited passages when
- every number, date, month and name in it appears in them, and every negation or reversal
  word ("not", "cancelled", "rejected") does too: sharing many words is not enough when the
  claim itself differs ("cancelled in 2019" against "signed in 2016");
- and it is close to them in words (share of its content words they contain, how many are new)
  and in meaning (MiniLM cosine similarity to the nearest cited sentence).
A missing fact makes a sentence unsupported; otherwise the share of its words found, how many
are new and the similarity are weighed by a logistic model of "unsupported"
(support_weights.json), fitted by `python -m bench.calibrate_support --write` on the dev part of
bench/support_labels.jsonl (sentences a real instruct model wrote over news_dev, labelled by
hand against the quotes they cite), its threshold chosen there and on bench/support_pairs.jsonl
(claims about the bundled article with altered facts).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np

from ..index import IndexStore
from ..index.embeddings import MiniLMEmbedding
from ..retrieve import Passage
from ..text.lexical import STOPWORDS, fold, stem, terms, words
from ..text.vocabulary import MONTHS, WEEKDAYS

WEIGHTS = Path(__file__).with_name("support_weights.json")
# The model's inputs, in the order of its weights.
FEATURES = ("similarity", "overlap", "new_words")
# A sentence made of the passage's words (this share, at most one new word) is supported.
OWN_WORDS = 0.7
# A cited source holding less than this share of a sentence's content words, when another
# cited source holds more, is not cited for it (a model tends to cite [1][2] where only [1] says
# it). Measured on news_dev through the model path (bench.llm_news).
UNNEEDED_OVERLAP = 0.2
# Re-attaching a citation to an uncited sentence asks for a clearer match: supported, no
# missing fact, and most of its words or a close meaning.
MIN_OVERLAP = 0.45
REATTACH_SIMILARITY = 0.7
REATTACH_OVERLAP = 0.75


@lru_cache(maxsize=1)
def weights() -> dict[str, float]:
    """The fitted logistic model: a weight per feature, its bias, and the flag's threshold."""
    model = json.loads(WEIGHTS.read_text(encoding="utf-8"))["unsupported"]
    return {k: float(v) for k, v in model.items()}


def unsupported_probability(
    similarity: float, overlap: float, new: int, model: dict[str, float] | None = None
) -> float:
    """How likely a sentence with no missing fact is unsupported by what it cites."""
    w = model or weights()
    z = w["bias"] + w["similarity"] * similarity + w["overlap"] * overlap + w["new_words"] * new
    return 1.0 / (1.0 + math.exp(-z))


def flagged(
    similarity: float,
    overlap: float,
    missing: int,
    new: int,
    model: dict[str, float] | None = None,
) -> bool:
    """The check's verdict, unsupported: a fact the passages do not hold, or the model says so
    of a sentence that is not the passage's own words (at most one new word: "He works at the
    Institute" against "Kamal Alam, an analyst at the Institute", which MiniLM finds far apart)."""
    if missing:
        return True
    if overlap >= OWN_WORDS and new <= 1:
        return False
    w = model or weights()
    return unsupported_probability(similarity, overlap, new, w) >= w["threshold"]


_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_MONTHS = frozenset((*MONTHS, *WEEKDAYS))  # calendar words, not names
_CAPITALISED_DATE = re.compile(r"\b(" + "|".join(m.title() for m in sorted(_MONTHS)) + r")\b")
_NAME_WORD = re.compile(r"(?<![\w’'-])[A-Z][\w’'-]*")
_PRONOUNS = {"he", "she", "it", "they", "him", "her", "his", "its", "them", "their", "we", "i"}
_NEGATIONS = {"not", "no", "never", "neither", "nor", "none", "nobody", "nothing", "without"}
_NEGATION_SUFFIX = re.compile(r"n[’']t\b", re.IGNORECASE)
# Words that turn a claim into its opposite: present in the sentence, absent from the passage.
_REVERSAL_WORDS = (
    "cancel cancelled scrap scrapped abandon abandoned reject rejected deny denied refuse "
    "refused halt halted suspend suspended terminate terminated revoke revoked withdraw "
    "withdrew withdrawn collapse collapsed fail failed ban banned block blocked oppose "
    "opposed veto vetoed postpone postponed delay delayed decline declined decrease "
    "decreased increase increased rise rose fall fell drop dropped cut lose lost end ended "
    "break broke broken violate violated dismiss dismissed stop stopped resign resigned "
    "false untrue"
)
_REVERSALS = {stem(w) for w in _REVERSAL_WORDS.split()}


class Evidence:
    """A retrieved passage as the check sees it: its text (with the speaker of a quote) and
    its unit embedding, which may be given as a function so it is fetched only if needed."""

    def __init__(self, text: str, vector: np.ndarray | Callable[[], np.ndarray]) -> None:
        self.text = text
        self._vector = vector

    @property
    def vector(self) -> np.ndarray:
        if callable(self._vector):
            self._vector = self._vector()
        return self._vector


@dataclass
class Verdict:
    supported: bool
    citations: list[int]  # source numbers (1-based), re-attached ones included
    similarity: float | None = None  # None: the words decided, the sentence was not embedded
    overlap: float = 0.0
    missing: list[str] = field(default_factory=list)  # facts found in no cited passage
    reattached: bool = False
    # Cited sources that add nothing to the sentence: they hold few of its words, another cited
    # source holds more, and the rest hold every fact the sentence states that they do.
    unneeded: list[int] = field(default_factory=list)


def facts(sentence: str) -> list[str]:
    """Numbers, dates, names and claim words a supporting passage must also contain."""
    found: list[str] = []
    for m in _NUMBER.finditer(sentence):
        found.append(m.group(0).replace(",", ""))
    tokens = words(sentence)
    # Months and days only when capitalised: "may" is a verb far more often than a month.
    found += [m.group(0).lower() for m in _CAPITALISED_DATE.finditer(sentence)]
    first_word = re.match(r"\W*[\w’'-]+", sentence)
    first_end = first_word.end() if first_word else 0
    for m in _NAME_WORD.finditer(sentence):
        word = m.group(0)
        low = fold(word).split("'")[0]
        if m.start() < first_end or low in STOPWORDS or low in _MONTHS or not low.isalpha():
            continue
        found.append(low)
    found += ["not" for _ in _NEGATION_SUFFIX.finditer(sentence)]
    found += [w for w in tokens if w in _NEGATIONS]
    found += [w for w in tokens if stem(w) in _REVERSALS]
    return list(dict.fromkeys(found))


@dataclass(frozen=True)
class _Words:
    """What the fact and overlap checks look up in a passage, computed once."""

    tokens: frozenset[str]
    stems: frozenset[str]
    numbers: frozenset[str]
    terms: frozenset[str]

    @classmethod
    def of(cls, text: str) -> _Words:
        tokens = set(words(text))
        if _NEGATION_SUFFIX.search(text):
            tokens.add("not")
        return cls(
            frozenset(tokens),
            frozenset(stem(w) for w in tokens),
            frozenset(m.group(0).replace(",", "") for m in _NUMBER.finditer(text)),
            frozenset(terms(text)),
        )

    def __or__(self, other: _Words) -> _Words:
        return _Words(
            self.tokens | other.tokens,
            self.stems | other.stems,
            self.numbers | other.numbers,
            self.terms | other.terms,
        )


def _missing(sentence_facts: list[str], found: _Words) -> list[str]:
    return [
        fact
        for fact in sentence_facts
        if not (
            fact in found.numbers
            if fact[0].isdigit()
            else fact in found.tokens or stem(fact) in found.stems
        )
    ]


def _overlap(sentence_terms: set[str], found: _Words) -> float:
    if not sentence_terms:
        return 0.0
    return len(sentence_terms & found.terms) / len(sentence_terms)


def _new(sentence_terms: set[str], found: _Words) -> int:
    return len(sentence_terms - found.terms)


def missing_facts(sentence: str, evidence_text: str, given: str = "") -> list[str]:
    """The sentence's facts that neither the evidence nor `given` (the question: a name or
    figure it gives is no new claim when the answer repeats it) contains."""
    return _missing(facts(sentence), _Words.of(evidence_text) | _Words.of(given))


def overlap(sentence: str, evidence_text: str, given: str = "") -> float:
    """Share of the sentence's content words found in the evidence or in `given`."""
    return _overlap(set(terms(sentence)) - _PRONOUNS, _Words.of(evidence_text) | _Words.of(given))


def new_words(sentence: str, evidence_text: str, given: str = "") -> int:
    """How many of the sentence's content words neither the evidence nor `given` holds."""
    return _new(set(terms(sentence)) - _PRONOUNS, _Words.of(evidence_text) | _Words.of(given))


def passage_evidence(
    store: IndexStore, embed: MiniLMEmbedding, passages: Sequence[Passage]
) -> list[Evidence]:
    """Each passage's text with the speaker of its quote, and its stored embedding (all
    fetched from the store together, the first time one is needed)."""

    @lru_cache(maxsize=1)
    def vectors() -> dict[str, np.ndarray]:
        stored = store.embeddings([p.node_id for p in passages])
        missing = [p for p in passages if p.node_id not in stored]
        if missing:
            encoded = embed.encode([p.text for p in missing])
            for p, vector in zip(missing, encoded, strict=True):
                stored[p.node_id] = vector
        return stored

    def vector(node_id: str) -> Callable[[], np.ndarray]:
        return lambda: np.asarray(vectors()[node_id], dtype=np.float32)

    return [Evidence(f"{p.speaker} {p.text}".strip(), vector(p.node_id)) for p in passages]


@dataclass
class _Candidate:
    """One way of supporting a sentence (its cited sources, or one source to re-attach)."""

    sources: list[int]
    lex: float
    missing: list[str]
    new: int
    sim: float | None = None  # computed only when the words alone do not decide

    @property
    def decided(self) -> bool:
        """Whether the verdict is the same whatever the similarity (0 to 1) turns out to be."""
        n = len(self.missing)
        return flagged(0.0, self.lex, n, self.new) == flagged(1.0, self.lex, n, self.new)

    @property
    def plausible(self) -> bool:
        return not self.missing and self.lex >= MIN_OVERLAP

    def supported(self) -> bool:
        sim = self.sim if self.sim is not None else 0.0
        return not flagged(sim, self.lex, len(self.missing), self.new)

    def clear(self, wordy: bool) -> bool:
        """Clear enough to re-attach: sharing one or two words is not, whatever the share."""
        if not self.plausible or not self.supported():
            return False
        return (wordy and self.lex >= REATTACH_OVERLAP) or (self.sim or 0.0) >= REATTACH_SIMILARITY


class SupportChecker:
    """Checks each answer sentence against the passages it cites; re-attaches a citation to an
    uncited sentence that one passage clearly supports.

    Words decide first: a missing fact rules a passage out and a large overlap rules it in.
    Only the sentences left undecided are embedded (one batch), which keeps the check to a few
    milliseconds for most answers.
    """

    def __init__(self, embed: MiniLMEmbedding) -> None:
        self.embed = embed

    def check(
        self,
        sentences: Sequence[str],
        cited: Sequence[Sequence[int]],
        evidence: Sequence[Evidence],
        given: str = "",
    ) -> list[Verdict]:
        """`cited[i]`: the source numbers (1-based into `evidence`) sentence i cites. What
        `given` (the question) says counts as found: an answer that repeats the question's
        names and figures ("The Houston chain has 25 locations") claims nothing new by them."""
        asked = _Words.of(given)
        own = [_Words.of(e.text) for e in evidence]
        found = [words | asked for words in own]
        plans: list[tuple[bool, list[_Candidate], bool]] = []  # (cited?, candidates, wordy)
        unneeded: dict[int, list[int]] = {}
        for i, sentence in enumerate(sentences):
            sentence_facts = facts(sentence)
            sentence_terms = set(terms(sentence)) - _PRONOUNS
            sources = [k for k in dict.fromkeys(cited[i]) if 1 <= k <= len(evidence)]
            groups = [sources] if sources else [[k] for k in range(1, len(evidence) + 1)]
            candidates = []
            for group in groups:
                union = found[group[0] - 1]
                for k in group[1:]:
                    union = union | found[k - 1]
                candidates.append(
                    _Candidate(
                        group,
                        _overlap(sentence_terms, union),
                        _missing(sentence_facts, union),
                        _new(sentence_terms, union),
                    )
                )
            plans.append((bool(sources), candidates, len(sentence_terms) >= 3))
            if len(sources) > 1:
                unneeded[i] = _unneeded(sources, sentence_terms, sentence_facts, own, asked)

        undecided = [
            i
            for i, (is_cited, candidates, wordy) in enumerate(plans)
            if (
                not candidates[0].decided
                if is_cited
                else any(c.plausible for c in candidates)
                and not any(c.clear(wordy) for c in candidates)
            )
        ]
        if undecided and evidence:
            vectors = self.embed.encode([sentences[i] for i in undecided])
            matrix = np.stack([e.vector for e in evidence])
            for i, row in zip(undecided, vectors @ matrix.T, strict=True):
                for c in plans[i][1]:
                    c.sim = max(float(row[k - 1]) for k in c.sources)

        verdicts = []
        for i, (is_cited, candidates, wordy) in enumerate(plans):
            if is_cited:
                (c,) = candidates
                verdicts.append(_verdict(c, c.supported()))
                verdicts[-1].unneeded = unneeded.get(i, [])
                continue
            clear = [c for c in candidates if c.clear(wordy)]
            if not clear:
                verdicts.append(Verdict(False, []))
                continue
            best = max(clear, key=lambda c: c.lex + (c.sim or 0.0))
            verdict = _verdict(best, True)
            verdict.reattached = True
            verdicts.append(verdict)
        return verdicts


def _unneeded(
    sources: list[int],
    sentence_terms: set[str],
    sentence_facts: list[str],
    own: Sequence[_Words],
    asked: _Words,
) -> list[int]:
    """The cited sources that add nothing to the sentence (see Verdict.unneeded); `own[k - 1]`:
    source k's words."""
    shares = {k: _overlap(sentence_terms, own[k - 1]) for k in sources}
    best = max(shares.values())
    drop = [k for k in sources if shares[k] < UNNEEDED_OVERLAP and shares[k] < best]
    kept = [k for k in sources if k not in drop]
    if not drop or not kept:
        return []
    every, rest = asked, asked
    for k in sources:
        every = every | own[k - 1]
        if k in kept:
            rest = rest | own[k - 1]
    if set(_missing(sentence_facts, rest)) != set(_missing(sentence_facts, every)):
        return []
    return drop


def _verdict(c: _Candidate, supported: bool) -> Verdict:
    sim = round(c.sim, 3) if c.sim is not None else None
    return Verdict(supported, c.sources, sim, round(c.lex, 3), c.missing)
