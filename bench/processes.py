"""Servers started as real processes on 127.0.0.1 (a Chroma server, llama.cpp, the app), by the
tests and by bench/load.py and bench/llm_news.py; kept in bench/ so the benchmarks never import
from tests/."""

from __future__ import annotations

import contextlib
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def serving(
    command: list[str],
    ready_url: str,
    log: Path,
    timeout: float = 60.0,
    env: dict[str, str] | None = None,
) -> Iterator[subprocess.Popen[bytes]]:
    """Run `command` (its output to `log`, in `env` if given) until `ready_url` answers 200;
    stop it on leaving. Fails with the end of the log when the server exits or is not ready in
    `timeout` s."""
    with log.open("w") as out:
        server = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, env=env)
        try:
            deadline = time.monotonic() + timeout
            while True:
                try:
                    with urllib.request.urlopen(ready_url, timeout=2) as response:
                        if response.status == 200:
                            break
                except OSError:
                    pass
                if server.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(f"{command[0]} did not start:\n{log.read_text()[-3000:]}")
                time.sleep(0.2)
            yield server
        finally:
            server.terminate()
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
