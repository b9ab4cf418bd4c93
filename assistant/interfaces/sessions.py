"""The web chat's browser sessions: what one shows and remembers, and which are answering."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

Message = dict[str, str]
# A second question sent in a chat whose first is still being answered (from a script: the page
# disables its box meanwhile) would race the first for the chat's history; it is refused.
BUSY = "This chat is still answering its last question; send this one when that answer is in."


@dataclass(frozen=True)
class Session:
    """One browser session's chat: what it shows, and the turns passed back as history."""

    messages: list[Message] = field(default_factory=list)
    history: list[Message] = field(default_factory=list)


class Answering:
    """The browser sessions (by gradio's session hash) with a question in progress."""

    def __init__(self) -> None:
        self._keys: set[str] = set()
        self._lock = threading.Lock()

    def start(self, key: str) -> bool:
        """Mark `key` answering; False when it already was (the question is refused)."""
        with self._lock:
            if key in self._keys:
                return False
            self._keys.add(key)
            return True

    def end(self, key: str) -> None:
        with self._lock:
            self._keys.discard(key)
