"""URLs -> the bytes of a page or a feed, fetched safely and kept beside the index.

http and https only; every address a URL (or a redirect) resolves to must be public unless
`Settings.allow_private_urls` is on (loopback, private, link-local, multicast and reserved
ranges are refused); a timeout for connecting and reading, a size limit read as the body
streams in, a bounded number of redirects, and a user agent that names the tool. Each fetched
body is saved under `<index>/fetched/`, so a later re-ingest, `assistant doctor` and the
citations still work offline; when the network fails, a URL fetched before is read from there.
"""

from __future__ import annotations

import hashlib
import ipaddress
import json
import re
import socket
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import httpx

from ..errors import AssistantError
from ..settings import Settings

USER_AGENT = "news-assistant/0.1 (offline question answering over news articles)"

PAGE_TYPES = ("text/html", "application/xhtml+xml")
FEED_TYPES = (
    "application/rss+xml",
    "application/atom+xml",
    "application/rdf+xml",
    "application/xml",
    "text/xml",
    "application/feed+json",
)
TEXT_TYPES = ("text/plain", "text/markdown")


@dataclass(frozen=True)
class Fetched:
    url: str  # as asked
    final_url: str  # after redirects
    kind: str  # "page", "feed" or "text"
    body: bytes
    saved: Path  # the copy beside the index


def is_url(value: str) -> bool:
    """`value` is written as a URL ("scheme://..."); only http and https are fetched."""
    return re.match(r"^\s*[a-zA-Z][a-zA-Z0-9+.-]*://", value) is not None


class Fetcher:
    """Fetches URLs under the settings' limits; one per ingest."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.folder = settings.index_dir / "fetched"

    def fetch(self, url: str) -> Fetched:
        """The body at `url`; raises AssistantError naming the URL and the reason. When the
        server cannot be reached, the copy saved by an earlier fetch is used."""
        url = url.strip()
        _check_scheme(url)
        try:
            return self._fetch(url)
        except _Unreachable as exc:
            saved = self.saved(url)
            if saved is not None:
                return saved
            raise AssistantError(f"{url}: {exc}") from None

    def saved(self, url: str) -> Fetched | None:
        """The copy an earlier fetch of `url` left beside the index, if any."""
        body_path, meta_path = self._paths(url)
        if not (body_path.exists() and meta_path.exists()):
            return None
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        return Fetched(url, meta["final_url"], meta["kind"], body_path.read_bytes(), body_path)

    def _fetch(self, url: str) -> Fetched:
        limit = int(self.settings.fetch_max_mb * 1024 * 1024)
        timeout = httpx.Timeout(self.settings.fetch_timeout)
        current = url
        with httpx.Client(
            timeout=timeout, follow_redirects=False, headers={"User-Agent": USER_AGENT}
        ) as client:
            for _ in range(self.settings.fetch_max_redirects + 1):
                _check_scheme(current)
                self._check_address(current)
                try:
                    with client.stream("GET", current) as response:
                        if response.is_redirect:
                            location = response.headers.get("location", "")
                            if not location:
                                raise AssistantError(f"{url}: a redirect with no Location.")
                            current = urljoin(current, location)
                            continue
                        if response.status_code >= 400:
                            raise AssistantError(
                                f"{url}: the server answered {response.status_code} "
                                f"{response.reason_phrase}; check the address."
                            )
                        kind = _kind(url, response.headers.get("content-type", ""))
                        body = _read_limited(response, limit, url)
                except httpx.TimeoutException:
                    raise _Unreachable(
                        f"no answer within {self.settings.fetch_timeout:g} s "
                        "(ASSISTANT_FETCH_TIMEOUT); try again later."
                    ) from None
                except httpx.HTTPError as exc:
                    raise _Unreachable(
                        f"cannot fetch it ({type(exc).__name__}: {exc}); check the address "
                        "and the network."
                    ) from None
                return self._save(url, current, kind, body)
        raise AssistantError(
            f"{url}: more than {self.settings.fetch_max_redirects} redirects "
            "(ASSISTANT_FETCH_MAX_REDIRECTS)."
        )

    def _check_address(self, url: str) -> None:
        if self.settings.allow_private_urls:
            return
        host = urlsplit(url).hostname or ""
        try:
            infos = socket.getaddrinfo(host, None)
        except socket.gaierror:
            raise _Unreachable(f"the host {host!r} is not known; check the address.") from None
        for info in infos:
            address = ipaddress.ip_address(info[4][0])
            if not address.is_global or address.is_multicast:
                raise AssistantError(
                    f"{url}: refused: {host} is a loopback, private or link-local address "
                    f"({address}); set ASSISTANT_ALLOW_PRIVATE_URLS=true to fetch from it."
                )

    def _save(self, url: str, final_url: str, kind: str, body: bytes) -> Fetched:
        body_path, meta_path = self._paths(url)
        self.folder.mkdir(parents=True, exist_ok=True)
        temp = body_path.with_suffix(".part")
        temp.write_bytes(body)
        temp.replace(body_path)
        meta_path.write_text(
            json.dumps({"url": url, "final_url": final_url, "kind": kind}), encoding="utf-8"
        )
        return Fetched(url, final_url, kind, body, body_path)

    def _paths(self, url: str) -> tuple[Path, Path]:
        key = hashlib.sha256(url.encode("utf-8")).hexdigest()[:24]
        return self.folder / f"{key}.body", self.folder / f"{key}.json"


class _Unreachable(Exception):
    """The server could not be reached (a saved copy may stand in)."""


def _check_scheme(url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise AssistantError(f"{url}: only http:// and https:// URLs with a host name are fetched.")


def _kind(url: str, content_type: str) -> str:
    media = content_type.split(";")[0].strip().lower()
    if media in PAGE_TYPES or not media:
        return "page"
    if media in FEED_TYPES or media.endswith("+xml"):
        return "feed"
    if media in TEXT_TYPES:
        return "text"
    raise AssistantError(
        f"{url}: not a web page or a feed (the server sent {media}); "
        "give the address of the article's page."
    )


def _read_limited(response: httpx.Response, limit: int, url: str) -> bytes:
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise _too_large(url, limit)
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_bytes():
        size += len(chunk)
        if size > limit:
            raise _too_large(url, limit)
        chunks.append(chunk)
    return b"".join(chunks)


def _too_large(url: str, limit: int) -> AssistantError:
    return AssistantError(
        f"{url}: larger than {limit / 1024 / 1024:g} MB (ASSISTANT_FETCH_MAX_MB); "
        "save the article's page and ingest the file."
    )
