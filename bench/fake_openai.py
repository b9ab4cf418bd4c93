"""A scripted OpenAI-compatible server on 127.0.0.1, for tests (tests/llm, tests/web) and
bench/llm_overhead.py, which talk real HTTP to it.

It serves `POST /v1/chat/completions` (plain JSON, or server-sent events when the request says
`"stream": true`) and `GET /v1/models`. Each test enqueues the replies it wants, in order:
text (or a function of the request body that returns text), an error status, a stall longer than
the client's timeout, or a stream that breaks off. Every request is recorded.

    server = FakeOpenAI(models=["gpt-4o-mini"])
    server.enqueue(Reply("Kamal Alam is an analyst [1]."), Reply(status=503))
    ... Settings(openai_base_url=server.url) ...
    server.close()
"""

from __future__ import annotations

import json
import re
import socket
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Body = dict[str, Any]


@dataclass
class Reply:
    """One scripted answer to one chat-completions request."""

    text: str | Callable[[Body], str] = ""
    status: int = 200
    message: str = ""  # the error message for a non-200 status
    stall: float = 0.0  # seconds to wait before answering (longer than the timeout = a timeout)
    pieces: int = 4  # how many SSE chunks a streamed answer is cut into (at least)
    hold: threading.Event | None = None  # when set: after the first chunk, wait for this event
    break_after: int | None = None  # close the connection after this many chunks
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str]
    body: Body


class FakeOpenAI:
    """The server; `url` is what `openai_base_url` should be set to."""

    def __init__(self, models: list[str] | None = None) -> None:
        self.models = models or ["gpt-4o-mini"]
        self.replies: deque[Reply] = deque()
        self.requests: list[Request] = []
        self.chunks_sent = 0
        self.finished = threading.Event()  # set when a streamed reply has been fully sent
        self._lock = threading.Lock()
        handler = _handler(self)
        self.httpd = _QuietServer(("127.0.0.1", 0), handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host!s}:{port}/v1"

    def enqueue(self, *replies: Reply | str) -> None:
        with self._lock:
            for r in replies:
                self.replies.append(Reply(r) if isinstance(r, str) else r)

    def chat_requests(self) -> list[Request]:
        return [r for r in self.requests if r.path.endswith("/chat/completions")]

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def _next(self) -> Reply:
        with self._lock:
            if self.replies:
                return self.replies.popleft()
        return Reply(status=500, message="the fake server has no scripted reply left")


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        # a client that hangs up (a timeout, a broken-off stream) is part of the script
        pass


def _handler(server: FakeOpenAI) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def _record(self, body: Body) -> None:
            server.requests.append(
                Request(
                    self.command, self.path, {k.lower(): v for k, v in self.headers.items()}, body
                )
            )

        def do_GET(self) -> None:
            self._record({})
            if self.path.rstrip("/").endswith("/models"):
                data = [{"id": m, "object": "model", "owned_by": "fake"} for m in server.models]
                self._json(200, {"object": "list", "data": data})
            else:
                self._json(404, _error("no such route", "not_found"))

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = json.loads(self.rfile.read(length) or b"{}")
            self._record(body)
            if not self.path.rstrip("/").endswith("/chat/completions"):
                self._json(404, _error("no such route", "not_found"))
                return
            if body.get("model") not in server.models:
                message = f"The model `{body.get('model')}` does not exist"
                self._json(404, _error(message, "model_not_found"))
                return
            reply = server._next()
            if reply.stall:
                time.sleep(reply.stall)
            if reply.status != 200:
                self._json(reply.status, _error(reply.message or f"HTTP {reply.status}"), reply)
                return
            text = reply.text(body) if callable(reply.text) else reply.text
            if body.get("stream"):
                self._stream(text, reply, body)
            else:
                self._json(200, _completion(text, body))

        def _json(self, status: int, payload: Body, reply: Reply | None = None) -> None:
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            if status == 429 or status >= 500:
                # keeps the client's retries fast; the real servers send the same header
                self.send_header("retry-after-ms", "10")
            for k, v in (reply.headers if reply else {}).items():
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(data)

        def _stream(self, text: str, reply: Reply, body: Body) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            model = body.get("model", "")
            server.chunks_sent = 0
            server.finished.clear()
            for i, piece in enumerate(_cut(text, reply.pieces)):
                if reply.break_after is not None and i >= reply.break_after:
                    self.wfile.flush()
                    # no terminating chunk: the client sees the stream break off
                    self.connection.shutdown(socket.SHUT_RDWR)
                    self.close_connection = True
                    return
                # Counted before it is written: the client may read it before this thread
                # runs again.
                server.chunks_sent += 1
                self._event(_chunk(piece, model, first=i == 0))
                if i == 0 and reply.hold is not None:
                    reply.hold.wait(timeout=10)
            self._event(_chunk("", model, finish="stop"))
            self._send_chunk(b"data: [DONE]\n\n")
            self._send_chunk(b"")
            server.finished.set()

        def _event(self, payload: Body) -> None:
            self._send_chunk(f"data: {json.dumps(payload)}\n\n".encode())

        def _send_chunk(self, data: bytes) -> None:
            self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
            self.wfile.flush()

    return Handler


def sources(body: Body) -> dict[int, str]:
    """The numbered sources of an answer request: {number: text}."""
    user = next(m["content"] for m in body["messages"] if m["role"] == "user")
    found = re.findall(r'<source id="(\d+)">\n(.*?)\n</source>', user, flags=re.DOTALL)
    return {int(k): block.split("Text: ", 1)[1] for k, block in found}


def citing(template: str) -> Callable[[Body], str]:
    """A reply that cites by content: each `{{fragment}}` becomes the number of the source that
    contains the fragment, e.g. "He is an analyst [{{Kamal Alam, a Pakistan}}]."."""

    def reply(body: Body) -> str:
        numbered = sources(body)

        def number(m: re.Match[str]) -> str:
            for k, text in numbered.items():
                if m.group(1) in text:
                    return str(k)
            raise AssertionError(f"no source contains {m.group(1)!r}: {numbered}")

        return re.sub(r"\{\{(.+?)\}\}", number, template)

    return reply


def _cut(text: str, pieces: int) -> list[str]:
    """The text in about `pieces` chunks, cut in the middle of words and markers too."""
    if not text:
        return []
    size = max(1, len(text) // max(1, pieces))
    return [text[i : i + size] for i in range(0, len(text), size)]


def _error(message: str, code: str | None = None) -> Body:
    return {"error": {"message": message, "type": "invalid_request_error", "code": code}}


def _completion(text: str, body: Body) -> Body:
    return {
        "id": "chatcmpl-fake",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": body.get("model", ""),
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": text},
                "finish_reason": "stop",
            }
        ],
        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
    }


def _chunk(piece: str, model: str, first: bool = False, finish: str | None = None) -> Body:
    delta: Body = {"content": piece} if piece else {}
    if first:
        delta["role"] = "assistant"
    return {
        "id": "chatcmpl-fake",
        "object": "chat.completion.chunk",
        "created": int(time.time()),
        "model": model,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }
