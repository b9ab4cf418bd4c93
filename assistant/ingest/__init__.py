"""Ingest: files, saved pages, URLs and feeds -> articles with metadata -> sentence nodes with
embeddings -> committed to the index."""

from .files import SUPPORTED_SUFFIXES, Article, clean_article, content_hash, read_article
from .pipeline import IngestReport, Progress, build_nodes, doc_id_for, index_text, ingest

__all__ = [
    "SUPPORTED_SUFFIXES",
    "Article",
    "IngestReport",
    "Progress",
    "build_nodes",
    "clean_article",
    "content_hash",
    "doc_id_for",
    "index_text",
    "ingest",
    "read_article",
]
