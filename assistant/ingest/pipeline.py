"""Paths -> cleaned articles -> sentence nodes with embeddings -> committed to the index.

Each file is read, cleaned, split and embedded before the index is touched, so a file that
fails leaves the index as it was, and fails alone. Files are embedded and committed in batches.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

from llama_index.core.schema import TextNode

from ..errors import AssistantError
from ..index import IndexStore, PendingDocument, StoredDocument, node_id
from ..index.embeddings import MiniLMEmbedding
from ..text.sentences import Sentence, split_sentences
from .feeds import FEED_SUFFIXES, Entry, FeedMemory, read_feed
from .fetch import Fetched, Fetcher, is_url
from .files import SUPPORTED_SUFFIXES, Article, read_article, read_bytes
from .history import keep
from .stories import Stories, signature


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


@dataclass(frozen=True)
class Item:
    """One article to ingest: what names it (a path or a URL) and how to read it."""

    label: str
    read: Callable[[], Article]
    done: Callable[[], None] = lambda: None  # called once it is indexed or found unchanged


def expand_paths(
    paths: Iterable[str | Path], report: IngestReport, fetcher: Fetcher | None = None
) -> list[Item]:
    """What to ingest: each file named, the supported files inside each folder named, each URL
    (a page, or a feed's entries), and the entries of each feed file."""
    items: list[Item] = []
    feeds: list[FeedMemory] = []
    for raw in paths:
        if isinstance(raw, str) and is_url(raw):
            items.extend(_url_items(raw.strip(), report, fetcher, feeds))
            continue
        path = Path(raw).expanduser()
        if path.is_dir():
            found = sorted(p for p in path.rglob("*") if p.is_file() and not p.name.startswith("."))
            readable = SUPPORTED_SUFFIXES + FEED_SUFFIXES
            for p in found:
                if p.suffix.lower() not in readable:
                    report.failed.append(
                        (
                            str(p),
                            f"unsupported file type '{p.suffix or 'none'}'; "
                            "only .txt, .md and .html articles and .xml/.rss/.atom feeds are read",
                        )
                    )
            if not found:
                report.failed.append((str(path), "the folder holds no files; add articles to it"))
            for p in found:
                if p.suffix.lower() in readable:
                    items.extend(_file_items(p, report, fetcher, feeds))
        elif path.is_file():
            items.extend(_file_items(path, report, fetcher, feeds))
        else:
            report.failed.append(
                (str(path), "no such file or folder; check the path and try again")
            )
    return items


def _file_items(
    path: Path, report: IngestReport, fetcher: Fetcher | None, feeds: list[FeedMemory]
) -> list[Item]:
    if path.suffix.lower() not in FEED_SUFFIXES:
        return [Item(str(path), lambda: read_article(path))]
    try:
        entries = read_feed(path.read_bytes(), str(path))
    except (AssistantError, OSError) as exc:
        report.failed.append((str(path), _reason(str(exc), str(path))))
        return []
    return _entry_items(str(path.resolve()), entries, report, fetcher, feeds)


def _url_items(
    url: str, report: IngestReport, fetcher: Fetcher | None, feeds: list[FeedMemory]
) -> list[Item]:
    if fetcher is None:
        report.failed.append((url, "URLs are not fetched here; save the page and ingest the file"))
        return []
    try:
        fetched = fetcher.fetch(url)
        if fetched.kind != "feed":
            return [Item(url, lambda: _fetched_article(fetched))]
        entries = read_feed(fetched.body, url)
    except AssistantError as exc:
        report.failed.append((url, _reason(str(exc), url)))
        return []
    return _entry_items(url, entries, report, fetcher, feeds)


def _entry_items(
    feed: str,
    entries: list[Entry],
    report: IngestReport,
    fetcher: Fetcher | None,
    feeds: list[FeedMemory],
) -> list[Item]:
    """The entries of a feed that are new or changed since the last ingest of it."""
    if fetcher is None:
        report.failed.append((feed, "feeds are not fetched here; save the pages instead"))
        return []
    memory = FeedMemory(fetcher.settings.index_dir, feed)
    feeds.append(memory)
    items = []
    for entry in entries:
        if not memory.is_new(entry):
            report.unchanged.append(entry.link)
            continue
        items.append(
            Item(
                entry.link,
                lambda e=entry: _entry_article(fetcher, e),  # type: ignore[misc]
                lambda e=entry, m=memory: (m.remember(e), m.save())[0],  # type: ignore[misc]
            )
        )
    return items


def _entry_article(fetcher: Fetcher, entry: Entry) -> Article:
    article = _fetched_article(fetcher.fetch(entry.link))
    if not article.published and entry.published:
        article = replace(article, published=entry.published)
    return article


def _fetched_article(fetched: Fetched) -> Article:
    if fetched.kind == "feed":
        raise AssistantError(f"{fetched.url}: a feed, not an article (an entry links to a feed).")
    suffix = ".txt" if fetched.kind == "text" else ".html"
    return read_bytes(fetched.body, fetched.url, suffix, label=fetched.url, url=fetched.final_url)


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
    fetcher: Fetcher | None = None,
) -> IngestReport:
    report = IngestReport()
    items = expand_paths(paths, report, fetcher)
    if not items:
        return report
    with store.writing():
        batch = _Batch(store, embed, report, progress, len(items), batch_files)
        for item in items:
            batch.show(item.label)
            try:
                queued = batch.add(item)
            except AssistantError as exc:
                report.failed.append((item.label, _reason(str(exc), item.label)))
                queued = False
            except OSError as exc:
                report.failed.append((item.label, f"cannot read the file ({exc.strerror or exc})"))
                queued = False
            if not queued:
                batch.finished += 1
        batch.flush()
        store.finish_writes()
    if progress:
        progress(len(items), len(items), "done")
    return report


