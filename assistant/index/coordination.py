"""Coordinating writers and readers of one index across processes: the write lock (a file lock
in the index folder, and with a Chroma server a lease record there), and the generation record
that tells readers the committed documents changed."""

from __future__ import annotations

import contextlib
import fcntl
import os
import socket
import threading
import time
from pathlib import Path
from typing import Any

from ..errors import AssistantError

GENERATION_ID = "generation"
LOCK_ID = "write-lock"


def try_lock(index_dir: Path) -> Any:
    """The folder's write lock, taken now, or None when another process holds it."""
    handle = open(index_dir / ".write.lock", "a+")  # noqa: SIM115 - held beyond this call
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        return None
    return handle


def unlock(handle: Any) -> None:
    fcntl.flock(handle, fcntl.LOCK_UN)
    handle.close()


def read_generation(meta: Any, index_dir: Path, chroma_url: str) -> str:
    """Changes whenever committed documents change: `fingerprint:random`."""
    if chroma_url:
        try:
            got = meta.get(ids=[GENERATION_ID], include=["documents"])
        except Exception as exc:  # the client raises many kinds; all mean the same here
            raise AssistantError(
                f"lost the Chroma server at {chroma_url} ({exc}); check that "
                "it runs (chroma run --path DIR) and try again."
            ) from None
        return str((got["documents"] or [""])[0] or "")
    try:
        return (index_dir / "generation").read_text()
    except (FileNotFoundError, UnicodeDecodeError):
        return ""


def write_generation(meta: Any, index_dir: Path, remote: bool, fingerprint: str) -> str:
    """A new generation for these committed documents, recorded for other processes."""
    token = f"{fingerprint}:{os.getpid()}-{os.urandom(4).hex()}"
    if remote:
        meta.upsert(ids=[GENERATION_ID], documents=[token], embeddings=[[1.0]])
    else:
        tmp = index_dir / f".generation-{os.getpid()}"
        tmp.write_text(token)
        os.replace(tmp, index_dir / "generation")
    return token


class ServerLease:
    """The write lock on a Chroma server, for writers that share no folder: a record that `add`
    creates only when absent (Chroma ignores an `add` of an existing id), renewed while held, and
    taken over once its holder has stopped renewing it (a killed writer)."""

    ttl = 60.0

    def __init__(self, collection: Any, url: str) -> None:
        self.collection = collection
        self.url = url
        self.token = f"{socket.gethostname()}:{os.getpid()}:{os.urandom(6).hex()}"
        self._stop = threading.Event()
        self._renewer: threading.Thread | None = None

    def acquire(self) -> None:
        holder = ""
        for _ in range(3):
            self.collection.add(
                ids=[LOCK_ID],
                documents=[self.token],
                metadatas=[{"expires": time.time() + self.ttl}],
                embeddings=[[1.0]],
            )
            got = self.collection.get(ids=[LOCK_ID], include=["documents", "metadatas"])
            holder = str((got["documents"] or [""])[0] or "")
            meta = (got["metadatas"] or [{}])[0] or {}
            if holder == self.token:
                self._renewer = threading.Thread(target=self._renew, daemon=True)
                self._renewer.start()
                return
            if holder and float(meta.get("expires", 0.0)) < time.time():
                # Its holder died: remove that lock (and only that one) and try again.
                self.collection.delete(ids=[LOCK_ID], where_document={"$contains": holder})
        who = holder.rsplit(":", 1)[0] or "another process"
        raise AssistantError(
            f"another process ({who}) is writing to the index on the Chroma server at "
            f"{self.url}; wait for it to finish and run the command again (a writer that died "
            f"releases it within {self.ttl:.0f} seconds)."
        )

    def _renew(self) -> None:
        while not self._stop.wait(self.ttl / 4):
            with contextlib.suppress(Exception):
                got = self.collection.get(ids=[LOCK_ID], include=["documents"])
                if (got["documents"] or [""])[0] == self.token:
                    self.collection.update(
                        ids=[LOCK_ID], metadatas=[{"expires": time.time() + self.ttl}]
                    )

    def release(self) -> None:
        self._stop.set()
        if self._renewer is not None:
            self._renewer.join(timeout=5)
            with contextlib.suppress(Exception):
                self.collection.delete(ids=[LOCK_ID], where_document={"$contains": self.token})
