"""Files uploaded to the web chat: a safe name to store each under, and why one is refused."""

from __future__ import annotations

import re
from pathlib import Path

from ..ingest.feeds import FEED_SUFFIXES
from ..ingest.files import SUPPORTED_SUFFIXES

UPLOAD_SUFFIXES = SUPPORTED_SUFFIXES + FEED_SUFFIXES
MB = 1024 * 1024  # as Gradio counts them, so its refusal and ours name the same limit


def upload_name(name: str) -> str:
    """A safe file name for an upload: no folders, no `..`, no shell metacharacters."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    stem, dot, suffix = base.rpartition(".")
    if not dot:
        stem, suffix = base, ""
    stem = re.sub(r"[^A-Za-z0-9]+", "-", stem).strip("-")[:80].strip("-") or "article"
    suffix = re.sub(r"[^A-Za-z0-9]+", "", suffix).lower()[:8]
    return f"{stem}.{suffix}" if suffix else stem


def upload_problem(path: Path, limit_mb: float) -> str | None:
    """Why an uploaded file is refused, or None."""
    suffix = path.suffix.lower()
    if suffix not in UPLOAD_SUFFIXES:
        return (
            f"unsupported file type '{suffix or 'none'}'; upload .txt, .md or .html articles "
            "(convert other formats first)"
        )
    size_mb = path.stat().st_size / MB
    if size_mb > limit_mb:
        return (
            f"the file is {size_mb:.1f} MB; the limit is {limit_mb:g} MB (ASSISTANT_MAX_UPLOAD_MB)"
        )
    return None