def _reason(message: str, label: str | Path) -> str:
    """The message without its leading "<path or URL>: " (the report names it already)."""
    for prefix in (f"{label}: ", f"{Path(label).resolve()}: " if not is_url(str(label)) else ""):
        if prefix and message.startswith(prefix):
            return message[len(prefix) :]
    return message


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
        # (document, whether it replaces one, what to call once it is committed)
        self.pending: list[tuple[PendingDocument, bool, Callable[[], None]]] = []
        self.nodes = 0
        # The index as it will be once this ingest is committed: text hash -> (doc, source),
        # and doc -> text hash, so duplicates are found across batches and within one.
        self.by_hash = {d.sha256: (d.doc_id, d.source) for d in store.documents.values()}
        self.hash_of = {d.doc_id: d.sha256 for d in store.documents.values()}
        # A page saved again (another file, other furniture) at the same canonical URL is the
        # same document: its new text replaces the old.
        self.by_url = {d.url: d.doc_id for d in store.documents.values() if d.url}
        self.stories = Stories()
        for d in store.documents.values():
            if d.minhash:
                self.stories.add(d.doc_id, d.minhash, d.story)

    def show(self, working_on: str) -> None:
        """Tell the progress callback how many files are finished and which is in hand."""
        if self.progress:
            self.progress(self.finished, self.total, working_on)

    def add(self, item: Item) -> bool:
        """Read an article and queue it; False when it needs no indexing (unchanged, duplicate)."""
        article = item.read()
        doc_id = self.by_url.get(article.url) or doc_id_for(article.source)
        before = self.hash_of.get(doc_id)
        if before == article.sha256:
            self.report.unchanged.append(article.source)  # not changed, or named twice
            item.done()
            return False
        twin = self.by_hash.get(article.sha256)
        if twin is not None and twin[0] != doc_id:
            self.report.duplicates.append((article.source, twin[1]))
            item.done()
            return False
        if before is not None and self.by_hash.get(before, ("",))[0] == doc_id:
            del self.by_hash[before]
        self.by_hash[article.sha256] = (doc_id, article.source)
        self.hash_of[doc_id] = article.sha256
        version = article.sha256[:12]
        nodes = build_nodes(article, doc_id, version)
        meta = article.metadata()
        meta["minhash"] = signature(article.text)
        meta["story"] = self.stories.add(doc_id, meta["minhash"])
        if article.url:
            self.by_url[article.url] = doc_id
        old = self.store.documents.get(doc_id)
        replaces = old is not None
        document = PendingDocument(doc_id, version, article.text, meta, nodes)
        self.pending.append((document, replaces, self._after(item, old)))
        self.nodes += len(nodes)
        if self.nodes >= BATCH_NODES or len(self.pending) >= self.batch_files:
            self.flush()
        return True

    def _after(self, item: Item, old: StoredDocument | None) -> Callable[[], None]:
        """What to do once the new version is committed: keep the one it replaced."""

        def done() -> None:
            if old is not None:  # beside the index (with a Chroma server: its local folder)
                keep(self.store.settings.index_dir, old)
            item.done()

        return done

    def flush(self) -> None:
        """Embed and commit the queued documents. The embedding happens before the index is
        touched; should it fail, every queued file fails with the reason."""
        pending, self.pending, self.nodes = self.pending, [], 0
        if not pending:
            return
        self.show(str(pending[0][0].meta["source"]))
        nodes = [node for doc, _, _ in pending for node in doc.nodes]
        try:
            vectors = self.embed.encode([n.text for n in nodes])
        except AssistantError as exc:
            self.report.failed += [(str(doc.meta["source"]), str(exc)) for doc, _, _ in pending]
            self.finished += len(pending)
            return
        for node, vector in zip(nodes, vectors, strict=True):
            node.embedding = vector.tolist()
        self.store.commit_documents([doc for doc, _, _ in pending])
        for doc, replaces, done in pending:
            (self.report.updated if replaces else self.report.added).append(doc.meta["source"])
            done()
        self.finished += len(pending)
