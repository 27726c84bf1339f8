"""The seam beneath :class:`~nimop.watch.client.KubeClient`: where HTTP requests leave.

The client speaks to a :class:`Transport`, which opens the two sessions it needs (one pooled
for requests, one for long-lived watches). The default, :class:`AiohttpTransport`, is aiohttp;
tests plug in :class:`nimop.watch.testing.ApiTwin` instead (httpx's ``MockTransport`` idea),
so the real client, with its retries, throttling and error classification, runs unchanged.

The protocols name only what the client uses of aiohttp, so aiohttp's own classes satisfy
them structurally and a fake needs no casts.
"""

from __future__ import annotations

import ssl
from collections.abc import Awaitable, Mapping
from typing import Any, Protocol

import aiohttp

__all__ = ["AiohttpTransport", "ByteStream", "Response", "Session", "Transport"]


class ByteStream(Protocol):
    """A response body read chunk by chunk (``b""`` at the end)."""

    async def readany(self) -> bytes: ...


class Response(Protocol):
    """An HTTP response: what the client reads of ``aiohttp.ClientResponse``."""

    @property
    def status(self) -> int: ...

    @property
    def headers(self) -> Mapping[str, str]: ...

    @property
    def content(self) -> ByteStream: ...

    async def read(self) -> bytes: ...

    def release(self) -> Any: ...


class Session(Protocol):
    """A connection pool: what the client calls of ``aiohttp.ClientSession``.

    ``request`` raises aiohttp's exceptions for transport failures (a stale keep-alive
    connection is ``ServerDisconnectedError``), which the client classifies."""

    def request(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, str] | None,
        data: bytes | None,
        headers: dict[str, str],
        timeout: aiohttp.ClientTimeout,
    ) -> Awaitable[Response]: ...

    async def close(self) -> None: ...


class Transport(Protocol):
    """Opens the client's sessions; ``stream=True`` is the pool for watches."""

    def session(self, *, stream: bool) -> Session: ...


class AiohttpTransport:
    """The real network: aiohttp sessions with the client's TLS settings and headers."""

    def __init__(self, ssl_context: ssl.SSLContext | bool | None, headers: Mapping[str, str]):
        self._ssl: ssl.SSLContext | bool = ssl_context if ssl_context is not None else True
        self._headers = dict(headers)

    def session(self, *, stream: bool) -> Session:
        if stream:  # no pool limit, and a large read buffer for big watch events
            return aiohttp.ClientSession(
                headers=self._headers,
                connector=aiohttp.TCPConnector(ssl=self._ssl, limit=0),
                read_bufsize=2**21,
            )
        return aiohttp.ClientSession(
            headers=self._headers, connector=aiohttp.TCPConnector(ssl=self._ssl, limit=100)
        )
