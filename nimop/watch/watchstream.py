"""A watch response as an async iterator of decoded events.

Lines are split by hand and decoded with orjson: kubernetes_asyncio's ``Watch`` parses every
event twice and once failed on lines over 128 KiB (kubernetes_asyncio#137); objects can approach
etcd's 1.5 MiB limit, so no line cap here. ``ERROR`` events carrying a ``metav1.Status`` are
raised as classified errors (410 -> :class:`GoneError`, which makes the informer relist).
"""

from __future__ import annotations

from typing import Any

import aiohttp
import orjson

from .errors import TransportError, error_from_status
from .transport import Response

__all__ = ["WatchStream"]


class WatchStream:
    """Iterate ``{"type": ..., "object": {...}}`` events until the server closes the stream."""

    def __init__(self, resp: Response, inactivity_timeout: float) -> None:
        self._resp = resp
        self._inactivity = inactivity_timeout
        self._buffer = bytearray()
        self._lines: list[bytes] = []
        self._eof = False

    def __aiter__(self) -> WatchStream:
        return self

    async def __anext__(self) -> dict[str, Any]:
        while not self._lines:
            if self._eof:
                raise StopAsyncIteration
            await self._fill()
        event: dict[str, Any] = orjson.loads(self._lines.pop(0))
        if event.get("type") == "ERROR":
            status = event.get("object") or {}
            raise error_from_status(int(status.get("code") or 500), status)
        return event

    async def _fill(self) -> None:
        try:
            chunk = await self._resp.content.readany()
        except TimeoutError as exc:
            raise TransportError(f"watch idle for more than {self._inactivity}s") from exc
        except aiohttp.ClientError as exc:
            raise TransportError(f"watch stream broke: {exc!r}") from exc
        if not chunk:
            self._eof = True
            if self._buffer.strip():
                self._lines.append(bytes(self._buffer))
            self._buffer.clear()
            return
        self._buffer += chunk
        *complete, rest = self._buffer.split(b"\n")
        self._lines.extend(bytes(line) for line in complete if line.strip())
        self._buffer = bytearray(rest)
