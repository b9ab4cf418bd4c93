"""Chroma: the client (embedded in the index folder, or a server), paged reads, scores."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..errors import AssistantError
from ..settings import Settings


def get_all(collection: Any, include: list[str], page: int = 5000) -> dict[str, list[Any]]:
    """Every record of a collection, read in pages: one unbounded get of a large collection
    fails inside Chroma ("too many SQL variables")."""
    out: dict[str, list[Any]] = {"ids": [], **{key: [] for key in include}}
    for got in pages(collection, include, page):
        out["ids"].extend(got["ids"])
        for key in include:
            out[key].extend(got[key] or [])
    return out


def pages(collection: Any, include: list[str], page: int = 5000) -> Iterator[dict[str, Any]]:
    """Every record of a collection, a page of `page` records at a time (Chroma's get)."""
    offset = 0
    while True:
        got = collection.get(include=include, limit=page, offset=offset)
        yield got
        if len(got["ids"]) < page:
            return
        offset += page


def ensure_writable(path: Path) -> None:
    try:
        path.mkdir(parents=True, exist_ok=True)
        # A name of its own: processes opening the index at once must not unlink each other's.
        probe = path / f".write-test-{os.getpid()}-{os.urandom(4).hex()}"
        probe.write_text("ok")
        probe.unlink()
    except OSError as exc:
        raise AssistantError(
            f"index folder {path} is not writable ({exc.strerror or exc}); choose another with "
            "--index DIR or ASSISTANT_INDEX_DIR, or fix the folder's permissions."
        ) from None


def chroma_client(settings: Settings, path: Path) -> Any:
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    if settings.chroma_url:
        from urllib.parse import urlparse

        url = urlparse(settings.chroma_url)
        try:
            return chromadb.HttpClient(
                host=url.hostname or "127.0.0.1",
                port=url.port or 8000,
                ssl=url.scheme == "https",
                settings=chroma_settings,
            )
        except Exception as exc:
            raise AssistantError(
                f"cannot reach the Chroma server at {settings.chroma_url} ({exc}); start it "
                "(chroma run --path DIR) or unset ASSISTANT_CHROMA_URL to use the local index."
            ) from None
    return chromadb.PersistentClient(path=str(path / "chroma"), settings=chroma_settings)
