"""Does a cited passage support an answer sentence? Facts first, then words and meaning.

A sentence is supported by its cited passages when
- every number, date, month and name in it appears in them, and every negation or reversal
  word ("not", "cancelled", "rejected") does too: sharing many words is not enough when the
  claim itself differs ("cancelled in 2019" against "signed in 2016");
- and it is close to them in words (share of its content words they contain), or in meaning
  (MiniLM cosine similarity to the nearest cited sentence) with a fair share of words too.
The thresholds were set by bench/calibrate_support.py on bench/support_pairs.jsonl: claims
about the bundled article, paraphrases and altered facts, against the sentence they cite.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from .embeddings import MiniLMEmbedding
from .lexical import STOPWORDS, stem, terms, words
from .retrieve import Passage
from .store import IndexStore

# Supported: no missing fact, and overlap >= OVERLAP or (similarity >= SIMILARITY and
# overlap >= MIN_OVERLAP): a sentence with most of its words new is not supported however
# close it is in meaning. Set by `python -m bench.calibrate_support`.
OVERLAP = 0.7
SIMILARITY = 0.65
MIN_OVERLAP = 0.45
# Re-attaching a citation to an uncited sentence asks for a clearer match.
REATTACH_SIMILARITY = 0.7
REATTACH_OVERLAP = 0.75

_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_MONTHS = {
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
}
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


@dataclass(frozen=True)
class Evidence:
    """A retrieved passage as the check sees it: its text (with the speaker of a quote) and
    its unit embedding."""

    text: str
    vector: np.ndarray


@dataclass
class Verdict:
    supported: bool
    citations: list[int]  # source numbers (1-based), re-attached ones included
    similarity: float = 0.0
    overlap: float = 0.0
    missing: list[str] = field(default_factory=list)  # facts found in no cited passage
    reattached: bool = False


def facts(sentence: str) -> list[str]:
    """Numbers, dates, names and claim words a supporting passage must also contain."""
    found: list[str] = []
    for m in _NUMBER.finditer(sentence):
        found.append(m.group(0).replace(",", ""))
    tokens = words(sentence)
    found += [w for w in tokens if w in _MONTHS]
    first_word = re.match(r"\W*[\w’'-]+", sentence)
    first_end = first_word.end() if first_word else 0
    for m in _NAME_WORD.finditer(sentence):
        word = m.group(0)
        low = word.lower().replace("’", "'").split("'")[0]
        if m.start() < first_end or low in STOPWORDS or low in _MONTHS or not low.isalpha():
            continue
        found.append(low)
    found += ["not" for _ in _NEGATION_SUFFIX.finditer(sentence)]
    found += [w for w in tokens if w in _NEGATIONS]
    found += [w for w in tokens if stem(w) in _REVERSALS]
    return list(dict.fromkeys(found))


def missing_facts(sentence: str, evidence_text: str) -> list[str]:
    tokens = set(words(evidence_text))
    stems = {stem(w) for w in tokens}
    numbers = {m.group(0).replace(",", "") for m in _NUMBER.finditer(evidence_text)}
    if _NEGATION_SUFFIX.search(evidence_text):
        tokens.add("not")
    missing = []
    for fact in facts(sentence):
        found = fact in numbers if fact[0].isdigit() else fact in tokens or stem(fact) in stems
        if not found:
            missing.append(fact)
    return missing


def overlap(sentence: str, evidence_text: str) -> float:
    """Share of the sentence's content words found in the evidence."""
    mine = set(terms(sentence)) - _PRONOUNS
    if not mine:
        return 0.0
    return len(mine & set(terms(evidence_text))) / len(mine)


def passage_evidence(
    store: IndexStore, embed: MiniLMEmbedding, passages: Sequence[Passage]
) -> list[Evidence]:
    """Each passage's text with the speaker of its quote, and its stored embedding."""
    stored = store.embeddings([p.node_id for p in passages])
    missing = [p for p in passages if p.node_id not in stored]
    if missing:
        vectors = embed.encode([p.text for p in missing])
        for p, vector in zip(missing, vectors, strict=True):
            stored[p.node_id] = vector
    return [
        Evidence(f"{p.speaker} {p.text}".strip(), np.asarray(stored[p.node_id], dtype=np.float32))
        for p in passages
    ]


class SupportChecker:
    """Checks each answer sentence against the passages it cites; re-attaches a citation to an
    uncited sentence that one passage clearly supports."""

    def __init__(self, embed: MiniLMEmbedding) -> None:
        self.embed = embed

    def check(
        self,
        sentences: Sequence[str],
        cited: Sequence[Sequence[int]],
        evidence: Sequence[Evidence],
    ) -> list[Verdict]:
        """`cited[i]`: the source numbers (1-based into `evidence`) sentence i cites."""
        if not sentences:
            return []
        vectors = self.embed.encode(list(sentences))
        matrix = (
            np.stack([e.vector for e in evidence])
            if evidence
            else np.zeros((0, vectors.shape[1]), dtype=np.float32)
        )
        similarity = vectors @ matrix.T  # sentences x sources
        verdicts = []
        for i, sentence in enumerate(sentences):
            sources = [k for k in cited[i] if 1 <= k <= len(evidence)]
            if sources:
                verdicts.append(self._judge(sentence, sources, similarity[i], evidence))
            else:
                verdicts.append(self._reattach(sentence, similarity[i], evidence))
        return verdicts

    def _judge(
        self, sentence: str, sources: list[int], sims: np.ndarray, evidence: Sequence[Evidence]
    ) -> Verdict:
        text = " ".join(evidence[k - 1].text for k in sources)
        sim = max(float(sims[k - 1]) for k in sources)
        lex = overlap(sentence, text)
        missing = missing_facts(sentence, text)
        ok = not missing and (lex >= OVERLAP or (sim >= SIMILARITY and lex >= MIN_OVERLAP))
        return Verdict(ok, sources, round(sim, 3), round(lex, 3), missing)

    def _reattach(self, sentence: str, sims: np.ndarray, evidence: Sequence[Evidence]) -> Verdict:
        best: Verdict | None = None
        # Sharing one or two words is no clear support, however large a share they are.
        wordy = len(set(terms(sentence)) - _PRONOUNS) >= 3
        for k in range(1, len(evidence) + 1):
            v = self._judge(sentence, [k], sims, evidence)
            clear = v.similarity >= REATTACH_SIMILARITY or (wordy and v.overlap >= REATTACH_OVERLAP)
            if not (v.supported and clear):
                continue
            if best is None or v.similarity + v.overlap > best.similarity + best.overlap:
                best = v
        if best is None:
            return Verdict(False, [])
        best.reattached = True
        return best
