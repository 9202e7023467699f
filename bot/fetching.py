"""Fetching a document from a URL for /add, without becoming a way into the bot's network.

httpx with connect and read timeouts, a size cap applied while streaming, redirects
followed by hand (at most MAX_REDIRECTS, each one checked again), http and https only, and
a content-type check. Every address a host name resolves to must be public: loopback,
private, link-local, multicast, reserved and unspecified ranges are refused unless
BOT_ALLOW_PRIVATE_URLS is set (intranet deployments, tests). The address is checked when
the request is made; a host whose DNS answer changes between the check and the connection
(DNS rebinding) is not caught, which is noted in the README.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from dataclasses import dataclass
from pathlib import PurePosixPath
from urllib.parse import urljoin, urlsplit

import httpx

MAX_BYTES = 20 * 1024 * 1024
MAX_REDIRECTS = 5
TIMEOUT = httpx.Timeout(10.0, connect=5.0)
_TYPES = {
    "text/html": ".html",
    "application/xhtml+xml": ".html",
    "text/plain": ".txt",
    "text/markdown": ".md",
    "application/pdf": ".pdf",
}


class FetchRefused(Exception):
    """The URL cannot be added; the message says why, for the admin."""


@dataclass(frozen=True)
class Fetched:
    url: str  # after redirects
    content: bytes
    file_name: str


async def _check_address(url: str, *, allow_private: bool) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise FetchRefused("Only http:// and https:// addresses can be added.")
    if not parts.hostname:
        raise FetchRefused("That address has no host name.")
    if allow_private:
        return
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(
            parts.hostname, port, type=socket.SOCK_STREAM
        )
    except OSError:
        raise FetchRefused(f"The host {parts.hostname} could not be found.") from None
    for *_, sockaddr in infos:
        address = ipaddress.ip_address(sockaddr[0])
        if not address.is_global or address.is_multicast:
            raise FetchRefused(
                f"{parts.hostname} is a private or local address ({address}); "
                "the bot does not fetch from its own network."
            )


def _file_name(url: str, content_type: str) -> str:
    suffix = _TYPES[content_type]
    stem = PurePosixPath(urlsplit(url).path).stem or urlsplit(url).hostname or "page"
    return f"{stem}{suffix}"


async def _get(client: httpx.AsyncClient, url: str, max_bytes: int) -> Fetched | str:
    """One request: the document, or the address a redirect points to."""
    accept = {"Accept": ", ".join(_TYPES)}
    async with client.stream("GET", url, headers=accept) as response:
        if response.is_redirect:
            location = response.headers.get("location")
            if not location:
                raise FetchRefused("The server redirected to nowhere.")
            return str(urljoin(url, location))
        if response.status_code != 200:
            raise FetchRefused(f"The server answered {response.status_code}.")
        kind = response.headers.get("content-type", "").split(";")[0].strip().lower()
        if kind not in _TYPES:
            raise FetchRefused(f"That is {kind or 'an unknown type'}, not a web page, text or PDF.")
        too_large = FetchRefused(f"The document is larger than {max_bytes // 2**20} MB.")
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > max_bytes:
            raise too_large
        body = bytearray()
        async for chunk in response.aiter_bytes():
            body += chunk
            if len(body) > max_bytes:
                raise too_large
        return Fetched(str(response.url), bytes(body), _file_name(url, kind))


async def fetch_document(
    url: str,
    *,
    allow_private: bool,
    max_bytes: int = MAX_BYTES,
    timeouts: httpx.Timeout = TIMEOUT,
) -> Fetched:
    """The document at `url`, or FetchRefused with the reason."""
    async with httpx.AsyncClient(timeout=timeouts, follow_redirects=False) as client:
        for _ in range(MAX_REDIRECTS + 1):
            await _check_address(url, allow_private=allow_private)
            try:
                got = await _get(client, url, max_bytes)
            except httpx.TimeoutException:
                raise FetchRefused("The server took too long to answer.") from None
            except httpx.HTTPError as error:
                reason = type(error).__name__
                raise FetchRefused(f"The page could not be fetched ({reason}).") from None
            if isinstance(got, Fetched):
                return got
            url = got
        raise FetchRefused(f"More than {MAX_REDIRECTS} redirects; gave up.")
