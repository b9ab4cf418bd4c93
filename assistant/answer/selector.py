"""A learned answer selector: a cross-encoder that reads the question together with one candidate
sentence (and the sentences around it) and scores how likely that sentence answers it.

The model (MiniLM-L6 fine-tuned on SQuAD dev questions, int8 ONNX, `models/selector/`, see its
CARD.md) is trained by `python -m bench.train_selector`; here it only runs, on onnxruntime with
the `tokenizers` library, loaded once and only when first asked. It reads the few passages the
retriever returned, never the whole index. The score is a logit: above 0 the model thinks the
sentence more likely than not to hold the answer.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

MODEL_DIR = Path(__file__).resolve().parent.parent / "models" / "selector"
# Question + candidate + context, in tokens; the context is cut first (it comes last).
MAX_TOKENS = 128


@dataclass(frozen=True)
class Candidate:
    """A sentence that may answer, with the sentences before and after it in its document."""

    sentence: str
    before: str = ""
    after: str = ""


def pair_text(candidate: Candidate | str) -> str:
    """The second segment the model reads: the candidate first, then its context after a
    separator, so truncation cuts context before the candidate and the model knows which
    sentence is asked about."""
    if isinstance(candidate, str):
        candidate = Candidate(candidate)
    context = " ".join(t for t in (candidate.before.strip(), candidate.after.strip()) if t)
    sentence = " ".join(candidate.sentence.split())
    return f"{sentence} [SEP] {' '.join(context.split())}" if context else sentence


def load_tokenizer(path: Path) -> Any:
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(path))
    tokenizer.enable_truncation(MAX_TOKENS, strategy="only_second")
    tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")
    return tokenizer


def encode(
    tokenizer: Any, question: str, candidates: Sequence[Candidate | str]
) -> dict[str, np.ndarray]:
    """Token ids, attention mask and segment ids (int64, padded to the longest) for the pairs."""
    q = " ".join(question.split())
    batch = tokenizer.encode_batch([(q, pair_text(c)) for c in candidates])
    return {
        "input_ids": np.asarray([e.ids for e in batch], dtype=np.int64),
        "attention_mask": np.asarray([e.attention_mask for e in batch], dtype=np.int64),
        "token_type_ids": np.asarray([e.type_ids for e in batch], dtype=np.int64),
    }


class AnswerSelector:
    """Scores candidate sentences for a question; loads the model on first use, once."""

    def __init__(self, folder: Path = MODEL_DIR, threads: int = 0) -> None:
        self.folder = folder
        self.threads = threads
        self._lock = threading.Lock()
        self._session: Any = None
        self._tokenizer: Any = None

    @property
    def available(self) -> bool:
        """The model files are there (a source checkout without them ranks without it)."""
        return (self.folder / "model.onnx").is_file() and (self.folder / "tokenizer.json").is_file()

    def _load(self) -> None:
        with self._lock:
            if self._session is not None:
                return
            import onnxruntime as ort

            options = ort.SessionOptions()
            if self.threads:
                options.intra_op_num_threads = self.threads
            options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
            self._tokenizer = load_tokenizer(self.folder / "tokenizer.json")
            self._session = ort.InferenceSession(
                str(self.folder / "model.onnx"), options, providers=["CPUExecutionProvider"]
            )

    def score(self, question: str, candidates: Sequence[Candidate | str]) -> np.ndarray:
        """One logit per candidate, in their order (higher: more likely to answer)."""
        if not candidates:
            return np.zeros(0, dtype=np.float32)
        if self._session is None:
            self._load()
        inputs = encode(self._tokenizer, question, candidates)
        names = {i.name for i in self._session.get_inputs()}
        (logits,) = self._session.run(None, {k: v for k, v in inputs.items() if k in names})
        return np.asarray(logits, dtype=np.float32).reshape(-1)


_SHARED: AnswerSelector | None = None
_SHARED_LOCK = threading.Lock()


def shared_selector() -> AnswerSelector:
    """The process's one selector (so every answerer shares one loaded model)."""
    global _SHARED
    with _SHARED_LOCK:
        if _SHARED is None:
            _SHARED = AnswerSelector()
        return _SHARED
