"""A small in-process OCI registry for the client's unit tests: manifests and blobs from
memory, optional Basic or Bearer-token authentication, a redirect for blobs, and a record of
every request (path and Authorization header). The real registry is exercised end to end
(tests/e2e/test_native_cache.py); this one makes the odd answers easy to stage."""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from nimop.oci.distribution import DOCKER_MANIFEST, OCI_INDEX, OCI_MANIFEST

TOKEN = "t0ken"


def digest(body: bytes) -> str:
    return "sha256:" + hashlib.sha256(body).hexdigest()


@dataclass
class FakeRegistry:
    manifests: dict[str, tuple[str, bytes]] = field(default_factory=dict)
    blobs: dict[str, bytes] = field(default_factory=dict)
    #: None, "basic" or "bearer"
    auth: str | None = None
    user: str = "u"
    password: str = "p"
    redirect_blobs: bool = False
    seen: list[tuple[str, str]] = field(default_factory=list)
    port: int = 0

    @property
    def host(self) -> str:
        return f"127.0.0.1:{self.port}"

    def image(self, repo: str, tag: str, labels: dict[str, str] | None,
              media: str = OCI_MANIFEST) -> str:  # fmt: skip
        """Store an image whose config carries `labels`; returns its manifest digest."""
        config = json.dumps({"architecture": "amd64", "os": "linux",
                             "config": {"Labels": labels} if labels is not None else {}}).encode()
        self.blobs[digest(config)] = config
        manifest = json.dumps({"schemaVersion": 2, "mediaType": media, "config": {
            "mediaType": "application/vnd.oci.image.config.v1+json",
            "digest": digest(config), "size": len(config)}, "layers": []}).encode()  # fmt: skip
        self.manifests[f"{repo}:{digest(manifest)}"] = (media, manifest)
        self.manifests[f"{repo}:{tag}"] = (media, manifest)
        return digest(manifest)

    def index(self, repo: str, tag: str, children: list[dict[str, Any]]) -> None:
        body = json.dumps({"schemaVersion": 2, "mediaType": OCI_INDEX,
                           "manifests": children}).encode()  # fmt: skip
        self.manifests[f"{repo}:{tag}"] = (OCI_INDEX, body)

    def _authorized(self, request: web.Request) -> bool:
        header = request.headers.get("Authorization", "")
        if self.auth == "basic":
            return header == "Basic " + base64.b64encode(
                f"{self.user}:{self.password}".encode()).decode()  # fmt: skip
        if self.auth == "bearer":
            return header == f"Bearer {TOKEN}"
        return True

    def _challenge(self) -> web.Response:
        value = (f'Basic realm="{self.host}"' if self.auth == "basic" else
                 f'Bearer realm="http://{self.host}/token",service="fake"')  # fmt: skip
        return web.json_response({"errors": [{"code": "UNAUTHORIZED"}]}, status=401,
                                 headers={"WWW-Authenticate": value})  # fmt: skip

    async def _token(self, request: web.Request) -> web.Response:
        self.seen.append((request.path_qs, request.headers.get("Authorization", "")))
        expected = "Basic " + base64.b64encode(f"{self.user}:{self.password}".encode()).decode()
        if request.headers.get("Authorization") != expected:
            return web.json_response({"details": "bad credentials"}, status=401)
        return web.json_response({"token": TOKEN})

    async def _v2(self, request: web.Request) -> web.StreamResponse:
        self.seen.append((request.path, request.headers.get("Authorization", "")))
        if request.path.startswith("/cdn/"):
            return web.Response(body=self.blobs[request.path.removeprefix("/cdn/")])
        if not self._authorized(request):
            return self._challenge()
        repo, _, rest = request.path.removeprefix("/v2/").partition("/manifests/")
        if rest:
            found = self.manifests.get(f"{repo}:{rest}")
            if found is None:
                return web.json_response({"errors": [{"code": "MANIFEST_UNKNOWN"}]}, status=404)
            return web.Response(body=found[1], headers={"Content-Type": found[0]})
        _, _, blob = request.path.partition("/blobs/")
        if blob not in self.blobs:
            return web.json_response({"errors": [{"code": "BLOB_UNKNOWN"}]}, status=404)
        if self.redirect_blobs:
            raise web.HTTPTemporaryRedirect(f"/cdn/{blob}")
        return web.Response(body=self.blobs[blob])


@asynccontextmanager
async def serving(registry: FakeRegistry) -> AsyncIterator[FakeRegistry]:
    app = web.Application()
    app.router.add_get("/token", registry._token)
    app.router.add_route("GET", "/{tail:.*}", registry._v2)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    registry.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        yield registry
    finally:
        await runner.cleanup()


__all__ = ["DOCKER_MANIFEST", "FakeRegistry", "digest", "serving"]
