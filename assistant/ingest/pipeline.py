"""Paths -> cleaned articles -> sentence nodes with embeddings -> committed to the index.

Each file is read, cleaned, split and embedded before the index is touched, so a file that
fails leaves the index as it was, and fails alone. Files are embedded and committed in batches.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from llama_index.core.schema import TextNode

from ..embeddings import MiniLMEmbedding
from ..errors import AssistantError
from ..sentences import Sentence, split_sentences
from ..store import IndexStore, PendingDocument, node_id
from .files import SUPPORTED_SUFFIXES, Article, read_article


@dataclass
class IngestReport:
    """What an ingest did, file by file."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    # (path, source of the indexed article with the same text): not indexed a second time
    duplicates: list[tuple[str, str]] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)  # (path, reason)

    @property
    def ok(self) -> bool:
        return not self.failed

    def summary(self) -> str:
        parts = [
            f"{len(self.added)} added",
            f"{len(self.updated)} updated",
            f"{len(self.unchanged)} unchanged",
            *([f"{len(self.duplicates)} duplicates"] if self.duplicates else []),
            f"{len(self.failed)} failed",
        ]
        return ", ".join(parts)


# (files finished, files in all, the file in hand): called as files are read and committed.
Progress = Callable[[int, int, str], None]

# Documents are embedded and committed in batches of about this many sentences, or of
# Settings.ingest_batch files, whichever comes first.
BATCH_NODES = 512


def expand_paths(paths: Iterable[str | Path], report: IngestReport) -> list[Path]:
    """Files to ingest: each file named, and the supported files inside each folder named."""
    files: list[Path] = []
    for raw in paths:
        path = Path(raw).expanduser()
        if path.is_dir():
            found = sorted(p for p in path.rglob("*") if p.is_file() and not p.name.startswith("."))
            supported = [p for p in found if p.suffix.lower() in SUPPORTED_SUFFIXES]
            for p in found:
                if p.suffix.lower() not in SUPPORTED_SUFFIXES:
                    report.failed.append(
                        (
                            str(p),
                            f"unsupported file type '{p.suffix or 'none'}'; "
                            "only .txt, .md and .html articles are read",
                        )
                    )
            if not found:
                report.failed.append((str(path), "the folder holds no files; add articles to it"))
            files.extend(supported)
        elif path.is_file():
            files.append(path)
        else:
            report.failed.append(
                (str(path), "no such file or folder; check the path and try again")
            )
    return files


def doc_id_for(source: str) -> str:
    return hashlib.sha256(source.encode("utf-8")).hexdigest()[:16]


def index_text(text: str, sentence: Sentence) -> str:
    """What BM25 and the embedding see for a sentence: the sentence, led by its speaker."""
    body = text[sentence.start : sentence.end]
    if sentence.speaker_start >= 0 and sentence.speaker_start < sentence.start:
        speaker = text[sentence.speaker_start : sentence.speaker_end]
        return f"{speaker}: {body}"
    return body


def build_nodes(article: Article, doc_id: str, version: str) -> list[TextNode]:
    nodes = []
    for position, sentence in enumerate(split_sentences(article.text)):
        nodes.append(
            TextNode(
                id_=node_id(doc_id, version, position),
                text=index_text(article.text, sentence),
                metadata={
                    "article_id": doc_id,
                    "version": version,
                    "position": position,
                    "start": sentence.start,
                    "end": sentence.end,
                    "speaker_start": sentence.speaker_start,
                    "speaker_end": sentence.speaker_end,
                    "title": article.title,
                    "source": article.source,
                },
                excluded_embed_metadata_keys=[
                    "article_id",
                    "version",
                    "position",
                    "start",
                    "end",
                    "speaker_start",
                    "speaker_end",
                    "source",
                    "title",
                ],
            )
        )
    return nodes


