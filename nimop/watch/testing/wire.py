"""The API twin on the client's side of the seam: sessions and responses shaped like aiohttp's.

:class:`TwinSession` satisfies :class:`nimop.watch.transport.Session`; each request goes to the
twin's handler after a scheduling point (so concurrent requests interleave as on a network).
A watch answers with a :class:`TwinResponse` whose body is the live event stream; releasing it
closes the watch, as dropping the connection does.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import anyio
import orjson
from anyio.streams.memory import MemoryObjectReceiveStream

from nimop.watch.transport import ByteStream, Response

__all__ = ["Request", "TwinResponse", "TwinSession"]


@dataclass(frozen=True)
class Request:
    """One request as the twin saw it, parsed (``verb`` in the client's words)."""

    method: str
    path: str
    params: Mapping[str, str]
    headers: Mapping[str, str]
    body: Any
    verb: str = ""
    group: str = ""
    resource: str = ""
    namespace: str | None = None
    name: str | None = None
    subresource: str | None = None

    @property
    def is_write(self) -> bool:
        return self.verb in ("create", "update", "patch", "apply", "delete")

    @property
    def field_manager(self) -> str:
        return self.params.get("fieldManager", "")


class _Body:
    """A fixed body read once, or a stream of chunks until the watch closes."""

    def __init__(
        self,
        data: bytes,
        stream: MemoryObjectReceiveStream[bytes] | None,
        idle: float | None,
    ) -> None:
        self._data = data
        self._stream = stream
        self._idle = idle

    async def readany(self) -> bytes:
        if self._stream is None:
            data, self._data = self._data, b""
            return data
        try:
            with anyio.fail_after(self._idle):
                return await self._stream.receive()
        except (anyio.EndOfStream, anyio.ClosedResourceError):
            return b""


@dataclass
class TwinResponse:
    """Satisfies :class:`nimop.watch.transport.Response`."""

    status: int
    headers: Mapping[str, str]
    content: ByteStream
    on_release: Callable[[], None] | None = None
    _released: bool = field(default=False, repr=False)

    async def read(self) -> bytes:
        chunks = []
        while chunk := await self.content.readany():
            chunks.append(chunk)
        return b"".join(chunks)

    def release(self) -> None:
        if not self._released and self.on_release is not None:
            self._released = True
            self.on_release()


def fixed(status: int, data: bytes, headers: Mapping[str, str] | None = None) -> TwinResponse:
    return TwinResponse(status, dict(headers or {}), _Body(data, None, None))


def streaming(
    stream: MemoryObjectReceiveStream[bytes], idle: float | None, on_release: Callable[[], None]
) -> TwinResponse:
    return TwinResponse(200, {"Content-Type": "application/json"}, _Body(b"", stream, idle),
                        on_release)  # fmt: skip


Handler = Callable[[Request, aiohttp.ClientTimeout], Awaitable[Response]]


class TwinSession:
    """Satisfies :class:`nimop.watch.transport.Session`: requests go to the twin's handler."""

    def __init__(self, handler: Handler, base_headers: Mapping[str, str] | None = None) -> None:
        self._handler = handler
        self._headers = dict(base_headers or {})
        self.closed = False

    async def request(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, str] | None,
        data: bytes | None,
        headers: dict[str, str],
        timeout: aiohttp.ClientTimeout,  # noqa: ASYNC109 - aiohttp's keyword
    ) -> Response:
        if self.closed:
            raise RuntimeError("Session is closed")
        await anyio.lowlevel.checkpoint()
        path = "/" + url.split("://", 1)[-1].split("/", 1)[-1] if "://" in url else url
        body = orjson.loads(data) if data else None
        request = Request(method, path, dict(params or {}), {**self._headers, **headers}, body)
        return await self._handler(request, timeout)

    async def close(self) -> None:
        self.closed = True
