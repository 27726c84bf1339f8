"""The manager's metrics endpoint, Prometheus ``/metrics`` (the probes are in liveness.py).

controller-runtime serves metrics and probes on two addresses (``:8080``, ``:8081``); so do we.
Port 0 picks a free port; :attr:`HttpServer.port` tells which.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from ssl import SSLContext
from types import TracebackType
from typing import Any, Self

import anyio
from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from .metrics import REGISTRY

__all__ = ["HttpServer", "metrics_app"]

Check = Callable[[], list[str]]  # returns problems; empty = fine
Middleware = Callable[..., Any]  # an aiohttp middleware


def metrics_app(middlewares: Iterable[Middleware] = ()) -> web.Application:
    """``/metrics``; ``middlewares`` guard it (``--metrics-secure``: authn and authz)."""
    async def metrics(_: web.Request) -> web.Response:
        body = await anyio.to_thread.run_sync(generate_latest, REGISTRY)
        return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})

    app = web.Application(middlewares=list(middlewares))
    app.router.add_get("/metrics", metrics)
    return app


class HttpServer:
    """An aiohttp server on ``host:port`` as an async context manager."""

    def __init__(
        self, app: web.Application, host: str, port: int, ssl_context: SSLContext | None = None
    ) -> None:
        self._runner = web.AppRunner(app, access_log=None)
        self._host, self._port = host, port
        self._ssl = ssl_context
        self.port: int | None = None

    async def __aenter__(self) -> Self:
        await self._runner.setup()
        site = web.TCPSite(self._runner, self._host, self._port, ssl_context=self._ssl)
        await site.start()
        server = site._server
        sockets = getattr(server, "sockets", None) or []
        self.port = sockets[0].getsockname()[1] if sockets else self._port
        return self

    async def __aexit__(
        self, et: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        with anyio.CancelScope(shield=True):
            await self._runner.cleanup()