def ingest(
    store: IndexStore,
    embed: MiniLMEmbedding,
    paths: Iterable[str | Path],
    progress: Progress | None,
    batch_files: int,
) -> IngestReport:
    report = IngestReport()
    files = expand_paths(paths, report)
    if not files:
        return report
    with store.writing():
        batch = _Batch(store, embed, report, progress, len(files), batch_files)
        for path in files:
            batch.show(str(path))
            try:
                queued = batch.add(path)
            except AssistantError as exc:
                report.failed.append((str(path), _reason(str(exc), path)))
                queued = False
            except OSError as exc:
                report.failed.append((str(path), f"cannot read the file ({exc.strerror or exc})"))
                queued = False
            if not queued:
                batch.finished += 1
        batch.flush()
        store.finish_writes()
    if progress:
        progress(len(files), len(files), "done")
    return report


def _reason(message: str, path: Path) -> str:
    prefix = f"{path.resolve()}: "
    return message[len(prefix) :] if message.startswith(prefix) else message


class _Batch:
    """Files read, cleaned and split one by one, then embedded and committed together: one
    embedding call over many documents keeps every core busy, and one Chroma write per batch
    costs far less than one per file."""

    def __init__(
        self,
        store: IndexStore,
        embed: MiniLMEmbedding,
        report: IngestReport,
        progress: Progress | None,
        total: int,
        batch_files: int,
    ) -> None:
        self.store = store
        self.embed = embed
        self.report = report
        self.progress = progress
        self.total = total
        self.batch_files = batch_files
        self.finished = 0  # files committed, unchanged, duplicate or failed
        self.pending: list[tuple[PendingDocument, bool]] = []  # (document, replaces one)
        self.nodes = 0
        # The index as it will be once this ingest is committed: text hash -> (doc, source),
        # and doc -> text hash, so duplicates are found across batches and within one.
        self.by_hash = {d.sha256: (d.doc_id, d.source) for d in store.documents.values()}
        self.hash_of = {d.doc_id: d.sha256 for d in store.documents.values()}

    def show(self, working_on: str) -> None:
        """Tell the progress callback how many files are finished and which is in hand."""
        if self.progress:
            self.progress(self.finished, self.total, working_on)

    def add(self, path: Path) -> bool:
        """Read a file and queue it; False when it needs no indexing (unchanged, duplicate)."""
        article = read_article(path)
        doc_id = doc_id_for(article.source)
        before = self.hash_of.get(doc_id)
        if before == article.sha256:
            self.report.unchanged.append(article.source)  # not changed, or named twice
            return False
        twin = self.by_hash.get(article.sha256)
        if twin is not None and twin[0] != doc_id:
            self.report.duplicates.append((article.source, twin[1]))
            return False
        if before is not None and self.by_hash.get(before, ("",))[0] == doc_id:
            del self.by_hash[before]
        self.by_hash[article.sha256] = (doc_id, article.source)
        self.hash_of[doc_id] = article.sha256
        version = article.sha256[:12]
        nodes = build_nodes(article, doc_id, version)
        meta = article.metadata()
        replaces = doc_id in self.store.documents
        self.pending.append((PendingDocument(doc_id, version, article.text, meta, nodes), replaces))
        self.nodes += len(nodes)
        if self.nodes >= BATCH_NODES or len(self.pending) >= self.batch_files:
            self.flush()
        return True

    def flush(self) -> None:
        """Embed and commit the queued documents. The embedding happens before the index is
        touched; should it fail, every queued file fails with the reason."""
        pending, self.pending, self.nodes = self.pending, [], 0
        if not pending:
            return
        self.show(str(pending[0][0].meta["source"]))
        nodes = [node for doc, _ in pending for node in doc.nodes]
        try:
            vectors = self.embed.encode([n.text for n in nodes])
        except AssistantError as exc:
            self.report.failed += [(str(doc.meta["source"]), str(exc)) for doc, _ in pending]
            self.finished += len(pending)
            return
        for node, vector in zip(nodes, vectors, strict=True):
            node.embedding = vector.tolist()
        self.store.commit_documents([doc for doc, _ in pending])
        for doc, replaces in pending:
            (self.report.updated if replaces else self.report.added).append(doc.meta["source"])
        self.finished += len(pending)
