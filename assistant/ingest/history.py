"""Earlier versions of a document: when an ingest replaces an article (a changed page at the
same URL or canonical URL, an edited file), the text and metadata it had are kept under
`<index>/history/<doc_id>/`, for `assistant documents --history` and `Assistant.history`."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path

from ..index import StoredDocument


@dataclass(frozen=True)
class Version:
    doc_id: str
    version: str
    source: str
    title: str
    published: str
    replaced_at: str  # when a newer version replaced it (UTC, ISO)
    text: str


def keep(index_dir: Path, old: StoredDocument) -> None:
    """Keep the version of `old` that an ingest has just replaced."""
    folder = index_dir / "history" / old.doc_id
    folder.mkdir(parents=True, exist_ok=True)
    record = {
        "doc_id": old.doc_id,
        "version": old.version,
        "source": old.source,
        "title": old.title,
        "published": old.published,
        "replaced_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "text": old.text,
    }
    temp = folder / f"{old.version}.part"
    temp.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
    temp.replace(folder / f"{old.version}.json")


def versions(index_dir: Path, doc_id: str) -> list[Version]:
    """The earlier versions of a document, oldest replaced first."""
    folder = index_dir / "history" / doc_id
    found = []
    for path in sorted(folder.glob("*.json")) if folder.is_dir() else []:
        try:
            found.append(Version(**json.loads(path.read_text(encoding="utf-8"))))
        except (OSError, ValueError, TypeError):
            continue  # a record that cannot be read is skipped, not fatal
    return sorted(found, key=lambda v: v.replaced_at)
